// PAI-EAS 2021-07-01: CreateService, DescribeService, DeleteService and the service
// autoscaler (Create/Describe/Update/DeleteServiceAutoScaler) (docs/sources.md#pai-2).
import { isoTime } from "./clock";
import { ApiError, inventedError, invalidParameter, missingParameter } from "./errors";
import { newId } from "./ids";
import { type Ctx, type Reply, type Route, routeMaker } from "./routes";
import { type Autoscaler, type Service, type Store, serviceStatus } from "./state";
import * as v from "./validate";

// Service-name rule (lower-case letters, digits, "_", starting with a letter, ≤64) is
// modelled on the EAS console rule; the public API documentation does not state it.
const SERVICE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const METRICS = ["qps", "cpu", "gpu[util]"] as const; // docs/sources.md#pai-2.4; others UNCONFIRMED (docs/sources.md#pai-6 #6)
const BEHAVIOR_DEFAULTS = {
  scaleUp: { stabilizationWindowSeconds: 0 },
  scaleDown: { stabilizationWindowSeconds: 300 },
  onZero: { scaleDownGracePeriodSeconds: 600, scaleUpActivationReplicas: 1 },
}; // docs/sources.md#pai-2.4 defaults

function checkCluster(store: Store, ctx: Ctx): void {
  const cluster = ctx.params.ClusterId ?? "";
  // ClusterId is the region id (docs/sources.md#pai-2). A wrong one is refused with 400 rather than a
  // not-found code, so a delete can never "succeed" against the wrong region (modelled).
  if (cluster !== store.region)
    throw invalidParameter("ClusterId", `must be the region id "${store.region}", got "${cluster}"`);
}

function serviceOrNotFound(store: Store, ctx: Ctx): Service {
  checkCluster(store, ctx);
  const name = ctx.params.ServiceName ?? "";
  const s = store.services.get(name);
  // InvalidService.NotFound: the code [TF] treats as "gone" (docs/sources.md#pai-2.1, docs/sources.md#pai-5); 404 per [TF]'s generic rule.
  if (!s || s.deletedAt !== undefined)
    throw new ApiError(404, "InvalidService.NotFound", `Service "${name}" is not found.`);
  return s;
}

function serviceName(cfg: v.Json): string {
  const meta = v.asObject(cfg.metadata, "metadata");
  const top = v.optString(cfg, "name", "name");
  const inMeta = v.optString(meta, "name", "metadata.name");
  // docs/sources.md#pai-2.6: newer docs put the name under metadata.name, older ones at the top level.
  if (top !== undefined && inMeta !== undefined && top !== inMeta)
    throw invalidParameter("metadata.name", `conflicts with top-level name "${top}"`);
  const name = inMeta ?? top;
  if (!name) throw missingParameter("metadata.name");
  if (!SERVICE_NAME.test(name))
    throw invalidParameter(
      "metadata.name",
      "must start with a lower-case letter and contain only lower-case letters, digits and '_' (max 64)",
    );
  return name;
}

function validateServiceConfig(cfg: v.Json): string {
  if (cfg.metadata === undefined) throw missingParameter("metadata");
  const name = serviceName(cfg);
  const meta = v.asObject(cfg.metadata, "metadata");
  v.reqInt(meta, "instance", 0, Number.MAX_SAFE_INTEGER, "metadata.instance");
  v.optInt(meta, "cpu", 1, Number.MAX_SAFE_INTEGER, "metadata.cpu");
  v.optInt(meta, "memory", 1, Number.MAX_SAFE_INTEGER, "metadata.memory"); // MB (docs/sources.md#pai-2.6)
  v.optInt(meta, "gpu", 0, Number.MAX_SAFE_INTEGER, "metadata.gpu");
  const resource = v.optString(meta, "resource", "metadata.resource");
  const cloud = cfg.cloud === undefined ? undefined : v.asObject(cfg.cloud, "cloud");
  // [SKILL]: a dedicated resource group and public cloud.computing are mutually exclusive.
  if (resource !== undefined && cloud?.computing !== undefined)
    throw invalidParameter("cloud.computing", "must not be set together with metadata.resource");
  const containers = v.optArray(cfg, "containers");
  containers?.forEach((c, i) =>
    v.reqString(v.asObject(c, `containers[${i}]`), "image", `containers[${i}].image`),
  );
  const hasProcessor = ["processor", "processor_path", "processor_entry"].some((k) => cfg[k] !== undefined);
  // A service needs something to run: an image (containers) or a processor (modelled).
  if ((!containers || containers.length === 0) && !hasProcessor) throw missingParameter("containers");
  return name;
}

