// PAI-EAS 2021-07-01 client: the service autoscaler and DescribeService (docs/sources.md#pai-2).
import { z } from "zod";
import { type OperationSpec, type PaiClientOptions, PaiCaller, encodePathParam } from "./call";

/** Service statuses from docs/sources.md#pai-2.2; the type stays open for new values. */
export type KnownServiceStatus =
  | "Creating"
  | "Deploying"
  | "Stopped"
  | "Failed"
  | "Updating"
  | "Stopping"
  | "Waiting"
  | "HotUpdate"
  | "Starting"
  | "DeleteFailed"
  | "Running"
  | "Scaling"
  | "Pending"
  | "Deleting";
/** A service status: known or any string a newer API returns. */
export type ServiceStatus = KnownServiceStatus | (string & {});

/** Documented metric names (docs/sources.md#pai-2.4: `qps`, `cpu`; Create also `gpu[util]`). Others are UNCONFIRMED (docs/sources.md#pai-6.6). */
export type AutoscalerMetric = "qps" | "cpu" | "gpu[util]";

/** One scaling rule. */
export interface ScaleStrategy {
  metricName: AutoscalerMetric | (string & {});
  threshold: number;
  /** Defaults to this service on the API side. */
  service?: string;
}

/** Create/UpdateServiceAutoScaler input (docs/sources.md#pai-2.4; camelCase wire keys). */
export interface AutoscalerConfig {
  /** > 0. */
  min: number;
  /** > min. */
  max: number;
  scaleStrategies: ScaleStrategy[];
  /** API default 0. */
  scaleUpStabilizationSeconds?: number;
  /** API default 300. */
  scaleDownStabilizationSeconds?: number;
}

/** What DescribeServiceAutoScaler returns, in JS names. */
export interface AutoscalerState {
  serviceName?: string;
  min?: number;
  max?: number;
  scaleStrategies: ScaleStrategy[];
  scaleUpStabilizationSeconds?: number;
  scaleDownStabilizationSeconds?: number;
}

/**
 * The DescribeService fields we use (docs/sources.md#pai-2.3). AccessToken is deliberately not parsed or surfaced: it
 * would end up in provider outputs and state.
 */
export interface Service {
  serviceName: string;
  serviceId?: string;
  status: ServiceStatus;
  reason?: string;
  message?: string;
  region?: string;
  /** Public endpoint (docs/sources.md#pai-2.3 InternetEndpoint); empty or absent while the service has none. */
  internetEndpoint?: string;
  /** VPC endpoint (docs/sources.md#pai-2.3 IntranetEndpoint). */
  intranetEndpoint?: string;
}

const numberish = z.union([z.number(), z.string().transform(Number)]);
const messageResponse = z.looseObject({ RequestId: z.string().optional(), Message: z.string().optional() });
const strategySchema = z.looseObject({
  metricName: z.string(),
  threshold: numberish.optional(),
  service: z.string().optional(),
});
const windowSchema = z.looseObject({ stabilizationWindowSeconds: numberish.optional() }).nullish();
const autoscalerSchema = z.looseObject({
  ServiceName: z.string().optional(),
  MinReplica: numberish.optional(),
  MaxReplica: numberish.optional(),
  ScaleStrategies: z.array(strategySchema).nullish(),
  // A free-form map (docs/sources.md#pai-2.4): flat `{scaleUp, scaleDown}`, or, as the API reference's response example
  // shows it, nested one level deeper under a second `behavior` key. Both are read (behaviorWindows).
  Behavior: z
    .looseObject({
      scaleUp: windowSchema,
      scaleDown: windowSchema,
      behavior: z.looseObject({ scaleUp: windowSchema, scaleDown: windowSchema }).nullish(),
    })
    .nullish(),
  RequestId: z.string().optional(),
});
const serviceSchema = z.looseObject({
  ServiceName: z.string(),
  ServiceId: z.string().optional(),
  Status: z.string().optional().default("Unknown"),
  Reason: z.string().optional(),
  Message: z.string().optional(),
  Region: z.string().optional(),
  InternetEndpoint: z.string().nullish(),
  IntranetEndpoint: z.string().nullish(),
});

/** docs/sources.md#pai-2.1 operation table. */
export const EAS_OPERATIONS = {
  DescribeService: { action: "DescribeService", method: "GET", idempotent: true },
  CreateServiceAutoScaler: { action: "CreateServiceAutoScaler", method: "POST", idempotent: false },
  UpdateServiceAutoScaler: { action: "UpdateServiceAutoScaler", method: "PUT", idempotent: true },
  DescribeServiceAutoScaler: { action: "DescribeServiceAutoScaler", method: "GET", idempotent: true },
  DeleteServiceAutoScaler: { action: "DeleteServiceAutoScaler", method: "DELETE", idempotent: true },
} as const satisfies Record<string, OperationSpec>;

