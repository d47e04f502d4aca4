// PAI-DLC 2020-12-03 jobs: CreateJob, GetJob, StopJob, DeleteJob, ListJobs (docs/sources.md#pai-1).
import { isoTime } from "./clock";
import { ApiError, inventedError, invalidParameter, missingParameter } from "./errors";
import { newId } from "./ids";
import { type Ctx, type Reply, type Route, routeMaker } from "./routes";
import { type Job, type Store, isTerminalJob, jobPhases, jobStatus, quotaStatus } from "./state";
import * as v from "./validate";

export const DEFAULT_WORKSPACE_ID = "ws-default"; // [SKILL]: no WorkspaceId => the user's default workspace
const MAX_CREATE_JOB_BYTES = 65_536; // docs/sources.md#pai-1 "Request size"

const JOB_TYPES = [
  "TFJob",
  "PyTorchJob",
  "MPIJob",
  "XGBoostJob",
  "OneFlowJob",
  "ElasticBatchJob",
  "SlurmJob",
  "RayJob",
] as const;
// docs/sources.md#pai-1.3 roles per JobType. MPIJob and SlurmJob roles are not documented in the public sources (docs/sources.md#pai):
// we model MPIJob on Kubeflow's Launcher/Worker and SlurmJob as Master/Worker (UNCONFIRMED).
const ROLES: Record<(typeof JOB_TYPES)[number], readonly string[]> = {
  TFJob: ["Chief", "PS", "Worker", "Evaluator", "GraphLearn"],
  PyTorchJob: ["Worker", "Master"],
  XGBoostJob: ["Worker", "Master"],
  OneFlowJob: ["Worker", "Master"],
  ElasticBatchJob: ["Worker", "Master"],
  RayJob: ["Head", "Worker"],
  MPIJob: ["Launcher", "Worker"],
  SlurmJob: ["Master", "Worker"],
};
export const JOB_STATUSES = [
  "Creating",
  "Queuing",
  "Bidding",
  "EnvPreparing",
  "SanityChecking",
  "Running",
  "Restarting",
  "Stopping",
  "SucceededReserving",
  "FailedReserving",
  "Succeeded",
  "Failed",
  "Stopped",
] as const; // docs/sources.md#pai-1.6

const CREATE_KEYS = [
  "DisplayName",
  "JobType",
  "JobSpecs",
  "UserCommand",
  "WorkspaceId",
  "ResourceId",
  "Priority",
  "Envs",
  "DataSources",
  "CodeSource",
  "ThirdpartyLibs",
  "ThirdpartyLibDir",
  "JobMaxRunningTimeMinutes",
  "Settings",
  "ElasticSpec",
  "UserVpc",
  "Accessibility",
  "SuccessPolicy",
  "Options",
  "CredentialConfig",
  "DebuggerConfigContent",
  "CustomEnvs",
  "Description",
  "SchedulingStrategy",
  "TemplateId",
  "TemplateVersion",
] as const; // docs/sources.md#pai-1.2; unknown keys are refused so wire-name typos surface (modelled strictness)
const JOB_SPEC_KEYS = [
  "Type",
  "Image",
  "PodCount",
  "EcsSpec",
  "ResourceConfig",
  "ImageConfig",
  "RestartPolicy",
  "SpotSpec",
  "UseSpotInstance",
  "IsCheif",
  "IsChief",
  "ExtraPodSpec",
  "LocalMountSpecs",
  "ServiceSpec",
  "AssignNodeSpec",
  "AutoScalingSpec",
  "ConsiderInSuccessPolicy",
  "Driver",
  "ElasticSpotSpecs",
  "HyperNodeSchedulingConfig",
  "OversoldType",
  "QuotaId",
  "StartupDependencies",
  "SystemDisk",
] as const; // docs/sources.md#pai-1.3
const RESOURCE_CONFIG_KEYS = ["CPU", "GPU", "Memory", "SharedMemory", "GPUType"] as const; // docs/sources.md#pai-1.3, all strings
const SETTINGS_KEYS = [
  "EnableRDMA",
  "EnableOssAppend",
  "AllocateAllRDMADevices",
  "EnableTideResource",
  "JobReservedPolicy",
  "JobReservedMinutes",
  "Driver",
  "EnableErrorMonitoringInAIMaster",
  "ErrorMonitoringArgs",
  "EnableSanityCheck",
  "SanityCheckArgs",
  "AdvancedSettings",
  "Caller",
  "PipelineId",
  "BusinessUserId",
  "EnableCPUAffinity",
  "OversoldType",
  "Tags",
  "DisableEcsStockCheck",
  "AllowUnschedulableNodes",
  "DataJuicerConfig",
  "ElasticSpotJobMaxRestartTimes",
  "EnableDSWDev",
  "ModelConfig",
  "Shell",
  "TerminationGracePeriodSeconds",
] as const; // docs/sources.md#pai-1.2
const LIST_KEYS = [
  "DisplayName",
  "JobType",
  "Status",
  "StartTime",
  "EndTime",
  "PageNumber",
  "PageSize",
  "SortBy",
  "Order",
  "ShowOwn",
  "WorkspaceId",
  "ResourceId",
  "BusinessUserId",
  "Caller",
  "Tags",
  "PipelineId",
  "FromAllWorkspaces",
  "JobId",
  "JobIds",
  "UserIdForFilter",
  "Username",
  "ResourceQuotaName",
  "Accessibility",
  "OversoldInfo",
  "PaymentType",
  "DisplayNameSearchMode",
  "ResourceIds",
  "EnableAssignNode",
  "ImageSearch",
  "ReasonSearch",
  "UserCommandSearch",
  "TemplateId",
  "TimeRangeField",
  "NumericRangeField",
  "NumericRangeMin",
  "NumericRangeMax",
  "Description",
] as const; // docs/sources.md#pai-1.5