/** `networking.disable_internet_endpoint: true` in the service JSON (components/inference-service.ts). */
const internetDisabled = (s: Service): boolean =>
  ((s.config.networking ?? {}) as v.Json).disable_internet_endpoint === true;

const endpoints = (store: Store, s: Service): { InternetEndpoint: string; IntranetEndpoint: string } => ({
  InternetEndpoint: internetDisabled(s)
    ? ""
    : `http://${s.id}.${store.region}.pai-eas.aliyuncs.com/api/predict/${s.name}`,
  IntranetEndpoint: `http://${s.id}.vpc.${store.region}.pai-eas.aliyuncs.com/api/predict/${s.name}`,
});

export function serviceView(store: Store, s: Service): Record<string, unknown> {
  const status = serviceStatus(s, store.now());
  const meta = (s.config.metadata ?? {}) as v.Json;
  const instances = typeof meta.instance === "number" ? meta.instance : 0;
  const image = Array.isArray(s.config.containers)
    ? ((s.config.containers[0] ?? {}) as v.Json).image
    : undefined;
  return {
    ServiceName: s.name,
    ServiceId: s.id,
    ServiceUid: s.id,
    Status: status,
    Reason: "",
    Message: status === "Running" ? "Service is Running" : "Service is being created",
    Region: store.region,
    CreateTime: isoTime(s.createdAt),
    UpdateTime: isoTime(s.updatedAt),
    ServiceConfig: JSON.stringify(s.config), // a JSON string (docs/sources.md#pai-2.3)
    Image: typeof image === "string" ? image : "",
    Cpu: meta.cpu ?? 0,
    Gpu: meta.gpu ?? 0,
    Memory: meta.memory ?? 0,
    TotalInstance: instances,
    RunningInstance: status === "Running" ? instances : 0,
    PendingInstance: status === "Running" ? 0 : instances,
    CurrentVersion: 1,
    LatestVersion: 1,
    Resource: meta.resource ?? "",
    WorkspaceId: s.workspaceId ?? meta.workspace_id ?? "",
    Labels: Object.entries(s.labels).map(([LabelKey, LabelValue]) => ({ LabelKey, LabelValue })),
    ...endpoints(store, s),
  };
}

export function serviceRecord(store: Store, s: Service): Record<string, unknown> {
  return { ...serviceView(store, s), deleted: s.deletedAt !== undefined };
}

export function autoscalerRecord(a: Autoscaler): Record<string, unknown> {
  return {
    ServiceName: a.serviceName,
    min: a.min,
    max: a.max,
    scaleStrategies: a.scaleStrategies,
    behavior: a.behavior,
  };
}

function createService(store: Store, ctx: Ctx): Reply {
  v.onlyQueryKeys(ctx.query, ["Develop", "Labels", "WorkspaceId"]);
  const develop = v.queryBool(ctx.query, "Develop") ?? false;
  const labels = v.queryJsonMap(ctx.query, "Labels") ?? {};
  // The body is the service JSON itself; a double-encoded string parses to a string and is refused.
  const cfg = v.asObject(ctx.body, "body");
  const name = validateServiceConfig(cfg);
  const existing = store.services.get(name);
  if (existing && existing.deletedAt === undefined)
    throw inventedError(
      409,
      "InvalidService.AlreadyExists",
      `Service "${name}" already exists.`,
      "409 is declared; the code is not",
    );
  const now = store.now();
  const s: Service = {
    id: newId("eas-m-", 10),
    name,
    config: structuredClone(cfg),
    labels,
    develop,
    createdAt: now,
    updatedAt: now,
    runningAt: now + store.timing.serviceCreatingMs,
    ...(ctx.query.WorkspaceId ? { workspaceId: ctx.query.WorkspaceId } : {}),
  };
  store.services.set(name, s);
  return {
    body: {
      RequestId: ctx.requestId,
      ServiceId: s.id,
      ServiceName: name,
      Status: serviceStatus(s, now),
      Region: store.region,
      ...endpoints(store, s),
    },
  };
}

