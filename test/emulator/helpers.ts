// Test helpers: drive the emulator through the real @alicloud/openapi-client (ROA, v3 signature).
import OpenApi, * as $OpenApi from "@alicloud/openapi-client";
import * as $Util from "@alicloud/tea-util";
import { createHash } from "node:crypto";
import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { type PaiEmulator } from "./index";

export const VERSION = { dlc: "2020-12-03", paistudio: "2022-01-12", eas: "2021-07-01" } as const;

export function client(emu: PaiEmulator, accessKeyId = "any-key", accessKeySecret = "any-secret"): OpenApi {
  return new OpenApi(
    new $OpenApi.Config({
      accessKeyId,
      accessKeySecret,
      endpoint: `127.0.0.1:${emu.port}`,
      protocol: "http",
    }),
  );
}

export interface CallOpts {
  body?: unknown;
  query?: Record<string, string>;
  readTimeout?: number;
}

export async function call(
  c: OpenApi,
  product: keyof typeof VERSION,
  action: string,
  method: string,
  pathname: string,
  opts: CallOpts = {},
): Promise<Record<string, unknown>> {
  const params = new $OpenApi.Params({
    action,
    version: VERSION[product],
    protocol: "HTTPS",
    pathname,
    method,
    authType: "AK",
    style: "ROA",
    reqBodyType: "json",
    bodyType: "json",
  });
  const req = new $OpenApi.OpenApiRequest({
    ...(opts.body === undefined ? {} : { body: opts.body }),
    ...(opts.query ? { query: opts.query } : {}),
  });
  const runtime = new $Util.RuntimeOptions({
    ...(opts.readTimeout ? { readTimeout: opts.readTimeout } : {}),
  });
  const res = (await c.callApi(params, req, runtime)) as { body: Record<string, unknown> };
  return res.body;
}

/** The fields of a tea ResponseError that tests look at. */
export interface CallError {
  code: string;
  statusCode: number;
  data: Record<string, unknown>;
  message: string;
}

export async function callError(p: Promise<unknown>): Promise<CallError> {
  try {
    await p;
  } catch (e) {
    return e as CallError;
  }
  throw new Error("expected the call to fail");
}

/** Polls until `check` returns true (bounded by attempts, not by wall-clock assertions). */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  attempts = 200,
  stepMs = 10,
): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await sleep(stepMs);
  }
  throw new Error("condition not reached");
}

export function validJob(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    DisplayName: "sft-qwen_1.5",
    JobType: "PyTorchJob",
    UserCommand: "python train.py",
    WorkspaceId: "12345",
    JobSpecs: [{ Type: "Worker", Image: "registry/img:1", PodCount: 1, EcsSpec: "ecs.gn7i-c8g1.2xlarge" }],
    ...overrides,
  };
}

export interface RawResponse {
  status: number;
  body: Record<string, unknown>;
}

export interface RawOpts {
  method: string;
  path: string;
  action: string;
  version: string;
  body?: string;
  /** header overrides; undefined removes the header */
  headers?: Record<string, string | undefined>;
}

let nonceCounter = 0;

/**
 * A hand-built ROA request with well-formed headers (valid content hash, date, nonce and an
 * Authorization of the right shape), for malformed-request tests against an emulator
 * started without credentials.
 */
export function raw(emu: PaiEmulator, o: RawOpts): Promise<RawResponse> {
  const body = o.body ?? "";
  const headers: Record<string, string | undefined> = {
    host: `127.0.0.1:${emu.port}`,
    "x-acs-action": o.action,
    "x-acs-version": o.version,
    "x-acs-date": new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    "x-acs-signature-nonce": `nonce-${process.pid}-${Date.now()}-${++nonceCounter}`,
    "x-acs-content-sha256": createHash("sha256").update(body).digest("hex"),
    ...(body ? { "content-type": "application/json; charset=utf-8" } : {}),
  };
  Object.assign(headers, o.headers);
  const signed = Object.keys(headers)
    .filter(
      (h) => headers[h] !== undefined && (h === "host" || h === "content-type" || h.startsWith("x-acs-")),
    )
    .sort();
  if (!("authorization" in (o.headers ?? {}))) {
    headers.authorization = `ACS3-HMAC-SHA256 Credential=any,SignedHeaders=${signed.join(";")},Signature=${"0".repeat(64)}`;
  }
  const clean: Record<string, string> = {};
  for (const [k, val] of Object.entries(headers)) if (val !== undefined) clean[k] = val;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: emu.port, method: o.method, path: o.path, headers: clean },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
