// HTTP front: routing, ROA header checks, signature verification, fault injection and
// the request log. Product handlers live in dlc.ts, quotas.ts and eas.ts.
import { type IncomingMessage, type ServerResponse } from "node:http";
import { parse as parseQuery } from "node:querystring";
import { ApiError, inventedError, errorBody, invalidParameter, newRequestId } from "./errors";
import { type Faults, slowDown } from "./faults";
import { type Ctx, type Route, VERSIONS, hostId, matchPath } from "./routes";
import {
  checkSignedHeaderCoverage,
  expectedSignature,
  parseAuthorization,
  sha256Hex,
  signaturesEqual,
} from "./signature";
import { type Query } from "./validate";

export interface LogEntry {
  action: string;
  method: string;
  path: string;
  /** HTTP status; 0 when the connection was dropped without a response */
  status: number;
  requestId: string;
}

export interface ServerDeps {
  routes: Route[];
  region: string;
  faults: Faults;
  credentials?: Map<string, string>; // accessKeyId -> secret; undefined = accept any key
  log: LogEntry[];
}

const MAX_BODY_BYTES = 1024 * 1024; // hard cap on what we buffer
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000; // InvalidTimeStamp.Expired window (gateway table, see errors.ts)
const NONCE_TTL_MS = 31 * 60 * 1000; // gateway refuses a nonce reused within ~31 minutes