function describeService(store: Store, ctx: Ctx): Reply {
  v.onlyQueryKeys(ctx.query, []);
  const s = serviceOrNotFound(store, ctx);
  return { body: { ...serviceView(store, s), RequestId: ctx.requestId } };
}

function deleteService(store: Store, ctx: Ctx): Reply {
  v.onlyQueryKeys(ctx.query, []);
  const s = serviceOrNotFound(store, ctx);
  s.deletedAt = store.now();
  store.services.delete(s.name);
  store.services.set(`${s.name}#${s.id}`, s); // keep for services() orphan checks
  store.autoscalers.delete(s.name);
  return { body: { RequestId: ctx.requestId, Message: `Service [${s.name}] is deleting` } };
}

function validateAutoscaler(store: Store, body: v.Json): Omit<Autoscaler, "serviceName" | "createdAt"> {
  v.onlyKeys(body, ["min", "max", "scaleStrategies", "behavior"], "");
  // docs/sources.md#pai-2.4 says min > 0, although behavior.onZero suggests scale-to-zero exists; we follow the documentation.
  const min = v.reqInt(body, "min", 1, Number.MAX_SAFE_INTEGER);
  const max = v.reqInt(body, "max", 1, Number.MAX_SAFE_INTEGER);
  if (max <= min) throw invalidParameter("max", `must be greater than min (${min}), got ${max}`);
  const strategies = v.optArray(body, "scaleStrategies");
  if (!strategies || strategies.length === 0) throw missingParameter("scaleStrategies");
  const seen = new Set<string>();
  const scaleStrategies = strategies.map((raw, i) => {
    const path = `scaleStrategies[${i}]`;
    const s = v.asObject(raw, path);
    v.onlyKeys(s, ["metricName", "threshold", "service"], path);
    const metricName = v.reqEnum(s, "metricName", METRICS, `${path}.metricName`);
    if (seen.has(metricName))
      throw invalidParameter(`${path}.metricName`, `duplicate metric "${metricName}"`); // modelled
    seen.add(metricName);
    const threshold = s.threshold;
    if (threshold === undefined || threshold === null) throw missingParameter(`${path}.threshold`);
    if (typeof threshold !== "number" || !Number.isFinite(threshold) || threshold <= 0)
      throw invalidParameter(`${path}.threshold`, "must be a positive number");
    const service = v.optString(s, "service", `${path}.service`);
    if (service !== undefined && !store.services.has(service))
      throw invalidParameter(`${path}.service`, `service "${service}" does not exist`);
    return { ...s };
  });
  let behavior: v.Json | undefined;
  if (body.behavior !== undefined) {
    behavior = v.asObject(body.behavior, "behavior");
    v.onlyKeys(behavior, ["scaleUp", "scaleDown", "onZero"], "behavior");
    for (const dir of ["scaleUp", "scaleDown"]) {
      if (behavior[dir] === undefined) continue;
      const b = v.asObject(behavior[dir], `behavior.${dir}`);
      v.onlyKeys(b, ["stabilizationWindowSeconds"], `behavior.${dir}`);
      v.optInt(
        b,
        "stabilizationWindowSeconds",
        0,
        Number.MAX_SAFE_INTEGER,
        `behavior.${dir}.stabilizationWindowSeconds`,
      );
    }
    if (behavior.onZero !== undefined) {
      const z = v.asObject(behavior.onZero, "behavior.onZero");
      v.onlyKeys(z, ["scaleDownGracePeriodSeconds", "scaleUpActivationReplicas"], "behavior.onZero");
      v.optInt(
        z,
        "scaleDownGracePeriodSeconds",
        0,
        Number.MAX_SAFE_INTEGER,
        "behavior.onZero.scaleDownGracePeriodSeconds",
      );
      v.optInt(
        z,
        "scaleUpActivationReplicas",
        1,
        Number.MAX_SAFE_INTEGER,
        "behavior.onZero.scaleUpActivationReplicas",
      );
    }
  }
  return { min, max, scaleStrategies, ...(behavior ? { behavior: structuredClone(behavior) } : {}) };
}