const NUMBER_STRING = /^\d+(\.\d+)?$/;
const QUANTITY_STRING = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$/;

function validateResourceConfig(raw: unknown, path: string): void {
  const rc = v.asObject(raw, path);
  v.onlyKeys(rc, RESOURCE_CONFIG_KEYS, path);
  for (const key of RESOURCE_CONFIG_KEYS) v.optString(rc, key, `${path}.${key}`); // values are strings, e.g. "10"
  for (const key of ["CPU", "GPU"] as const) {
    const val = rc[key];
    if (typeof val === "string" && !NUMBER_STRING.test(val))
      throw invalidParameter(`${path}.${key}`, `must be a numeric string, got "${val}"`);
  }
  for (const key of ["Memory", "SharedMemory"] as const) {
    const val = rc[key];
    if (typeof val === "string" && !QUANTITY_STRING.test(val))
      throw invalidParameter(`${path}.${key}`, `must be a quantity such as "10Gi", got "${val}"`);
  }
}

function validateJobSpec(
  raw: unknown,
  i: number,
  jobType: (typeof JOB_TYPES)[number],
  quotaJob: boolean,
): void {
  const path = `JobSpecs[${i}]`;
  const spec = v.asObject(raw, path);
  v.onlyKeys(spec, JOB_SPEC_KEYS, path);
  const type = v.reqString(spec, "Type", `${path}.Type`);
  if (!ROLES[jobType].includes(type))
    throw invalidParameter(
      `${path}.Type`,
      `must be one of ${ROLES[jobType].join("|")} for ${jobType}, got "${type}"`,
    );
  v.reqString(spec, "Image", `${path}.Image`); // modelled as required: a pod needs an image
  v.reqInt(spec, "PodCount", 1, Number.MAX_SAFE_INTEGER, `${path}.PodCount`);
  v.optEnum(spec, "RestartPolicy", ["Always", "Never", "OnFailure", "ExitCode"], `${path}.RestartPolicy`);
  const ecsSpec = v.optString(spec, "EcsSpec", `${path}.EcsSpec`);
  const hasRc = spec.ResourceConfig !== undefined && spec.ResourceConfig !== null;
  if (hasRc) validateResourceConfig(spec.ResourceConfig, `${path}.ResourceConfig`);
  // Secondary-source rules ([SKILL], docs/sources.md#pai-1.3, UNCONFIRMED #7): EcsSpec and ResourceConfig are
  // exclusive; public resources use EcsSpec, quota (ResourceId) jobs use ResourceConfig.
  if (ecsSpec !== undefined && hasRc)
    throw invalidParameter(
      `${path}.EcsSpec`,
      "EcsSpec and ResourceConfig must not both be set in one JobSpec",
    );
  if (quotaJob && !hasRc) throw missingParameter(`${path}.ResourceConfig`);
  if (quotaJob && ecsSpec !== undefined)
    throw invalidParameter(
      `${path}.EcsSpec`,
      "jobs on a resource quota (ResourceId) must use ResourceConfig",
    );
  if (!quotaJob && ecsSpec === undefined) throw missingParameter(`${path}.EcsSpec`);
  for (const key of ["UseSpotInstance", "IsCheif", "IsChief", "ConsiderInSuccessPolicy"])
    v.optBool(spec, key, `${path}.${key}`);
  for (const key of [
    "ImageConfig",
    "SpotSpec",
    "ExtraPodSpec",
    "ServiceSpec",
    "AssignNodeSpec",
    "AutoScalingSpec",
    "SystemDisk",
  ]) {
    if (spec[key] !== undefined) v.asObject(spec[key], `${path}.${key}`);
  }
}

