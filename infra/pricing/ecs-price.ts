// A small typed client for Alibaba Cloud's official price inquiry: ECS `DescribePrice`.
//
// What was confirmed, and where (read 2026-11-28 via the project's search tools):
//   - Action `DescribePrice`, product ECS, version `2014-05-26`, RPC style, HTTP POST:
//     aliyun/aliyun-openapi-cpp-sdk / -php-sdk / -java-sdk `DescribePriceRequest` constructors
//     (`RpcServiceRequest("ecs", "2014-05-26", "DescribePrice")` + `setMethod(POST)`), and the
//     OpenAPI Explorer link `api.aliyun.com/#product=Ecs&api=DescribePrice&type=RPC&version=2014-05-26`
//     in the official API doc (help.aliyun.com/document_detail/107829.html,
//     help.aliyun.com/en/ecs/developer-reference/api-ecs-2014-05-26-describeprice).
//   - Parameters go in the query string: alibabacloud-java-sdk ecs20140526 `DescribePriceRequest.Builder`
//     uses `putQueryParameter` for every field, and the generated TS clients call RPC operations as
//     `callApi(Params{style: "RPC", method: "POST", pathname: "/", reqBodyType: "formData", bodyType: "json"},
//     OpenApiRequest{query: OpenApiUtil.query(query)})` (aliyun/alibabacloud-typescript-sdk, seen on the
//     `describePriceWithOptions` of other products, e.g. Market 2015-11-01). The body of the ECS
//     2014-05-26 `describePriceWithOptions` itself was not read (client.ts is too large to page here).
//   - Request parameters: `RegionId` (the only required one), `ResourceType=instance` (then `InstanceType`
//     is required), `PriceUnit` Hour|Week|Month|Year (Hour = pay-as-you-go, the default), `Period` (1 for
//     Hour), `Amount` 1..1000 (default 1); ChargeType defaults to PostPaid (official doc, "接口说明").
//   - Response `PriceInfo.Price.{Currency, OriginalPrice, DiscountPrice, TradePrice, DetailInfos.DetailInfo[]
//     {Resource, OriginalPrice, DiscountPrice, TradePrice}}`, `RequestId`
//     (alibabacloud-typescript-sdk ecs-20140526/src/models/DescribePriceResponseBody.ts; official doc example).
//     Currency: CNY on the China site, USD on the international site (same model file).
//   - Errors include `InvalidInstanceType.ValueNotSupported`, `PriceNotFound`, `InstanceType.Offline`,
//     `Throttling` (official doc error table). Rate limit 500 requests / 60 s (api.aliyun.com doc page).
//
// UNCONFIRMED (kept explicit, not guessed silently):
//   - The exact `Resource` names in `DetailInfos` for an instance quote. The official doc's example value
//     is `instance`; we take the DetailInfo whose Resource is `instance` (case-insensitive) when present,
//     and otherwise fall back to the whole quote's OriginalPrice, which also covers the default system
//     disk (and the image, free for public Linux images) — the result says which one was used.
//   - An older copy of the doc (SkyeYXL/ecs mirror, "Beta") said the inquiry needed a support ticket,
//     else `InvalidAction`; the current doc does not say so. We surface `InvalidAction` with that hint.
//   - That OriginalPrice is exactly the published list price: the doc calls it "原价" (original price)
//     and TradePrice the price after discounts (which can be account-specific). We record OriginalPrice.
//
// Transport, retries and errors reuse the PAI helpers (infra/pai): the same credential source, the same
// backoff, the same readable one-line errors.
import OpenApi, * as $OpenApi from "@alicloud/openapi-client";
import { z } from "zod";
import { type PaiClientOptions } from "../pai/call";
import { defaultCredentialSource } from "../pai/credentials";
import { parseEndpoint, type ResolvedEndpoint } from "../pai/endpoints";
import { PaiApiError, isRetryable, toPaiApiError } from "../pai/errors";
import { envNumber } from "../pai/env-settings";
import { isRegionId } from "../pai/region";
import { type ResolvedRetryOptions, backoffDelay, resolveRetryOptions, sleep } from "../pai/retry";