function autoscalerOrNotFound(store: Store, s: Service): Autoscaler {
  const a = store.autoscalers.get(s.name);
  // Code modelled (ends in ".NotFound" and uses 404, the [TF] generic not-found rule).
  if (!a)
    throw inventedError(
      404,
      "InvalidAutoscaler.NotFound",
      `Service "${s.name}" has no autoscaler.`,
      "the answer for a service without an autoscaler is undocumented",
    );
  return a;
}

function createAutoscaler(store: Store, ctx: Ctx): Reply {
  v.onlyQueryKeys(ctx.query, []);
  const s = serviceOrNotFound(store, ctx);
  const spec = validateAutoscaler(store, v.asObject(ctx.body, "body"));
  if (store.autoscalers.has(s.name))
    throw new ApiError(
      409,
      "InvalidAutoscaler.AlreadyExists",
      `Service "${s.name}" already has an autoscaler.`,
    ); // modelled
  store.autoscalers.set(s.name, { serviceName: s.name, createdAt: store.now(), ...spec });
  return {
    body: { RequestId: ctx.requestId, Message: `Succeed to create autoscaler for service [${s.name}]` },
  };
}

function updateAutoscaler(store: Store, ctx: Ctx): Reply {
  v.onlyQueryKeys(ctx.query, []);
  const s = serviceOrNotFound(store, ctx);
  const old = autoscalerOrNotFound(store, s);
  const spec = validateAutoscaler(store, v.asObject(ctx.body, "body"));
  store.autoscalers.set(s.name, { serviceName: s.name, createdAt: old.createdAt, ...spec });
  return {
    body: { RequestId: ctx.requestId, Message: `Succeed to update autoscaler for service [${s.name}]` },
  };
}

function describeAutoscaler(store: Store, ctx: Ctx): Reply {
  v.onlyQueryKeys(ctx.query, []);
  const s = serviceOrNotFound(store, ctx);
  const a = autoscalerOrNotFound(store, s);
  const b = a.behavior ?? {};
  const part = (k: keyof typeof BEHAVIOR_DEFAULTS): v.Json => ({
    ...BEHAVIOR_DEFAULTS[k],
    ...(v.isObject(b[k]) ? b[k] : {}),
  });
  return {
    // PascalCase top level, camelCase items (docs/sources.md#pai-2.1, docs/sources.md#pai-2.4).
    body: {
      RequestId: ctx.requestId,
      ServiceName: s.name,
      MinReplica: a.min,
      MaxReplica: a.max,
      Behavior: { scaleUp: part("scaleUp"), scaleDown: part("scaleDown"), onZero: part("onZero") },
      ScaleStrategies: a.scaleStrategies.map((x) => ({ service: s.name, ...x })),
      CurrentMetrics: a.scaleStrategies.map((x) => ({
        metricName: x.metricName,
        value: 0,
        service: x.service ?? s.name,
      })),
    },
  };
}

function deleteAutoscaler(store: Store, ctx: Ctx): Reply {
  v.onlyQueryKeys(ctx.query, []);
  const s = serviceOrNotFound(store, ctx);
  autoscalerOrNotFound(store, s);
  store.autoscalers.delete(s.name);
  return {
    body: { RequestId: ctx.requestId, Message: `Succeed to delete autoscaler for service [${s.name}]` },
  };
}

export function easRoutes(store: Store): Route[] {
  const r = routeMaker("eas", store);
  const svc = "/api/v2/services/{ClusterId}/{ServiceName}";
  return [
    r("CreateService", "POST", "/api/v2/services", true, createService),
    r("DescribeService", "GET", svc, false, describeService),
    r("DeleteService", "DELETE", svc, false, deleteService),
    r("CreateServiceAutoScaler", "POST", `${svc}/autoscaler`, true, createAutoscaler),
    r("UpdateServiceAutoScaler", "PUT", `${svc}/autoscaler`, true, updateAutoscaler),
    r("DescribeServiceAutoScaler", "GET", `${svc}/autoscaler`, false, describeAutoscaler),
    r("DeleteServiceAutoScaler", "DELETE", `${svc}/autoscaler`, false, deleteAutoscaler),
  ];
}
