// PAIStudio 2022-01-12 resource quotas: CreateQuota, GetQuota, UpdateQuota, ScaleQuota,
// DeleteQuota, ListQuotas (docs/sources.md#pai-3).
import { isoTime } from "./clock";
import { ApiError, inventedError, invalidParameter, missingParameter } from "./errors";
import { newId } from "./ids";
import { type Ctx, type Reply, type Route, routeMaker } from "./routes";
import { type Quota, type Store, isTerminalJob, jobStatus, quotaStatus } from "./state";
import * as v from "./validate";

const RESOURCE_TYPES = ["Lingjun", "ECS", "ACS"] as const; // docs/sources.md#pai-3.2
const QUEUE_STRATEGIES = [
  "PaiStrategyIntelligent",
  "PaiStrategyBalance",
  "PaiStrategyRoundRobin",
  "PaiStrategyStrictFIFO",
] as const;
const CREATE_KEYS = [
  "QuotaName",
  "ResourceType",
  "ParentQuotaId",
  "ResourceGroupIds",
  "AllocateStrategy",
  "Min",
  "QueueStrategy",
  "QuotaConfig",
  "Labels",
  "Description",
  "ClusterSpec",
];
const UPDATE_KEYS = [
  "QuotaName",
  "Description",
  "Labels",
  "QueueStrategy",
  "QuotaConfig",
  "PropagateDefaultGPUDriver",
]; // docs/sources.md#pai-3.1
const SCALE_KEYS = ["Min", "ResourceGroupIds"];
const LIST_KEYS = [
  "QuotaName",
  "QuotaIds",
  "ParentQuotaId",
  "ResourceType",
  "Statuses",
  "WorkspaceIds",
  "WorkspaceName",
  "Labels",
  "LayoutMode",
  "SortBy",
  "Order",
  "PageNumber",
  "PageSize",
  "Verbose",
  "Versions",
  "ClusterType",
  "GPUType",
  "HasResource",
]; // docs/sources.md#pai-3.4

function validateQuotaName(body: v.Json, required: boolean): void {
  const name = required ? v.reqString(body, "QuotaName") : v.optString(body, "QuotaName");
  if (name !== undefined && (name.length < 1 || name.length > 63))
    throw invalidParameter("QuotaName", "must be 1-63 characters"); // [SKILL] length
}

/** Min is a ResourceSpec with only NodeSpecs in the published schema (docs/sources.md#pai-3.2). */
function validateMin(raw: unknown): void {
  const min = v.asObject(raw, "Min");
  v.onlyKeys(min, ["NodeSpecs"], "Min");
  const specs = v.optArray(min, "NodeSpecs", "Min.NodeSpecs");
  if (!specs || specs.length === 0) throw missingParameter("Min.NodeSpecs");
  specs.forEach((s, i) => {
    const path = `Min.NodeSpecs[${i}]`;
    const spec = v.asObject(s, path);
    // UNCONFIRMED #2: the schema key is "Type"; [SKILL] examples write "NodeSpec". We follow the schema.
    if ("NodeSpec" in spec)
      throw invalidParameter(`${path}.NodeSpec`, 'unknown field (the schema names the node spec "Type")');
    v.onlyKeys(spec, ["Type", "Count", "BindingPolicy", "HyperType"], path);
    v.reqString(spec, "Type", `${path}.Type`);
    v.reqInt(spec, "Count", 1, Number.MAX_SAFE_INTEGER, `${path}.Count`);
    if (spec.BindingPolicy !== undefined) v.asObject(spec.BindingPolicy, `${path}.BindingPolicy`);
    v.optString(spec, "HyperType", `${path}.HyperType`);
  });
}

function validateLabels(body: v.Json): void {
  v.optArray(body, "Labels")?.forEach((l, i) => {
    const label = v.asObject(l, `Labels[${i}]`);
    v.onlyKeys(label, ["Key", "Value"], `Labels[${i}]`);
    v.reqString(label, "Key", `Labels[${i}].Key`);
    v.optString(label, "Value", `Labels[${i}].Value`);
  });
}