function validateSettings(raw: unknown): void {
  const s = v.asObject(raw, "Settings");
  v.onlyKeys(s, SETTINGS_KEYS, "Settings");
  v.optEnum(s, "JobReservedPolicy", ["Always", "OnFailure", "OnSucceed"], "Settings.JobReservedPolicy");
  v.optEnum(
    s,
    "OversoldType",
    ["ForbiddenQuotaOverSold", "AcceptQuotaOverSold", "ForceQuotaOverSold"],
    "Settings.OversoldType",
  );
  v.optInt(s, "JobReservedMinutes", 0, Number.MAX_SAFE_INTEGER, "Settings.JobReservedMinutes");
  v.optStringMap(s, "Tags", "Settings.Tags");
  for (const key of [
    "EnableRDMA",
    "EnableOssAppend",
    "AllocateAllRDMADevices",
    "EnableTideResource",
    "EnableErrorMonitoringInAIMaster",
    "EnableSanityCheck",
    "EnableCPUAffinity",
    "DisableEcsStockCheck",
  ]) {
    v.optBool(s, key, `Settings.${key}`);
  }
}

// CredentialConfig wire names: alibabacloud-typescript-sdk pai-dlc-20201203 models CredentialConfig.ts,
// CredentialConfigItem.ts, CredentialRole.ts. Enums (Type Role|RoleChain, RoleType service|user) are
// documented for PAI-DSW's struct of the same shape (api-pai-dsw-2022-01-01-struct-credentialconfig),
// not on the DLC pages: applied here as modelled strictness.
const CREDENTIAL_CONFIG_KEYS = [
  "EnableCredentialInject",
  "AliyunEnvRoleKey",
  "CredentialConfigItems",
] as const;
const CREDENTIAL_ITEM_KEYS = ["Key", "Type", "Roles"] as const;
const CREDENTIAL_ROLE_KEYS = ["RoleArn", "RoleType", "AssumeRoleFor", "Policy", "AssumeUserInfo"] as const;
const ROLE_ARN = /^acs:ram::(\d+):role\/[^\s/]+$/;