// ROA headers the SDK always sends (docs/sources.md#pai-0); a missing one is refused with a
// gateway-style Missing{Name} code (modelled, see errors.ts).
const REQUIRED_HEADERS: [string, string][] = [
  ["host", "MissingHost"],
  ["x-acs-action", "MissingXAcsAction"],
  ["x-acs-version", "MissingXAcsVersion"],
  ["x-acs-date", "MissingXAcsDate"],
  ["x-acs-signature-nonce", "MissingXAcsSignatureNonce"],
  ["x-acs-content-sha256", "MissingXAcsContentSha256"],
  ["authorization", "MissingAuthorization"],
];

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on("end", () =>
      size > MAX_BODY_BYTES
        ? reject(
            inventedError(
              413,
              "RequestEntityTooLarge",
              "The request body is too large.",
              "body limit undocumented",
            ),
          )
        : resolve(Buffer.concat(chunks)),
    );
    req.on("error", reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

export class RequestHandler {
  private readonly nonces = new Map<string, number>();

  constructor(private readonly deps: ServerDeps) {}

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    void this.process(req, res);
  };

  private async process(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const method = req.method ?? "GET";
    const entry: LogEntry = {
      action: header(req, "x-acs-action") ?? "",
      method,
      path: rawPath,
      status: 0,
      requestId,
    };
    this.deps.log.push(entry);
    let host = header(req, "host") ?? "127.0.0.1";
    const send = (status: number, body: Record<string, unknown>): void => {
      entry.status = status;
      const text = JSON.stringify(body);
      res.writeHead(status, {
        "content-type": "application/json;charset=utf-8",
        "x-acs-request-id": requestId,
        "content-length": Buffer.byteLength(text),
      });
      res.end(text);
    };
    try {
      const raw = await readBody(req);
      const route = this.route(method, rawPath);
      entry.action = route.action;
      host = hostId(route.product, this.deps.region);
      const query = this.parseQuery(q < 0 ? "" : rawUrl.slice(q + 1));
      this.checkHeaders(req, route, raw, method, rawPath, query);

      const fault = this.deps.faults.take(route.action);
      if (fault?.kind === "drop-before-action") return void req.socket.destroy();
      if (fault?.kind === "throttle") throw this.throttleError();
      if (fault?.kind === "http500")
        throw new ApiError(
          500,
          "InternalError",
          "The request processing has failed due to some unknown error, exception or failure.",
        );
      if (fault?.kind === "http503")
        throw new ApiError(
          503,
          "ServiceUnavailable",
          "The request has failed due to a temporary failure of the server.",
        );

      let status = 200;
      let body: Record<string, unknown>;
      try {
        const reply = route.handle(this.context(route, req, raw, query, requestId));
        status = reply.status ?? 200;
        body = reply.body;
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        status = e.status;
        body = errorBody(e, requestId, host);
      }
      // drop-after-action: the server acted, the client never hears about it.
      if (fault?.kind === "drop-after-action") return void req.socket.destroy();
      // slow: act first, answer late (so a client that times out and retries finds the effect).
      if (fault?.kind === "slow") await slowDown(fault);
      send(status, body);
    } catch (e) {
      if (e instanceof ApiError) return send(e.status, errorBody(e, requestId, host));
      send(500, errorBody(new ApiError(500, "InternalError", `emulator bug: ${String(e)}`), requestId, host));
    }
  }

  private route(method: string, rawPath: string): Route {
    for (const r of this.deps.routes) {
      if (r.method === method && matchPath(r.pattern, rawPath)) return r;
    }
    // Gateway table: InvalidApi.NotFound, 404, "please check your url and method".
    throw new ApiError(
      404,
      "InvalidApi.NotFound",
      `Specified api is not found, please check your url and method: ${method} ${rawPath}`,
    );
  }

  private parseQuery(raw: string): Query {
    const parsed = parseQuery(raw);
    const out: Query = {};
    for (const [k, val] of Object.entries(parsed)) {
      // The SDK serializes a flat string map, so a repeated key never comes from it.
      if (Array.isArray(val)) throw invalidParameter(k, "query parameter is repeated");
      out[k] = val ?? "";
    }
    return out;
  }

  private checkHeaders(
    req: IncomingMessage,
    route: Route,
    raw: Buffer,
    method: string,
    rawPath: string,
    query: Query,
  ): void {
    for (const [name, code] of REQUIRED_HEADERS) {
      if (!header(req, name)) throw new ApiError(400, code, `The required header "${name}" is not supplied.`);
    }
    // x-acs-action / x-acs-version must denote the operation that method + path denote.
    // Codes are modelled on the gateway's InvalidVersion / InvalidAction family.
    const version = header(req, "x-acs-version");
    if (version !== VERSIONS[route.product])
      throw new ApiError(
        400,
        "InvalidVersion",
        `Specified parameter Version "${version}" is not valid for ${route.action} (expected ${VERSIONS[route.product]}).`,
      );
    const action = header(req, "x-acs-action");
    if (action !== route.action)
      throw new ApiError(
        400,
        "InvalidAction",
        `Specified action "${action}" does not match ${method} ${rawPath} (expected ${route.action}).`,
      );

    const date = header(req, "x-acs-date") ?? "";
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(date) || Number.isNaN(Date.parse(date))) {
      throw new ApiError(
        400,
        "InvalidTimeStamp.Format",
        `Specified time stamp or date value is not well formatted: "${date}".`,
      );
    }
    if (Math.abs(Date.now() - Date.parse(date)) > MAX_CLOCK_SKEW_MS)
      throw new ApiError(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");

    const auth = parseAuthorization(header(req, "authorization") ?? "");
    checkSignedHeaderCoverage(auth.signedHeaders, req.headers);
    // The payload hash must be that of the bytes actually received.
    const hashed = header(req, "x-acs-content-sha256") ?? "";
    if (hashed !== sha256Hex(raw)) {
      throw new ApiError(
        400,
        "SignatureDoesNotMatch",
        "x-acs-content-sha256 does not match the SHA-256 of the request body received.",
      );
    }
    if (this.deps.credentials) {
      const secret = this.deps.credentials.get(auth.accessKeyId);
      if (secret === undefined)
        throw new ApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
      const expected = expectedSignature(secret, {
        method,
        rawPath,
        query,
        headers: req.headers,
        signedHeaders: auth.signedHeaders,
        hashedPayload: hashed,
      });
      if (!signaturesEqual(expected, auth.signature))
        throw new ApiError(
          400,
          "SignatureDoesNotMatch",
          "Specified signature is not matched with our calculation.",
        );
    }
    this.useNonce(header(req, "x-acs-signature-nonce") ?? "");
  }

  private useNonce(nonce: string): void {
    const now = Date.now();
    for (const [n, at] of this.nonces) if (now - at > NONCE_TTL_MS) this.nonces.delete(n);
    if (this.nonces.has(nonce))
      throw new ApiError(400, "SignatureNonceUsed", "Specified signature nonce was used already.");
    this.nonces.set(nonce, now);
  }

  // docs/sources.md#pai-5 / docs/sources.md#pai-6 #9: the throttling status of these products is UNCONFIRMED. The
  // gateway table documents Throttling.User with 400; other Alibaba services use 429. We
  // alternate (odd injections: 400 Throttling.User, even: 429 Throttling.Api) so a client
  // that retries on only one of them fails its tests.
  private throttleError(): ApiError {
    const n = ++this.deps.faults.throttleCount;
    return n % 2 === 1
      ? new ApiError(400, "Throttling.User", "Request was denied due to user flow control.")
      : new ApiError(429, "Throttling.Api", "Request was denied due to api flow control.");
  }

  private context(route: Route, req: IncomingMessage, raw: Buffer, query: Query, requestId: string): Ctx {
    const params = matchPath(route.pattern, (req.url ?? "").split("?")[0] ?? "") ?? {};
    let body: unknown;
    if (route.jsonBody) {
      const type = (header(req, "content-type") ?? "").split(";")[0]?.trim().toLowerCase();
      if (type !== "application/json")
        throw new ApiError(
          400,
          "InvalidParameter",
          `The request body must be JSON with content-type application/json (got "${type ?? ""}").`,
        );
      if (raw.length === 0) throw new ApiError(400, "MissingParameter", "The request body is empty.");
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        throw new ApiError(400, "InvalidParameter", "The request body is not valid JSON.");
      }
    }
    return { params, query, body, bodyBytes: raw.length, requestId };
  }
}