export const ECS_API_VERSION = "2014-05-26";
export const DESCRIBE_PRICE_ACTION = "DescribePrice";
/** Environment variable that overrides the ECS endpoint (full URL like `http://127.0.0.1:1234`, or a host). */
export const ECS_ENDPOINT_ENV = "ECS_ENDPOINT";

export { isRegionId };

/** Where ECS requests go: `override`, then env ECS_ENDPOINT, then `ecs.<region>.aliyuncs.com` over https. */
export function resolveEcsEndpoint(
  region: string,
  override?: string,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedEndpoint {
  const explicit = override?.trim() || env[ECS_ENDPOINT_ENV]?.trim();
  if (explicit) return parseEndpoint(explicit);
  if (!isRegionId(region)) {
    throw new Error(`invalid Alibaba Cloud region "${region}" (expected e.g. cn-hangzhou)`);
  }
  return { protocol: "https", host: `ecs.${region}.aliyuncs.com` };
}

const money = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

const DetailInfoSchema = z.looseObject({
  Resource: z.string().optional(),
  OriginalPrice: money.optional(),
  DiscountPrice: money.optional(),
  TradePrice: money.optional(),
});

/** The part of the DescribePrice response we use (other fields are ignored). */
export const DescribePriceResponseSchema = z.looseObject({
  RequestId: z.string().optional(),
  PriceInfo: z.looseObject({
    Price: z.looseObject({
      Currency: z.string().min(1),
      OriginalPrice: money,
      DiscountPrice: money.optional(),
      TradePrice: money.optional(),
      DetailInfos: z.looseObject({ DetailInfo: z.array(DetailInfoSchema).optional() }).optional(),
    }),
  }),
});
export type DescribePriceResponse = z.infer<typeof DescribePriceResponseSchema>;

/** One instance type's hourly pay-as-you-go quote. */
export interface InstanceHourlyPrice {
  instanceType: string;
  region: string;
  /** The list price per hour (OriginalPrice) of the part named by `component`. */
  amount: number;
  /** Price after discounts (TradePrice) of the same part, when returned; may be account-specific. */
  tradePrice?: number;
  /** As returned (CNY on the China site, USD on the international site). */
  currency: string;
  /** `instance`: the DetailInfo line for the instance itself; `total`: the whole quote (see file header). */
  component: "instance" | "total";
  requestId?: string;
}

/**
 * Options of the ECS price client: the same as the PAI clients' (credentials, retry, timeouts), with
 * the endpoint override read from env ECS_ENDPOINT, then `ecs.<region>.aliyuncs.com`.
 */
export type EcsPriceClientOptions = PaiClientOptions;

type RuntimeOptions = Parameters<OpenApi["callApi"]>[2];

/** Typed client for ECS DescribePrice; opens the HTTP client lazily. */
export class EcsPriceClient {
  readonly region: string;
  private readonly options: EcsPriceClientOptions;
  private readonly retry: ResolvedRetryOptions;
  private client?: OpenApi;

  /** Throws at once on a bad region or endpoint override (not at the first call, where it would be retried). */
  constructor(options: EcsPriceClientOptions) {
    this.region = options.region;
    this.options = options;
    this.retry = resolveRetryOptions(options.retry);
    resolveEcsEndpoint(options.region, options.endpoint);
  }

  /** The hourly pay-as-you-go list price of one instance type (Amount=1, Linux image, default disks). */
  async instanceHourlyPrice(instanceType: string): Promise<InstanceHourlyPrice> {
    const body = await this.call(
      {
        RegionId: this.region,
        ResourceType: "instance",
        InstanceType: instanceType,
        PriceUnit: "Hour",
        Period: "1",
        Amount: "1",
      },
      `instanceType=${instanceType}`,
    );
    const price = body.PriceInfo.Price;
    const line = price.DetailInfos?.DetailInfo?.find(
      (d) => d.Resource?.toLowerCase() === "instance" && d.OriginalPrice !== undefined,
    );
    const result: InstanceHourlyPrice = line
      ? {
          instanceType,
          region: this.region,
          amount: line.OriginalPrice!,
          tradePrice: line.TradePrice,
          currency: price.Currency,
          component: "instance",
          requestId: body.RequestId,
        }
      : {
          instanceType,
          region: this.region,
          amount: price.OriginalPrice,
          tradePrice: price.TradePrice,
          currency: price.Currency,
          component: "total",
          requestId: body.RequestId,
        };
    if (!Number.isFinite(result.amount) || result.amount < 0) {
      throw new PaiApiError({
        operation: `ECS ${DESCRIBE_PRICE_ACTION}`,
        resource: `instanceType=${instanceType}`,
        code: "UnexpectedResponse",
        apiMessage: `OriginalPrice is not a non-negative number: ${String(result.amount)}`,
        requestId: body.RequestId,
      });
    }
    return result;
  }

  /** Sends DescribePrice with retries (read-only, so every retryable failure is retried). */
  private async call(query: Record<string, string>, resource: string): Promise<DescribePriceResponse> {
    const operation = `ECS ${DESCRIBE_PRICE_ACTION}`;
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const body = await this.send(query);
        const parsed = DescribePriceResponseSchema.safeParse(body);
        if (parsed.success) return parsed.data;
        const issue = parsed.error.issues[0];
        throw new PaiApiError({
          operation,
          resource,
          code: "UnexpectedResponse",
          apiMessage: `response did not match the expected shape at ${issue?.path.join(".") || "<root>"}: ${issue?.message ?? "invalid"}`,
          requestId: requestIdOf(body),
        });
      } catch (raw) {
        const err = withHint(toPaiApiError(raw, operation, resource));
        if (!isRetryable(err) || attempt >= this.retry.maxAttempts) throw err.withAttempts(attempt);
        const delayMs = backoffDelay(attempt, this.retry);
        if (Date.now() - started + delayMs > this.retry.deadlineMs) throw err.withAttempts(attempt);
        this.retry.onRetry?.({ operation, attempt, delayMs, error: err });
        await sleep(delayMs);
      }
    }
  }

  private async send(query: Record<string, string>): Promise<unknown> {
    const params = new $OpenApi.Params({
      action: DESCRIBE_PRICE_ACTION,
      version: ECS_API_VERSION,
      protocol: "HTTPS", // the config's protocol wins (http only for a local test server)
      pathname: "/",
      method: "POST",
      authType: "AK",
      style: "RPC",
      reqBodyType: "formData",
      bodyType: "json",
    });
    const request = new $OpenApi.OpenApiRequest({ query });
    // Our own loop retries; the client's autoretry stays off.
    const runtime = { autoretry: false } as unknown as RuntimeOptions;
    const response = (await this.getClient().callApi(params, request, runtime)) as { body?: unknown };
    return response.body ?? {};
  }

  private getClient(): OpenApi {
    if (this.client) return this.client;
    const endpoint = resolveEcsEndpoint(this.region, this.options.endpoint);
    const config = new $OpenApi.Config({
      credential: this.options.credentials ?? defaultCredentialSource(),
      endpoint: endpoint.host,
      protocol: endpoint.protocol,
      regionId: this.region,
      readTimeout: this.options.readTimeoutMs ?? envNumber("PAI_READ_TIMEOUT_MS", 30_000, { min: 1 }),
      connectTimeout: this.options.connectTimeoutMs ?? 10_000,
    });
    this.client = new OpenApi(config);
    return this.client;
  }
}

function requestIdOf(body: unknown): string | undefined {
  return typeof body === "object" && body !== null && "RequestId" in body
    ? String(body.RequestId)
    : undefined;
}

/** Adds what we know about a few DescribePrice codes to the message. */
function withHint(err: PaiApiError): PaiApiError {
  const hint =
    err.code === "InvalidAction"
      ? " (an older ECS doc said price inquiry must be enabled by a support ticket)"
      : err.code === "PriceNotFound" || err.code === "InvalidInstanceType.ValueNotSupported"
        ? " (the instance type may not be sold in this region; try --region)"
        : "";
  if (!hint) return err;
  return new PaiApiError({ ...err, apiMessage: err.apiMessage + hint }, { cause: err.cause });
}
