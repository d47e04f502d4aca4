// PAIStudio 2022-01-12 resource quotas (Lingjun/ECS/ACS): CreateQuota, GetQuota, UpdateQuota,
// ScaleQuota, DeleteQuota, ListQuotas (docs/sources.md#pai-3).
import { z } from "zod";
import { type OperationSpec, type PaiClientOptions, PaiCaller, encodePathParam, queryValue } from "./call";

/** Quota statuses seen in sources (docs/sources.md#pai-3.3, UNCONFIRMED docs/sources.md#pai-6.1); the type stays open. */
export type KnownQuotaStatus =
  "Creating" | "Ready" | "Enabled" | "Initializing" | "Updating" | "Scaling" | "Deleting";
/** A quota status: known or any string a newer API returns. */
export type QuotaStatus = KnownQuotaStatus | (string & {});

/** `{Type, Count}` node spec entry of Min (docs/sources.md#pai-3.2; key `Type` per schema, UNCONFIRMED vs `NodeSpec`, docs/sources.md#pai-6.2). */
export interface NodeSpec {
  /** Node spec, e.g. `ml.gu7xf.8xlarge-gu108`. */
  type: string;
  count: number;
}

/** A `{Key, Value}` label. */
export interface QuotaLabel {
  key: string;
  value: string;
}

/** CreateQuota input (docs/sources.md#pai-3.2). Min is node specs only: ECS/Lingjun quotas may only use NodeSpecs. */
export interface CreateQuotaRequest {
  quotaName: string;
  /** `Lingjun`, `ECS` or `ACS`; API default `ECS`. */
  resourceType: string;
  nodeSpecs: NodeSpec[];
  parentQuotaId?: string;
  resourceGroupIds?: string[];
  queueStrategy?: string;
  description?: string;
  labels?: QuotaLabel[];
}

/** UpdateQuota input (docs/sources.md#pai-3.1): Labels is a full replace. */
export interface UpdateQuotaRequest {
  quotaName?: string;
  description?: string;
  labels?: QuotaLabel[];
  queueStrategy?: string;
}

/** ScaleQuota input (docs/sources.md#pai-3.1): the target absolute Min. */
export interface ScaleQuotaRequest {
  nodeSpecs: NodeSpec[];
  resourceGroupIds?: string[];
}

/** ListQuotas filters (docs/sources.md#pai-3.4). */
export interface ListQuotasRequest {
  quotaName?: string;
  resourceType?: string;
  /** Comma-separated exact statuses. */
  statuses?: string;
  parentQuotaId?: string;
  pageNumber?: number;
  pageSize?: number;
}

const numberish = z.union([z.number(), z.string().transform(Number)]);
const nodeSpecSchema = z.looseObject({ Type: z.string().optional(), Count: numberish.optional() });
const quotaSchema = z.looseObject({
  QuotaId: z.string(),
  QuotaName: z.string().optional(),
  ResourceType: z.string().optional(),
  ParentQuotaId: z.string().optional(),
  Status: z.string().optional().default("Unknown"),
  ReasonCode: z.string().optional(),
  ReasonMessage: z.string().optional(),
  Description: z.string().optional(),
  QueueStrategy: z.string().optional(),
  ResourceGroupIds: z.array(z.string()).nullish(),
  Min: z.looseObject({ NodeSpecs: z.array(nodeSpecSchema).nullish() }).nullish(),
  Labels: z.array(z.looseObject({ Key: z.string(), Value: z.string().optional() })).nullish(),
  GmtCreatedTime: z.string().optional(),
  RequestId: z.string().optional(),
});
const quotaIdResponse = z.looseObject({ QuotaId: z.string().optional(), RequestId: z.string().optional() });
const createQuotaResponse = z.looseObject({ QuotaId: z.string(), RequestId: z.string().optional() });
const listQuotasResponse = z.looseObject({
  Quotas: z
    .array(quotaSchema)
    .nullish()
    .transform((q) => q ?? []),
  TotalCount: numberish.optional(),
  RequestId: z.string().optional(),
});

/** A quota as our code sees it. */
export interface Quota {
  quotaId: string;
  quotaName?: string;
  resourceType?: string;
  parentQuotaId?: string;
  status: QuotaStatus;
  reasonCode?: string;
  reasonMessage?: string;
  description?: string;
  queueStrategy?: string;
  resourceGroupIds: string[];
  nodeSpecs: NodeSpec[];
  labels: QuotaLabel[];
  gmtCreatedTime?: string;
}

function toQuota(raw: z.infer<typeof quotaSchema>): Quota {
  return {
    quotaId: raw.QuotaId,
    quotaName: raw.QuotaName,
    resourceType: raw.ResourceType,
    parentQuotaId: raw.ParentQuotaId || undefined,
    status: raw.Status,
    reasonCode: raw.ReasonCode || undefined,
    reasonMessage: raw.ReasonMessage || undefined,
    description: raw.Description,
    queueStrategy: raw.QueueStrategy,
    resourceGroupIds: raw.ResourceGroupIds ?? [],
    nodeSpecs: (raw.Min?.NodeSpecs ?? []).map((n) => ({ type: n.Type ?? "", count: Number(n.Count ?? 0) })),
    labels: (raw.Labels ?? []).map((l) => ({ key: l.Key, value: l.Value ?? "" })),
    gmtCreatedTime: raw.GmtCreatedTime,
  };
}