function validateResourceGroupIds(body: v.Json): void {
  v.optStringArray(body, "ResourceGroupIds");
}

function quotaOrNotFound(store: Store, id: string): Quota {
  const q = store.quotas.get(id);
  // Quota not-found code is not documented (docs/sources.md#pai-5): modelled as 404 "NotFound", like DLC.
  if (!q || q.deletedAt !== undefined)
    throw inventedError(
      404,
      "NotFound",
      `Quota "${id}" is not found.`,
      "the quota not-found code is undocumented",
    );
  return q;
}

function requireReady(store: Store, q: Quota): void {
  const status = quotaStatus(q, store.now());
  if (status !== "Ready")
    throw new ApiError(
      400,
      "InvalidQuotaStatus",
      `Quota "${q.id}" is ${status}; it can be changed only when Ready.`,
    ); // modelled
}

const ZERO_AMOUNT = { CPU: "0", Memory: "0Gi", GPU: "0", GPUType: "" };

export function quotaView(store: Store, q: Quota): Record<string, unknown> {
  const now = store.now();
  const subQuotas = [...store.quotas.values()].filter(
    (c) => c.deletedAt === undefined && c.body.ParentQuotaId === q.id,
  );
  return {
    QuotaId: q.id,
    QuotaName: q.body.QuotaName,
    ResourceType: q.body.ResourceType ?? "ECS",
    ParentQuotaId: q.body.ParentQuotaId ?? "",
    ResourceGroupIds: q.body.ResourceGroupIds ?? [],
    AllocateStrategy: q.body.AllocateStrategy ?? "ByNodeSpecs",
    Min: q.body.Min,
    Description: q.body.Description ?? "",
    Labels: q.body.Labels ?? [],
    QueueStrategy: q.body.QueueStrategy ?? "PaiStrategyIntelligent",
    QuotaConfig: q.body.QuotaConfig ?? {},
    CreatorId: "emulator-user",
    LatestOperationId: `${q.id}-op-${q.operations}`,
    Status: quotaStatus(q, now),
    ReasonCode: "",
    ReasonMessage: "",
    GmtCreatedTime: isoTime(q.createdAt),
    GmtModifiedTime: isoTime(q.modifiedAt),
    // Node-spec catalogues are not emulated, so amounts are zero (documented limitation).
    QuotaDetails: {
      DesiredMinQuota: ZERO_AMOUNT,
      ActualMinQuota: ZERO_AMOUNT,
      RequestedQuota: ZERO_AMOUNT,
      UsedQuota: ZERO_AMOUNT,
    },
    Workspaces: [],
    SubQuotas: subQuotas.map((c) => ({ QuotaId: c.id, QuotaName: c.body.QuotaName })),
    Version: String(q.operations),
  };
}

export function quotaRecord(store: Store, q: Quota): Record<string, unknown> {
  return { ...quotaView(store, q), deleted: q.deletedAt !== undefined };
}

function createQuota(store: Store, ctx: Ctx): Reply {
  v.onlyQueryKeys(ctx.query, []);
  const body = v.asObject(ctx.body, "body");
  v.onlyKeys(body, CREATE_KEYS, "");
  validateQuotaName(body, true);
  v.optEnum(body, "ResourceType", RESOURCE_TYPES);
  v.optEnum(body, "AllocateStrategy", ["ByNodeSpecs"]); // only value documented in [META] (docs/sources.md#pai-3.2)
  v.optEnum(body, "QueueStrategy", QUEUE_STRATEGIES);
  v.optString(body, "Description");
  validateResourceGroupIds(body);
  const parent = v.optString(body, "ParentQuotaId");
  if (parent) {
    const p = store.quotas.get(parent);
    if (!p || p.deletedAt !== undefined)
      throw invalidParameter("ParentQuotaId", `quota "${parent}" does not exist`);
    if (body.ResourceGroupIds !== undefined)
      throw invalidParameter("ResourceGroupIds", "only root quotas (no ParentQuotaId) take ResourceGroupIds");
  }
  if (body.Min === undefined) throw missingParameter("Min");
  validateMin(body.Min);
  validateLabels(body);
  if (body.QuotaConfig !== undefined) v.asObject(body.QuotaConfig, "QuotaConfig");
  const now = store.now();
  const q: Quota = {
    id: newId("quota"),
    body: structuredClone(body),
    createdAt: now,
    modifiedAt: now,
    readyAt: now + store.timing.quotaCreatingMs,
    operations: 1,
  };
  store.quotas.set(q.id, q);
  return { body: { QuotaId: q.id, RequestId: ctx.requestId } };
}

