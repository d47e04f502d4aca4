// One readable error type for every PAI call. The API's error body (docs/sources.md#pai-5) carries
// Code, Message and RequestId; openapi-client surfaces them as err.code / err.data (docs/sources.md#pai-0, docs/sources.md#pai-5).

/** Fields describing a failed PAI call. */
export interface PaiApiErrorFields {
  /** Product and action, e.g. `DLC GetJob`. */
  operation: string;
  /** What the call was about, e.g. `job=dlc-123`; empty when not resource-specific. */
  resource?: string;
  /** API error code (`NotFound`, `Throttling.User`, ...) or a transport code (`ECONNRESET`). */
  code: string;
  /** The API's (or transport's) message, without the code. */
  apiMessage: string;
  /** RequestId from the error body, or the x-acs-request-id header; undefined for transport errors. */
  requestId?: string;
  /** HTTP status; undefined when no response arrived. */
  statusCode?: number;
  /** True when no response arrived (drop, reset, timeout): the server may or may not have acted. */
  transport?: boolean;
  /** How many attempts were made before giving up (1 = no retry). */
  attempts?: number;
}

/** An error from a PAI API call; `.message` is one line: operation, resource, code, status, message, request id. */
export class PaiApiError extends Error implements PaiApiErrorFields {
  readonly operation: string;
  readonly resource?: string;
  readonly code: string;
  readonly apiMessage: string;
  readonly requestId?: string;
  readonly statusCode?: number;
  readonly transport: boolean;
  readonly attempts?: number;

  constructor(fields: PaiApiErrorFields, options?: { cause?: unknown }) {
    super(formatMessage(fields), options);
    this.name = "PaiApiError";
    this.operation = fields.operation;
    this.resource = fields.resource;
    this.code = fields.code;
    this.apiMessage = fields.apiMessage;
    this.requestId = fields.requestId;
    this.statusCode = fields.statusCode;
    this.transport = fields.transport ?? false;
    this.attempts = fields.attempts;
  }

  /** The same error, its message noting how many attempts were made. */
  withAttempts(attempts: number): PaiApiError {
    if (attempts <= 1) return this;
    return new PaiApiError({ ...this, apiMessage: this.apiMessage, attempts }, { cause: this.cause });
  }
}

function formatMessage(f: PaiApiErrorFields): string {
  const where = f.resource ? `${f.operation} ${f.resource}` : f.operation;
  const status = f.statusCode === undefined ? "" : ` (${f.statusCode})`;
  const request = f.requestId ? ` [request id ${f.requestId}]` : " [no request id: no response]";
  const attempts = f.attempts && f.attempts > 1 ? ` after ${f.attempts} attempts` : "";
  const message = oneLine(f.apiMessage);
  return `${where}: ${f.code}${status}: ${message}${request}${attempts}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

interface TeaLikeError {
  name?: string;
  code?: unknown;
  message?: string;
  statusCode?: unknown;
  data?: Record<string, unknown>;
}

/**
 * Converts whatever openapi-client threw into a PaiApiError. A tea ResponseError has
 * `data` = the error body + statusCode (docs/sources.md#pai-0); anything else is a transport failure.
 */
export function toPaiApiError(err: unknown, operation: string, resource?: string): PaiApiError {
  if (err instanceof PaiApiError) return err;
  const e = (typeof err === "object" && err !== null ? err : { message: String(err) }) as TeaLikeError;
  const data = e.data;
  if (data && typeof data === "object" && data.statusCode !== undefined) {
    const statusCode = Number(data.statusCode);
    const code = stringOr(data.Code ?? data.code ?? e.code, `HTTP${statusCode}`);
    const apiMessage = stringOr(data.Message ?? data.message, "no message");
    const requestId = stringOr(data.RequestId ?? data.requestId, "") || undefined;
    return new PaiApiError({ operation, resource, code, apiMessage, requestId, statusCode }, { cause: err });
  }
  const code = typeof e.code === "string" && e.code ? e.code : transportCode(e);
  return new PaiApiError(
    { operation, resource, code, apiMessage: e.message || String(err), transport: true },
    { cause: err },
  );
}

function transportCode(e: TeaLikeError): string {
  if (e.name === "SyntaxError") return "InvalidResponseBody";
  if (e.name && /timeout/i.test(e.name)) return "RequestTimeout";
  if (e.message && /timeout/i.test(e.message)) return "RequestTimeout";
  if (e.message && /socket hang up/i.test(e.message)) return "ECONNRESET";
  return e.name && e.name !== "Error" ? e.name : "NetworkError";
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" && value.length > 0
    ? value
    : typeof value === "number"
      ? String(value)
      : fallback;
}

/** True when the API says the thing does not exist: HTTP 404, or a code `NotFound` / ending in `.NotFound` (docs/sources.md#pai-5). */
export function isNotFound(err: unknown): boolean {
  if (!(err instanceof PaiApiError)) return false;
  if (err.code === "InvalidAccessKeyId.NotFound") return false; // a credential problem, not a missing resource
  return err.statusCode === 404 || err.code === "NotFound" || err.code.endsWith(".NotFound");
}

/** Throttling codes (docs/sources.md#pai-5): prefix `Throttling`, `Rejected.Throttling`, or HTTP 429. The request was not executed. */
export function isThrottling(err: PaiApiError): boolean {
  return (
    err.statusCode === 429 || err.code.startsWith("Throttling") || err.code.startsWith("Rejected.Throttling")
  );
}

/** Worth retrying: throttling, `ServiceUnavailable`, HTTP 5xx, or a transport failure (docs/sources.md#pai-5, mirrors [TF] NeedRetry). */
export function isRetryable(err: PaiApiError): boolean {
  if (err.transport) return true;
  if (isThrottling(err)) return true;
  if (err.code.startsWith("ServiceUnavailable")) return true;
  return err.statusCode !== undefined && err.statusCode >= 500;
}

/**
 * True when a non-idempotent call may have taken effect although it failed: transport failures
 * and 5xx. Throttling is an explicit refusal, so it is not ambiguous.
 */
export function isAmbiguous(err: PaiApiError): boolean {
  return isRetryable(err) && !isThrottling(err);
}
