// The single place that talks to @alicloud/openapi-client: ROA params exactly as the generated
// SDKs build them (docs/sources.md#pai-0), retries (docs/sources.md#pai-5), readable errors, zod-parsed responses.
import OpenApi, * as $OpenApi from "@alicloud/openapi-client";
import { type z } from "zod";
import { type CredentialSource, defaultCredentialSource } from "./credentials";
import { type PaiProduct, resolveEndpoint } from "./endpoints";
import { envNumber } from "./env-settings";
import { PaiApiError, isRetryable, isThrottling, toPaiApiError } from "./errors";
import {
  type RetryOptions,
  type ResolvedRetryOptions,
  backoffDelay,
  resolveRetryOptions,
  sleep,
} from "./retry";

/** API versions per product (docs/sources.md#pai-0). */
export const API_VERSION: Readonly<Record<PaiProduct, string>> = {
  dlc: "2020-12-03",
  eas: "2021-07-01",
  studio: "2022-01-12",
};

/** Product names used in error messages. */
export const PRODUCT_LABEL: Readonly<Record<PaiProduct, string>> = {
  dlc: "DLC",
  eas: "EAS",
  studio: "PAIStudio",
};

/** Options shared by every PAI client. */
export interface PaiClientOptions {
  /** Region id, e.g. `cn-hangzhou`; picks the endpoint and (EAS) the ClusterId path segment. Required. */
  region: string;
  /** Endpoint override (host or full URL) for this client's product. Default: env var, then the regional host. */
  endpoint?: string;
  /** Credential source. Default: the Alibaba Cloud default chain, resolved at call time. */
  credentials?: CredentialSource;
  /** Retry policy. Default: see RetryOptions. */
  retry?: RetryOptions;
  /** Socket read timeout per attempt in ms. Default 30000, or env PAI_READ_TIMEOUT_MS. */
  readTimeoutMs?: number;
  /** Connect timeout per attempt in ms. Default 10000. */
  connectTimeoutMs?: number;
}

/** One operation's fixed facts, from the public sources listed in docs/sources.md#pai. */
export interface OperationSpec {
  action: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  /**
   * False for creates: a transport failure or 5xx may have created the thing, so the wrapper does
   * not re-send; the caller's idempotency guard looks first. Throttling (an explicit refusal) is retried.
   */
  idempotent: boolean;
}

/** A call's variable parts. */
export interface CallInput {
  /** Already percent-encoded path. */
  pathname: string;
  /** Query string values (already stringified; undefined entries are dropped). */
  query?: Record<string, string | undefined>;
  /** JSON body (object, or a pre-serialized string). */
  body?: unknown;
  /** Resource label for error messages, e.g. `job=dlc-1`. */
  resource?: string;
}

type RuntimeOptions = Parameters<OpenApi["callApi"]>[2];

/** Typed caller for one product; opens the HTTP client lazily. */
export class PaiCaller {
  readonly product: PaiProduct;
  readonly region: string;
  private readonly options: PaiClientOptions;
  private readonly retry: ResolvedRetryOptions;
  private client?: OpenApi;

  constructor(product: PaiProduct, options: PaiClientOptions) {
    this.product = product;
    this.region = options.region;
    this.options = options;
    this.retry = resolveRetryOptions(options.retry);
  }

  /** "DLC CreateJob" etc. */
  operationName(spec: OperationSpec): string {
    return `${PRODUCT_LABEL[this.product]} ${spec.action}`;
  }

  /** Calls the API with retries and parses the body with `schema`. */
  async call<S extends z.ZodType>(spec: OperationSpec, input: CallInput, schema: S): Promise<z.infer<S>> {
    const operation = this.operationName(spec);
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const body = await this.send(spec, input);
        return this.parse(schema, body, operation, input.resource);
      } catch (raw) {
        const err = toPaiApiError(raw, operation, input.resource);
        const mayRetry = isRetryable(err) && (spec.idempotent || isThrottling(err));
        if (!mayRetry || attempt >= this.retry.maxAttempts) throw err.withAttempts(attempt);
        const delayMs = backoffDelay(attempt, this.retry);
        if (Date.now() - started + delayMs > this.retry.deadlineMs) throw err.withAttempts(attempt);
        this.retry.onRetry?.({ operation, attempt, delayMs, error: err });
        await sleep(delayMs);
      }
    }
  }

  private async send(spec: OperationSpec, input: CallInput): Promise<unknown> {
    const client = this.getClient();
    const params = new $OpenApi.Params({
      action: spec.action,
      version: API_VERSION[this.product],
      protocol: "HTTPS", // the config's protocol wins (http for the emulator), as in the SDKs
      pathname: input.pathname,
      method: spec.method,
      authType: "AK",
      style: "ROA",
      reqBodyType: "json",
      bodyType: "json",
    });
    const query = Object.fromEntries(
      Object.entries(input.query ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    const request = new $OpenApi.OpenApiRequest({
      query: Object.keys(query).length > 0 ? query : undefined,
      body: input.body,
    });
    // Our own loop retries; the client's autoretry stays off.
    const runtime = { autoretry: false } as unknown as RuntimeOptions;
    const response = (await client.callApi(params, request, runtime)) as {
      body?: unknown;
      headers?: Record<string, string>;
    };
    return response.body ?? {};
  }

  private parse<S extends z.ZodType>(
    schema: S,
    body: unknown,
    operation: string,
    resource?: string,
  ): z.infer<S> {
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    const requestId =
      typeof body === "object" && body !== null && "RequestId" in body ? String(body.RequestId) : undefined;
    const issue = result.error.issues[0];
    throw new PaiApiError({
      operation,
      resource,
      code: "UnexpectedResponse",
      apiMessage: `response did not match the expected shape at ${issue?.path.join(".") || "<root>"}: ${issue?.message ?? "invalid"}`,
      requestId,
    });
  }

  private getClient(): OpenApi {
    if (this.client) return this.client;
    const endpoint = resolveEndpoint(this.product, this.region, this.options.endpoint);
    const readTimeout = this.options.readTimeoutMs ?? envNumber("PAI_READ_TIMEOUT_MS", 30_000, { min: 1 });
    const config = new $OpenApi.Config({
      // The credential object is only asked for keys when a request is signed (docs/sources.md#pai-0, [OC] doRequest).
      credential: this.options.credentials ?? defaultCredentialSource(),
      endpoint: endpoint.host,
      protocol: endpoint.protocol,
      regionId: this.region,
      readTimeout,
      connectTimeout: this.options.connectTimeoutMs ?? 10_000,
    });
    this.client = new OpenApi(config);
    return this.client;
  }
}

/** Percent-encodes one path segment (the SDKs use OpenApiUtil.getEncodeParam, docs/sources.md#pai-0). */
export function encodePathParam(value: string): string {
  return encodeURIComponent(value);
}

/** Turns scalars into query strings (booleans → "true"/"false", docs/sources.md#pai-0); undefined stays undefined. */
export function queryValue(value: string | number | boolean | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}