/** docs/sources.md#pai-3.1 operation table. */
export const QUOTA_OPERATIONS = {
  CreateQuota: { action: "CreateQuota", method: "POST", idempotent: false },
  GetQuota: { action: "GetQuota", method: "GET", idempotent: true },
  UpdateQuota: { action: "UpdateQuota", method: "PUT", idempotent: true },
  ScaleQuota: { action: "ScaleQuota", method: "PUT", idempotent: true },
  DeleteQuota: { action: "DeleteQuota", method: "DELETE", idempotent: true },
  ListQuotas: { action: "ListQuotas", method: "GET", idempotent: true },
} as const satisfies Record<string, OperationSpec>;

const minToWire = (specs: NodeSpec[]) => ({
  NodeSpecs: specs.map((s) => ({ Type: s.type, Count: s.count })),
});
const labelsToWire = (labels?: QuotaLabel[]) => labels?.map((l) => ({ Key: l.key, Value: l.value }));
const quotaPath = (quotaId: string) => `/api/v1/quotas/${encodePathParam(quotaId)}`;

/** Typed PAIStudio quota client. */
export class QuotaClient {
  readonly caller: PaiCaller;

  constructor(options: PaiClientOptions) {
    this.caller = new PaiCaller("studio", options);
  }

  /** CreateQuota. Not retried on ambiguous failures: the provider looks up by QuotaName first. */
  async createQuota(req: CreateQuotaRequest): Promise<{ quotaId: string }> {
    const body = {
      QuotaName: req.quotaName,
      ResourceType: req.resourceType,
      ParentQuotaId: req.parentQuotaId,
      ResourceGroupIds: req.resourceGroupIds,
      AllocateStrategy: "ByNodeSpecs", // the only documented strategy (docs/sources.md#pai-3.2)
      Min: minToWire(req.nodeSpecs),
      QueueStrategy: req.queueStrategy,
      Description: req.description,
      Labels: labelsToWire(req.labels),
    };
    const res = await this.caller.call(
      QUOTA_OPERATIONS.CreateQuota,
      { pathname: "/api/v1/quotas", body, resource: `quotaName=${req.quotaName}` },
      createQuotaResponse,
    );
    return { quotaId: res.QuotaId };
  }

  /** GetQuota. */
  async getQuota(quotaId: string): Promise<Quota> {
    const raw = await this.caller.call(
      QUOTA_OPERATIONS.GetQuota,
      { pathname: quotaPath(quotaId), resource: `quota=${quotaId}` },
      quotaSchema,
    );
    return toQuota(raw);
  }

  /** UpdateQuota (PUT; name, description, labels, queue strategy). */
  async updateQuota(quotaId: string, req: UpdateQuotaRequest): Promise<void> {
    const body = {
      QuotaName: req.quotaName,
      Description: req.description,
      Labels: labelsToWire(req.labels),
      QueueStrategy: req.queueStrategy,
    };
    await this.caller.call(
      QUOTA_OPERATIONS.UpdateQuota,
      { pathname: quotaPath(quotaId), body, resource: `quota=${quotaId}` },
      quotaIdResponse,
    );
  }

  /** ScaleQuota (PUT .../action/scale) to an absolute Min. Idempotent: same target, same result. */
  async scaleQuota(quotaId: string, req: ScaleQuotaRequest): Promise<void> {
    const body = { Min: minToWire(req.nodeSpecs), ResourceGroupIds: req.resourceGroupIds };
    await this.caller.call(
      QUOTA_OPERATIONS.ScaleQuota,
      { pathname: `${quotaPath(quotaId)}/action/scale`, body, resource: `quota=${quotaId}` },
      quotaIdResponse,
    );
  }

  /** DeleteQuota. */
  async deleteQuota(quotaId: string): Promise<void> {
    await this.caller.call(
      QUOTA_OPERATIONS.DeleteQuota,
      { pathname: quotaPath(quotaId), resource: `quota=${quotaId}` },
      quotaIdResponse,
    );
  }

  /** One page of ListQuotas (path has a trailing slash, docs/sources.md#pai-3.1). */
  async listQuotas(req: ListQuotasRequest = {}): Promise<{ quotas: Quota[]; totalCount: number }> {
    const res = await this.caller.call(
      QUOTA_OPERATIONS.ListQuotas,
      {
        pathname: "/api/v1/quotas/",
        query: {
          QuotaName: req.quotaName,
          ResourceType: req.resourceType,
          Statuses: req.statuses,
          ParentQuotaId: req.parentQuotaId,
          PageNumber: queryValue(req.pageNumber),
          PageSize: queryValue(req.pageSize),
        },
        resource: req.quotaName ? `quotaName=${req.quotaName}` : undefined,
      },
      listQuotasResponse,
    );
    return { quotas: res.Quotas.map(toQuota), totalCount: Number(res.TotalCount ?? res.Quotas.length) };
  }
}