function validateCredentialConfig(raw: unknown): void {
  const path = "CredentialConfig";
  const cc = v.asObject(raw, path);
  v.onlyKeys(cc, CREDENTIAL_CONFIG_KEYS, path);
  const inject = v.optBool(cc, "EnableCredentialInject", `${path}.EnableCredentialInject`);
  const envKey = v.optString(cc, "AliyunEnvRoleKey", `${path}.AliyunEnvRoleKey`);
  const items = v.optArray(cc, "CredentialConfigItems", `${path}.CredentialConfigItems`) ?? [];
  // "Each DLC job can be associated with only one RAM role" (PAI doc "Configure the DLC RAM role").
  if (items.length > 1)
    throw invalidParameter(
      `${path}.CredentialConfigItems`,
      "a DLC job can be associated with only one RAM role",
    );
  const keys = items.map((rawItem, i) => {
    const ip = `${path}.CredentialConfigItems[${i}]`;
    const item = v.asObject(rawItem, ip);
    v.onlyKeys(item, CREDENTIAL_ITEM_KEYS, ip);
    const key = v.reqString(item, "Key", `${ip}.Key`); // modelled as required: AliyunEnvRoleKey refers to it
    const type = v.reqEnum(item, "Type", ["Role", "RoleChain"], `${ip}.Type`);
    const roles = v.optArray(item, "Roles", `${ip}.Roles`) ?? [];
    if (roles.length === 0) throw missingParameter(`${ip}.Roles`);
    if (type === "Role" && roles.length !== 1)
      throw invalidParameter(`${ip}.Roles`, `Type "Role" assumes exactly one role, got ${roles.length}`); // modelled
    roles.forEach((rawRole, j) => {
      const rp = `${ip}.Roles[${j}]`;
      const role = v.asObject(rawRole, rp);
      v.onlyKeys(role, CREDENTIAL_ROLE_KEYS, rp);
      const arn = v.reqString(role, "RoleArn", `${rp}.RoleArn`);
      if (!ROLE_ARN.test(arn))
        throw invalidParameter(`${rp}.RoleArn`, `must be acs:ram::<account id>:role/<name>, got "${arn}"`);
      v.optEnum(role, "RoleType", ["service", "user"], `${rp}.RoleType`);
      const assumeFor = v.optString(role, "AssumeRoleFor", `${rp}.AssumeRoleFor`);
      if (assumeFor !== undefined && !/^\d+$/.test(assumeFor))
        throw invalidParameter(`${rp}.AssumeRoleFor`, `must be an account id, got "${assumeFor}"`);
      v.optString(role, "Policy", `${rp}.Policy`);
      if (role.AssumeUserInfo !== undefined) v.asObject(role.AssumeUserInfo, `${rp}.AssumeUserInfo`);
    });
    return key;
  });
  // Modelled: credentials are injected for the item AliyunEnvRoleKey names, so it must name one.
  if (inject === true && items.length > 0 && (envKey === undefined || !keys.includes(envKey)))
    throw invalidParameter(
      `${path}.AliyunEnvRoleKey`,
      `must name one of the CredentialConfigItems keys (${keys.join(", ")}), got ${JSON.stringify(envKey ?? null)}`,
    );
}

function validateCreateJob(body: v.Json, store: Store): void {
  v.onlyKeys(body, CREATE_KEYS, "");
  const name = v.reqString(body, "DisplayName");
  if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name))
    throw invalidParameter("DisplayName", "must be 1-256 characters of digits, letters, '_', '.', '-'");
  const jobType = v.reqEnum(body, "JobType", JOB_TYPES);
  v.reqString(body, "UserCommand");
  const workspaceId = v.optString(body, "WorkspaceId");
  if (workspaceId === "") throw invalidParameter("WorkspaceId", "must not be empty");
  const resourceId = v.optString(body, "ResourceId");
  const quotaJob = resourceId !== undefined && resourceId !== ""; // empty = public resources (docs/sources.md#pai-1.2)
  if (quotaJob) {
    const quota = store.quotas.get(resourceId);
    if (!quota || quota.deletedAt !== undefined)
      throw invalidParameter("ResourceId", `resource quota "${resourceId}" does not exist`);
    const status = quotaStatus(quota, store.now());
    if (status !== "Ready")
      throw invalidParameter("ResourceId", `resource quota "${resourceId}" is ${status}, not Ready`);
  }
  const specs = v.optArray(body, "JobSpecs");
  if (!specs || specs.length === 0) throw missingParameter("JobSpecs");
  specs.forEach((s, i) => validateJobSpec(s, i, jobType, quotaJob));
  v.optInt(body, "Priority", 1, 9);
  v.optInt(body, "JobMaxRunningTimeMinutes", 0, Number.MAX_SAFE_INTEGER);
  v.optStringMap(body, "Envs");
  v.optStringArray(body, "ThirdpartyLibs");
  v.optString(body, "ThirdpartyLibDir");
  v.optEnum(body, "Accessibility", ["PUBLIC", "PRIVATE"]);
  v.optEnum(body, "SuccessPolicy", ["AllWorkers", "ChiefWorker"]);
  v.optString(body, "Options");
  v.optArray(body, "DataSources")?.forEach((d, i) => v.asObject(d, `DataSources[${i}]`));
  if (body.CodeSource !== undefined) v.asObject(body.CodeSource, "CodeSource");
  if (body.ElasticSpec !== undefined) v.asObject(body.ElasticSpec, "ElasticSpec");
  if (body.UserVpc !== undefined)
    v.optEnum(v.asObject(body.UserVpc, "UserVpc"), "DefaultRoute", ["eth0", "eth1"], "UserVpc.DefaultRoute");
  if (body.Settings !== undefined) validateSettings(body.Settings);
  if (body.CredentialConfig !== undefined) validateCredentialConfig(body.CredentialConfig);
}