function getQuota(store: Store, ctx: Ctx): Reply {
  v.onlyQueryKeys(ctx.query, ["Verbose", "WithNodeMeta"]);
  v.queryBool(ctx.query, "Verbose");
  v.queryBool(ctx.query, "WithNodeMeta");
  const q = quotaOrNotFound(store, ctx.params.QuotaId ?? "");
  return { body: { ...quotaView(store, q), RequestId: ctx.requestId } };
}

function updateQuota(store: Store, ctx: Ctx): Reply {
  v.onlyQueryKeys(ctx.query, []);
  const q = quotaOrNotFound(store, ctx.params.QuotaId ?? "");
  const body = v.asObject(ctx.body, "body");
  v.onlyKeys(body, UPDATE_KEYS, "");
  validateQuotaName(body, false);
  v.optString(body, "Description");
  v.optEnum(body, "QueueStrategy", QUEUE_STRATEGIES);
  validateLabels(body);
  v.optBool(body, "PropagateDefaultGPUDriver");
  if (body.QuotaConfig !== undefined) v.asObject(body.QuotaConfig, "QuotaConfig");
  requireReady(store, q);
  // Present keys replace the stored ones; Labels is a full replace (docs/sources.md#pai-3.1).
  for (const key of UPDATE_KEYS)
    if (body[key] !== undefined && key !== "PropagateDefaultGPUDriver")
      q.body[key] = structuredClone(body[key]);
  q.modifiedAt = store.now();
  q.operations++;
  return { body: { QuotaId: q.id, RequestId: ctx.requestId } };
}

// ScaleQuota: Min is the new absolute spec (docs/sources.md#pai-3.1). Whether the quota passes through a
// transitional status while scaling is UNCONFIRMED; we apply it at once and stay Ready.
function scaleQuota(store: Store, ctx: Ctx): Reply {
  v.onlyQueryKeys(ctx.query, []);
  const q = quotaOrNotFound(store, ctx.params.QuotaId ?? "");
  const body = v.asObject(ctx.body, "body");
  v.onlyKeys(body, SCALE_KEYS, "");
  if (body.Min === undefined) throw missingParameter("Min");
  validateMin(body.Min);
  validateResourceGroupIds(body);
  requireReady(store, q);
  q.body.Min = structuredClone(body.Min);
  if (body.ResourceGroupIds !== undefined) q.body.ResourceGroupIds = structuredClone(body.ResourceGroupIds);
  q.modifiedAt = store.now();
  q.operations++;
  return { body: { QuotaId: q.id, RequestId: ctx.requestId } };
}

// Deleting a quota that unfinished jobs still use, or that has sub-quotas, is refused
// (modelled: the public documentation gives no rule, but the cloud cannot free busy nodes).
function deleteQuota(store: Store, ctx: Ctx): Reply {
  v.onlyQueryKeys(ctx.query, []);
  const q = quotaOrNotFound(store, ctx.params.QuotaId ?? "");
  const now = store.now();
  const busy = [...store.jobs.values()].filter(
    (j) => j.deletedAt === undefined && j.body.ResourceId === q.id && !isTerminalJob(jobStatus(j, now)),
  );
  if (busy.length > 0)
    throw new ApiError(
      400,
      "QuotaInUse",
      `Quota "${q.id}" still has unfinished jobs: ${busy.map((j) => j.id).join(", ")}.`,
    );
  const children = [...store.quotas.values()].filter(
    (c) => c.deletedAt === undefined && c.body.ParentQuotaId === q.id,
  );
  if (children.length > 0)
    throw new ApiError(
      400,
      "QuotaInUse",
      `Quota "${q.id}" still has sub-quotas: ${children.map((c) => c.id).join(", ")}.`,
    );
  q.deletedAt = now;
  return { body: { QuotaId: q.id, RequestId: ctx.requestId } };
}

