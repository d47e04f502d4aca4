// Error model shared by all emulated products. docs/sources.md#pai-5: every error body is
// JSON {RequestId, HostId, Code, Message} with a 4xx/5xx status.
import { randomUUID } from "node:crypto";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Why the code (or its status) is the emulator's invention: no documentation or SDK gives it. */
    readonly invented?: string,
  ) {
    super(invented ? `${message} ${INVENTED_LABEL}` : message);
    this.name = "ApiError";
  }
}

/**
 * Appended to the message of every error whose code the emulator invented, so a test log (or a
 * person reading a client's error) never takes it for the cloud's answer. Clients decide on codes,
 * never on messages, so the label changes no behaviour.
 */
export const INVENTED_LABEL = "[emulator: invented error code, not documented by PAI]";

/** An error whose code or status no public source documents (the `why` says what it models). */
export const inventedError = (status: number, code: string, message: string, why: string): ApiError =>
  new ApiError(status, code, message, why);

/** Upper-case UUID, like the RequestIds the cloud returns. */
export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

export function errorBody(err: ApiError, requestId: string, hostId: string): Record<string, string> {
  return { RequestId: requestId, HostId: hostId, Code: err.code, Message: err.message };
}

// Codes and statuses: gateway-level ones follow Alibaba's "common client error codes of
// the OpenAPI gateway" table (developer.aliyun.com/ask/278265, mirrored by
// help.aliyun.com/document_detail/434846): InvalidApi.NotFound 404,
// InvalidAccessKeyId.NotFound 404 (some product pages say 400), SignatureDoesNotMatch 400
// (some product pages say 403), SignatureNonceUsed 400, InvalidTimeStamp.* 400,
// Throttling.User 400. Product-level codes are modelled unless cited at the call site.

export const missingParameter = (name: string): ApiError =>
  new ApiError(
    400,
    "MissingParameter",
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );

export const invalidParameter = (name: string, why: string): ApiError =>
  new ApiError(400, "InvalidParameter", `The specified value of parameter "${name}" is not valid: ${why}`);