function jobOrNotFound(store: Store, id: string): Job {
  const job = store.jobs.get(id);
  // DLC not-found code per [SKILL] (docs/sources.md#pai-5, secondary): "NotFound"; HTTP 404 modelled.
  if (!job || job.deletedAt !== undefined) throw new ApiError(404, "NotFound", `Job "${id}" is not found.`);
  return job;
}

const REASONS: Record<string, { code: string; message: string }> = {
  Succeeded: { code: "JobSucceeded", message: "Job succeeded." },
  Stopped: { code: "JobStoppedByUser", message: "Job is stopped by user." },
}; // docs/sources.md#pai-1.4 ReasonCode examples

/** The job as GetJob shows it (body fields + computed status fields). */
export function jobView(store: Store, job: Job, withPods: boolean): Record<string, unknown> {
  const now = store.now();
  const phases = jobPhases(job, now);
  const current = phases[phases.length - 1] ?? { status: "Creating", at: job.createdAt };
  const at = (s: string): string | undefined => {
    const p = phases.find((x) => x.status === s);
    return p ? isoTime(p.at) : undefined;
  };
  const terminal = isTerminalJob(current.status);
  const runningAt = phases.find((p) => p.status === "Running")?.at;
  const reason = current.status === "Failed" ? job.fail : REASONS[current.status];
  const quota = typeof job.body.ResourceId === "string" ? store.quotas.get(job.body.ResourceId) : undefined;
  const specs = (job.body.JobSpecs as v.Json[]) ?? [];
  const view: Record<string, unknown> = {
    ...job.body,
    JobId: job.id,
    WorkspaceId: job.workspaceId,
    WorkspaceName: job.workspaceId,
    UserId: "emulator-user",
    Priority: job.body.Priority ?? 1,
    ResourceId: job.body.ResourceId ?? "",
    ResourceType: quota ? quota.body.ResourceType : "ECS",
    Status: current.status,
    SubStatus: "",
    ReasonCode: reason?.code ?? "",
    ReasonMessage: reason?.message ?? "",
    GmtCreateTime: isoTime(job.createdAt),
    GmtSubmittedTime: isoTime(job.createdAt),
    GmtRunningTime: at("Running"),
    GmtSuccessedTime: at("Succeeded"), // sic, wire name per docs/sources.md#pai-1.4
    GmtFailedTime: at("Failed"),
    GmtStoppedTime: at("Stopped"),
    GmtFinishTime: terminal ? isoTime(current.at) : undefined,
    Duration: runningAt === undefined ? 0 : Math.floor(((terminal ? current.at : now) - runningAt) / 1000),
    StatusHistory: phases.map((p, i) => ({
      Status: p.status,
      StartTime: isoTime(p.at),
      EndTime: phases[i + 1] ? isoTime(phases[i + 1]?.at ?? p.at) : "",
      ReasonCode: "",
      ReasonMessage: "",
    })),
    RestartTimes: "0/0",
    NodeCount: specs.reduce((n, s) => n + Number(s.PodCount ?? 0), 0),
  };
  if (withPods) view.Pods = podsView(job, specs, current.status, runningAt);
  return view;
}