function listQuotas(store: Store, ctx: Ctx): Reply {
  const q = ctx.query;
  v.onlyQueryKeys(q, LIST_KEYS);
  const resourceType = v.queryEnum(q, "ResourceType", RESOURCE_TYPES);
  const sortBy =
    v.queryEnum(q, "SortBy", [
      "QuotaName",
      "Status",
      "CPU",
      "Memory",
      "GPU",
      "GmtCreatedTime",
      "GmtModifiedTime",
    ]) ?? "GmtCreatedTime";
  const order = v.queryEnum(q, "Order", ["desc", "asc"]) ?? "desc";
  v.queryEnum(q, "LayoutMode", ["Tree", "List"]);
  v.queryBool(q, "Verbose");
  v.queryBool(q, "HasResource");
  let items = [...store.quotas.values()]
    .filter((x) => x.deletedAt === undefined)
    .map((x) => quotaView(store, x));
  const str = (x: unknown): string => (typeof x === "string" ? x : "");
  if (q.QuotaName) items = items.filter((x) => str(x.QuotaName).includes(q.QuotaName ?? "")); // match mode UNCONFIRMED: substring
  if (q.QuotaIds) items = items.filter((x) => (q.QuotaIds ?? "").split(",").includes(str(x.QuotaId)));
  // ParentQuotaId: unset = all, "" = roots only, id = children of that id (docs/sources.md#pai-3.4).
  if (q.ParentQuotaId !== undefined) items = items.filter((x) => x.ParentQuotaId === q.ParentQuotaId);
  if (resourceType) items = items.filter((x) => x.ResourceType === resourceType);
  if (q.Statuses) items = items.filter((x) => (q.Statuses ?? "").split(",").includes(str(x.Status)));
  // Labels query format is not publicly documented: we accept "k=v,k2=v2" (UNCONFIRMED).
  if (q.Labels) {
    const wanted = q.Labels.split(",").map((pair) => {
      const [k, ...rest] = pair.split("=");
      if (!k || rest.length === 0) throw invalidParameter("Labels", 'expected "key=value[,key=value]"');
      return [k, rest.join("=")] as const;
    });
    items = items.filter((x) =>
      wanted.every(([k, val]) =>
        (x.Labels as { Key: string; Value?: string }[]).some((l) => l.Key === k && (l.Value ?? "") === val),
      ),
    );
  }
  const sign = order === "asc" ? 1 : -1;
  items.sort((a, b) => sign * str(a[sortBy]).localeCompare(str(b[sortBy])));
  const page = v.paginate(items, q, 10, 100); // default 10 / max 100 modelled
  return { body: { Quotas: page, TotalCount: items.length, RequestId: ctx.requestId } };
}

export function quotaRoutes(store: Store): Route[] {
  const r = routeMaker("paistudio", store);
  return [
    r("CreateQuota", "POST", "/api/v1/quotas", true, createQuota),
    r("ListQuotas", "GET", "/api/v1/quotas/", false, listQuotas), // trailing slash per [TS] and [META]
    r("GetQuota", "GET", "/api/v1/quotas/{QuotaId}", false, getQuota),
    r("UpdateQuota", "PUT", "/api/v1/quotas/{QuotaId}", true, updateQuota),
    r("DeleteQuota", "DELETE", "/api/v1/quotas/{QuotaId}", false, deleteQuota),
    r("ScaleQuota", "PUT", "/api/v1/quotas/{QuotaId}/action/scale", true, scaleQuota),
  ];
}