/** docs/sources.md#pai-2.4 body: camelCase keys, behavior only when a window is set. */
export function autoscalerBody(config: AutoscalerConfig): Record<string, unknown> {
  const behavior: Record<string, unknown> = {};
  if (config.scaleUpStabilizationSeconds !== undefined) {
    behavior.scaleUp = { stabilizationWindowSeconds: config.scaleUpStabilizationSeconds };
  }
  if (config.scaleDownStabilizationSeconds !== undefined) {
    behavior.scaleDown = { stabilizationWindowSeconds: config.scaleDownStabilizationSeconds };
  }
  return {
    min: config.min,
    max: config.max,
    scaleStrategies: config.scaleStrategies.map((s) => ({
      metricName: s.metricName,
      threshold: s.threshold,
      service: s.service,
    })),
    behavior: Object.keys(behavior).length > 0 ? behavior : undefined,
  };
}

/** Typed PAI-EAS client; the ClusterId path segment is the region id (docs/sources.md#pai-2). */
export class EasClient {
  readonly caller: PaiCaller;

  constructor(options: PaiClientOptions) {
    this.caller = new PaiCaller("eas", options);
  }

  private servicePath(serviceName: string): string {
    return `/api/v2/services/${encodePathParam(this.caller.region)}/${encodePathParam(serviceName)}`;
  }

  /** DescribeService. */
  async describeService(serviceName: string): Promise<Service> {
    const raw = await this.caller.call(
      EAS_OPERATIONS.DescribeService,
      { pathname: this.servicePath(serviceName), resource: `service=${serviceName}` },
      serviceSchema,
    );
    return {
      serviceName: raw.ServiceName,
      serviceId: raw.ServiceId,
      status: raw.Status,
      reason: raw.Reason,
      message: raw.Message,
      region: raw.Region,
      internetEndpoint: raw.InternetEndpoint || undefined,
      intranetEndpoint: raw.IntranetEndpoint || undefined,
    };
  }

  /** CreateServiceAutoScaler. Not retried on ambiguous failures: the provider describes first. */
  async createAutoscaler(serviceName: string, config: AutoscalerConfig): Promise<void> {
    await this.caller.call(
      EAS_OPERATIONS.CreateServiceAutoScaler,
      {
        pathname: `${this.servicePath(serviceName)}/autoscaler`,
        body: autoscalerBody(config),
        resource: `service=${serviceName}`,
      },
      messageResponse,
    );
  }

  /** UpdateServiceAutoScaler (full config). */
  async updateAutoscaler(serviceName: string, config: AutoscalerConfig): Promise<void> {
    await this.caller.call(
      EAS_OPERATIONS.UpdateServiceAutoScaler,
      {
        pathname: `${this.servicePath(serviceName)}/autoscaler`,
        body: autoscalerBody(config),
        resource: `service=${serviceName}`,
      },
      messageResponse,
    );
  }

  /** DescribeServiceAutoScaler; `undefined` when the service has no autoscaler (no strategies and no positive min). */
  async describeAutoscaler(serviceName: string): Promise<AutoscalerState | undefined> {
    const raw = await this.caller.call(
      EAS_OPERATIONS.DescribeServiceAutoScaler,
      { pathname: `${this.servicePath(serviceName)}/autoscaler`, resource: `service=${serviceName}` },
      autoscalerSchema,
    );
    const strategies = (raw.ScaleStrategies ?? []).map((s) => ({
      metricName: s.metricName,
      threshold: Number(s.threshold ?? 0),
      service: s.service,
    }));
    // What EAS answers for a service without an autoscaler is undocumented (the emulator's 404 is our
    // invention): an answer with no strategies and no positive minimum is read as "none" too.
    const min = raw.MinReplica === undefined ? undefined : Number(raw.MinReplica);
    if (strategies.length === 0 && !(min !== undefined && min > 0)) return undefined;
    const up =
      raw.Behavior?.scaleUp?.stabilizationWindowSeconds ??
      raw.Behavior?.behavior?.scaleUp?.stabilizationWindowSeconds;
    const down =
      raw.Behavior?.scaleDown?.stabilizationWindowSeconds ??
      raw.Behavior?.behavior?.scaleDown?.stabilizationWindowSeconds;
    return {
      serviceName: raw.ServiceName,
      min,
      max: raw.MaxReplica === undefined ? undefined : Number(raw.MaxReplica),
      scaleStrategies: strategies,
      scaleUpStabilizationSeconds: up === undefined ? undefined : Number(up),
      scaleDownStabilizationSeconds: down === undefined ? undefined : Number(down),
    };
  }

  /** DeleteServiceAutoScaler. */
  async deleteAutoscaler(serviceName: string): Promise<void> {
    await this.caller.call(
      EAS_OPERATIONS.DeleteServiceAutoScaler,
      { pathname: `${this.servicePath(serviceName)}/autoscaler`, resource: `service=${serviceName}` },
      messageResponse,
    );
  }
}