// Pod status per docs/sources.md#pai-1.4 enum; the mapping from job status is modelled.
function podStatus(jobStatus: string): string {
  if (jobStatus === "Running" || jobStatus === "Stopping") return "Running";
  if (jobStatus === "Succeeded") return "Succeeded";
  if (jobStatus === "Failed" || jobStatus === "Stopped") return "Failed";
  return "Pending";
}

function podsView(
  job: Job,
  specs: v.Json[],
  status: string,
  runningAt: number | undefined,
): Record<string, unknown>[] {
  return specs.flatMap((s) =>
    Array.from({ length: Number(s.PodCount ?? 0) }, (_, i) => ({
      Type: s.Type,
      PodId: `${job.id}-${String(s.Type).toLowerCase()}-${i}`,
      PodUid: `${job.id}-uid-${String(s.Type).toLowerCase()}-${i}`,
      Status: podStatus(status),
      SubStatus: "Normal",
      Ip: runningAt === undefined ? "" : `10.0.0.${i + 1}`,
      GmtCreateTime: isoTime(job.createdAt),
      HistoryPods: [],
    })),
  );
}

/** JobRecord for the test-facing accessors: stored body + id, status, deleted flag. */
export function jobRecord(
  store: Store,
  job: Job,
): Record<string, unknown> & { JobId: string; DisplayName: string; Status: string; deleted: boolean } {
  return {
    ...job.body,
    WorkspaceId: job.workspaceId,
    JobId: job.id,
    DisplayName: String(job.body.DisplayName),
    Status: jobStatus(job, store.now()),
    deleted: job.deletedAt !== undefined,
  };
}

function createJob(store: Store, ctx: Ctx): Reply {
  if (ctx.bodyBytes > MAX_CREATE_JOB_BYTES)
    throw invalidParameter(
      "body",
      `request is ${ctx.bodyBytes} bytes; CreateJob parameters must not exceed ${MAX_CREATE_JOB_BYTES} bytes`,
    );
  v.onlyQueryKeys(ctx.query, []);
  const body = v.asObject(ctx.body, "body");
  validateCreateJob(body, store);
  const job: Job = {
    id: newId("dlc"),
    body: structuredClone(body),
    workspaceId: typeof body.WorkspaceId === "string" ? body.WorkspaceId : DEFAULT_WORKSPACE_ID,
    createdAt: store.now(),
    timing: { ...store.timing },
    held: false,
  };
  store.jobs.set(job.id, job);
  const record = jobRecord(store, job);
  for (const rule of store.jobRules) if (rule.match(record)) rule.apply(job);
  return { body: { JobId: job.id, RequestId: ctx.requestId } };
}

function getJob(store: Store, ctx: Ctx): Reply {
  v.onlyQueryKeys(ctx.query, ["NeedDetail"]);
  const detail = v.queryBool(ctx.query, "NeedDetail") ?? true;
  const job = jobOrNotFound(store, ctx.params.JobId ?? "");
  return { body: { ...jobView(store, job, detail), RequestId: ctx.requestId } };
}

function stopJob(store: Store, ctx: Ctx): Reply {
  v.onlyQueryKeys(ctx.query, []);
  const job = jobOrNotFound(store, ctx.params.JobId ?? "");
  const status = jobStatus(job, store.now());
  // docs/sources.md#pai-1.1: StopJob stops a job that has not finished; a finished job is refused (code modelled).
  if (isTerminalJob(status))
    throw inventedError(
      400,
      "InvalidJobStatus",
      `Job "${job.id}" is ${status} and cannot be stopped.`,
      "StopJob on a finished job: code undocumented",
    );
  if (job.stopAt === undefined) job.stopAt = store.now();
  return { body: { JobId: job.id, RequestId: ctx.requestId } };
}

function deleteJob(store: Store, ctx: Ctx): Reply {
  v.onlyQueryKeys(ctx.query, []);
  const job = jobOrNotFound(store, ctx.params.JobId ?? "");
  const status = jobStatus(job, store.now());
  // docs/sources.md#pai-1.1 [META]: DeleteJob "deletes a completed or stopped job"; others are refused (code modelled).
  if (!isTerminalJob(status))
    throw inventedError(
      400,
      "InvalidJobStatus",
      `Job "${job.id}" is ${status}; only Succeeded, Failed or Stopped jobs can be deleted. Stop it first.`,
      "DeleteJob on a running job: code undocumented",
    );
  job.deletedAt = store.now();
  return { body: { JobId: job.id, RequestId: ctx.requestId } };
}

function listJobs(store: Store, ctx: Ctx): Reply {
  const q = ctx.query;
  v.onlyQueryKeys(q, LIST_KEYS);
  const status = v.queryEnum(q, "Status", JOB_STATUSES);
  const jobType = v.queryEnum(q, "JobType", JOB_TYPES);
  const sortBy =
    v.queryEnum(q, "SortBy", ["DisplayName", "JobType", "Status", "GmtCreateTime", "GmtFinishTime"]) ??
    "GmtCreateTime";
  const order = v.queryEnum(q, "Order", ["desc", "asc"]) ?? "desc";
  const showOwn = v.queryBool(q, "ShowOwn");
  const fromAll = v.queryBool(q, "FromAllWorkspaces");
  if (fromAll && !showOwn) throw invalidParameter("FromAllWorkspaces", "requires ShowOwn=true");
  const tags = v.queryJsonMap(q, "Tags");
  const start = q.StartTime === undefined ? undefined : parseTime(q.StartTime, "StartTime");
  const end = q.EndTime === undefined ? undefined : parseTime(q.EndTime, "EndTime");
  const now = store.now();
  let items = [...store.jobs.values()]
    .filter((j) => j.deletedAt === undefined)
    .map((j) => jobView(store, j, false));
  const str = (x: unknown): string => (typeof x === "string" ? x : "");
  if (q.DisplayName)
    items = items.filter((j) =>
      str(j.DisplayName)
        .toLowerCase()
        .includes((q.DisplayName ?? "").toLowerCase()),
    );
  if (q.JobId) items = items.filter((j) => str(j.JobId).includes(q.JobId ?? ""));
  if (q.JobIds) items = items.filter((j) => (q.JobIds ?? "").split(",").includes(str(j.JobId)));
  if (status) items = items.filter((j) => j.Status === status);
  if (jobType) items = items.filter((j) => j.JobType === jobType);
  if (q.WorkspaceId) items = items.filter((j) => j.WorkspaceId === q.WorkspaceId);
  if (q.ResourceId) items = items.filter((j) => j.ResourceId === q.ResourceId);
  if (tags) {
    items = items.filter((j) => {
      const jobTags = (
        v.isObject(j.Settings) && v.isObject(j.Settings.Tags) ? j.Settings.Tags : {}
      ) as Record<string, unknown>;
      return Object.entries(tags).every(([k, val]) => jobTags[k] === val);
    });
  }
  // Creation-time window; the documented default is the last 7 days (docs/sources.md#pai-1.5).
  const from = start ?? now - 7 * 24 * 3600 * 1000;
  items = items.filter((j) => {
    const t = Date.parse(str(j.GmtCreateTime));
    return t >= Math.floor(from / 1000) * 1000 && (end === undefined || t <= end);
  });
  const sign = order === "asc" ? 1 : -1;
  items.sort((a, b) => sign * str(a[sortBy]).localeCompare(str(b[sortBy])));
  // PageSize default 50 / max 100 are modelled (unconfirmed: not in the public documentation).
  const page = v.paginate(items, q, 50, 100);
  return { body: { Jobs: page, TotalCount: items.length, RequestId: ctx.requestId } };
}

function parseTime(s: string, name: string): number {
  const t = Date.parse(s);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(s) || Number.isNaN(t))
    throw invalidParameter(name, `must be an ISO-8601 UTC time, got "${s}"`);
  return t;
}

export function dlcRoutes(store: Store): Route[] {
  const r = routeMaker("dlc", store);
  return [
    r("CreateJob", "POST", "/api/v1/jobs", true, createJob),
    r("ListJobs", "GET", "/api/v1/jobs", false, listJobs),
    r("GetJob", "GET", "/api/v1/jobs/{JobId}", false, getJob),
    r("DeleteJob", "DELETE", "/api/v1/jobs/{JobId}", false, deleteJob),
    r("StopJob", "POST", "/api/v1/jobs/{JobId}/stop", false, stopJob),
  ];
}
