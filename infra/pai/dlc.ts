// PAI-DLC 2020-12-03 client: CreateJob, GetJob, StopJob, DeleteJob, ListJobs (docs/sources.md#pai-1).
import { z } from "zod";
import { type OperationSpec, type PaiClientOptions, PaiCaller, encodePathParam, queryValue } from "./call";

/** Job statuses known from docs/sources.md#pai-1.6; the API may return others, so the type stays open. */
export type KnownJobStatus =
  | "Creating"
  | "Queuing"
  | "Bidding"
  | "EnvPreparing"
  | "SanityChecking"
  | "Running"
  | "Restarting"
  | "Stopping"
  | "SucceededReserving"
  | "FailedReserving"
  | "Succeeded"
  | "Failed"
  | "Stopped"
  | "Created"
  | "Dequeued";
/** A job status: one of KnownJobStatus or any string a newer API returns. */
export type JobStatus = KnownJobStatus | (string & {});

/** End states in every status list (docs/sources.md#pai-1.6). */
export const TERMINAL_JOB_STATUSES: readonly string[] = ["Succeeded", "Failed", "Stopped"];

/** True for Succeeded, Failed, Stopped. */
export function isTerminalJobStatus(status: string): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}

/** Resources of one pod on a quota (docs/sources.md#pai-1.3: all strings, e.g. "8", "1", "64Gi"). */
export interface ResourceConfig {
  cpu: string;
  gpu: string;
  memory: string;
  sharedMemory?: string;
  gpuType?: string;
}

/** One node role of a job (docs/sources.md#pai-1.3 JobSpec). Set `ecsSpec` (public) or `resourceConfig` (quota), not both. */
export interface JobSpec {
  /** Role, e.g. `Worker` or `Master`. */
  type: string;
  image: string;
  podCount: number;
  /** Public pay-as-you-go instance type, e.g. `ecs.gn7i-c8g1.2xlarge`. */
  ecsSpec?: string;
  /** Per-pod resources on a quota (with CreateJobRequest.resourceId). */
  resourceConfig?: ResourceConfig;
}

/** A dataset mount (docs/sources.md#pai-1.2 DataSources). */
export interface DataSource {
  uri?: string;
  mountPath?: string;
  dataSourceId?: string;
}

/** CreateJob input in JS names; mapped to docs/sources.md#pai-1.2 wire names. */
export interface CreateJobRequest {
  displayName: string;
  jobType: string;
  jobSpecs: JobSpec[];
  userCommand: string;
  workspaceId?: string;
  /** Quota id; empty = public resources. */
  resourceId?: string;
  /** 1..9, honoured for quota jobs only. */
  priority?: number;
  envs?: Record<string, string>;
  dataSources?: DataSource[];
  jobMaxRunningTimeMinutes?: number;
  /** Sent as Settings.Tags (docs/sources.md#pai-1.2 JobSettings). */
  tags?: Record<string, string>;
  /**
   * A custom RAM role the job runs as (`acs:ram::<account id>:role/<name>`), sent as CredentialConfig
   * (see credentialConfigBody). Default: none, i.e. the workspace's default role.
   */
  roleArn?: string;
}

/** A RAM role ARN; the account id is captured (used as AssumeRoleFor). */
export const ROLE_ARN = /^acs:ram::(\d+):role\/[^\s/]+$/;

/**
 * CreateJob `CredentialConfig` for one custom RAM role. Sources:
 * - Wire names: aliyun/alibabacloud-typescript-sdk pai-dlc-20201203/src/models/CredentialConfig.ts
 *   (AliyunEnvRoleKey, CredentialConfigItems, EnableCredentialInject), CredentialConfigItem.ts (Key,
 *   Roles, Type), CredentialRole.ts (AssumeRoleFor, AssumeUserInfo, Policy, RoleArn, RoleType); the DLC
 *   struct pages (alibabacloud.com/help/en/pai/developer-reference/api-pai-dlc-2020-12-03-credentialconfig,
 *   -credentialconfigitem, -credentialrole) list the same fields but no allowed values.
 * - Values: the DLC pages give none. Type "Role" (vs "RoleChain"), RoleType "service" (vs "user") and
 *   AssumeRoleFor = an account id are documented for PAI-DSW's struct of the same shape
 *   (api-pai-dsw-2022-01-01-struct-credentialconfig), and DLC callers found in public code send exactly
 *   this shape. UNCONFIRMED for DLC by a primary source: that AssumeRoleFor must be the role owner's
 *   account id, and the meaning of Key / AliyunEnvRoleKey beyond "the item whose credentials are
 *   injected" ("0" is the documented example value).
 * - "Each DLC job can be associated with only one RAM role" (PAI doc "Configure the DLC RAM role",
 *   alibabacloud.com/help/en/pai/user-guide/configure-the-dlc-ram-role): one item, one role.
 */
export function credentialConfigBody(roleArn: string): Record<string, unknown> {
  const account = ROLE_ARN.exec(roleArn)?.[1];
  if (!account) throw new Error(`not a RAM role ARN (acs:ram::<account id>:role/<name>): ${roleArn}`);
  return {
    EnableCredentialInject: true,
    AliyunEnvRoleKey: "0",
    CredentialConfigItems: [
      { Key: "0", Type: "Role", Roles: [{ RoleArn: roleArn, RoleType: "service", AssumeRoleFor: account }] },
    ],
  };
}

/** ListJobs filters (docs/sources.md#pai-1.5); all optional. */
export interface ListJobsRequest {
  /** Fuzzy match on the API side; filter exactly client-side if needed. */
  displayName?: string;
  workspaceId?: string;
  status?: string;
  jobType?: string;
  /** Matches Settings.Tags; sent as a JSON string (docs/sources.md#pai-0). */
  tags?: Record<string, string>;
  pageNumber?: number;
  pageSize?: number;
  showOwn?: boolean;
}

const numberish = z.union([z.number(), z.string().transform(Number)]);

const jobSchema = z.looseObject({
  JobId: z.string(),
  DisplayName: z.string().optional(),
  JobType: z.string().optional(),
  Status: z.string().optional().default("Unknown"),
  SubStatus: z.string().optional(),
  ReasonCode: z.string().optional(),
  ReasonMessage: z.string().optional(),
  WorkspaceId: z.string().optional(),
  ResourceId: z.string().optional(),
  GmtCreateTime: z.string().optional(),
  GmtFinishTime: z.string().optional(),
  IsDeleted: z.boolean().optional(),
  Settings: z.looseObject({ Tags: z.record(z.string(), z.string()).optional() }).optional(),
  RequestId: z.string().optional(),
});

const createJobResponse = z.looseObject({ JobId: z.string(), RequestId: z.string().optional() });
const jobIdResponse = z.looseObject({ JobId: z.string().optional(), RequestId: z.string().optional() });
const listJobsResponse = z.looseObject({
  Jobs: z
    .array(jobSchema)
    .nullish()
    .transform((jobs) => jobs ?? []),
  TotalCount: numberish.optional(),
  RequestId: z.string().optional(),
});

/** A job as our code sees it. */
export interface Job {
  jobId: string;
  displayName?: string;
  status: JobStatus;
  reasonCode?: string;
  reasonMessage?: string;
  workspaceId?: string;
  gmtCreateTime?: string;
  gmtFinishTime?: string;
  /** ListJobs can return deleted jobs (JobItem.IsDeleted, docs/sources.md#pai-1.5). */
  isDeleted: boolean;
  tags?: Record<string, string>;
}

function toJob(raw: z.infer<typeof jobSchema>): Job {
  return {
    jobId: raw.JobId,
    displayName: raw.DisplayName,
    status: raw.Status,
    reasonCode: raw.ReasonCode || undefined,
    reasonMessage: raw.ReasonMessage || undefined,
    workspaceId: raw.WorkspaceId,
    gmtCreateTime: raw.GmtCreateTime,
    gmtFinishTime: raw.GmtFinishTime,
    isDeleted: raw.IsDeleted === true,
    tags: raw.Settings?.Tags,
  };
}

/** docs/sources.md#pai-1.1 operation table. */
export const DLC_OPERATIONS = {
  CreateJob: { action: "CreateJob", method: "POST", idempotent: false },
  GetJob: { action: "GetJob", method: "GET", idempotent: true },
  StopJob: { action: "StopJob", method: "POST", idempotent: true },
  DeleteJob: { action: "DeleteJob", method: "DELETE", idempotent: true },
  ListJobs: { action: "ListJobs", method: "GET", idempotent: true },
} as const satisfies Record<string, OperationSpec>;

function jobSpecToWire(spec: JobSpec): Record<string, unknown> {
  const rc = spec.resourceConfig;
  return {
    Type: spec.type,
    Image: spec.image,
    PodCount: spec.podCount,
    EcsSpec: spec.ecsSpec,
    ResourceConfig: rc && {
      CPU: rc.cpu,
      GPU: rc.gpu,
      Memory: rc.memory,
      SharedMemory: rc.sharedMemory,
      GPUType: rc.gpuType,
    },
  };
}

/** Builds the docs/sources.md#pai-1.2 CreateJob body (undefined fields are dropped by JSON.stringify). */
export function createJobBody(req: CreateJobRequest): Record<string, unknown> {
  return {
    DisplayName: req.displayName,
    JobType: req.jobType,
    JobSpecs: req.jobSpecs.map(jobSpecToWire),
    UserCommand: req.userCommand,
    WorkspaceId: req.workspaceId,
    ResourceId: req.resourceId,
    Priority: req.priority,
    Envs: req.envs,
    DataSources: req.dataSources?.map((d) => ({
      DataSourceId: d.dataSourceId,
      Uri: d.uri,
      MountPath: d.mountPath,
    })),
    JobMaxRunningTimeMinutes: req.jobMaxRunningTimeMinutes,
    Settings: req.tags && { Tags: req.tags },
    CredentialConfig: req.roleArn === undefined ? undefined : credentialConfigBody(req.roleArn),
  };
}

/** Typed PAI-DLC client. */
export class DlcClient {
  readonly caller: PaiCaller;

  constructor(options: PaiClientOptions) {
    this.caller = new PaiCaller("dlc", options);
  }

  /** CreateJob. Not retried on ambiguous failures: use createJobIdempotent (idempotency.ts). */
  async createJob(req: CreateJobRequest): Promise<{ jobId: string; requestId?: string }> {
    const res = await this.caller.call(
      DLC_OPERATIONS.CreateJob,
      { pathname: "/api/v1/jobs", body: createJobBody(req), resource: `displayName=${req.displayName}` },
      createJobResponse,
    );
    return { jobId: res.JobId, requestId: res.RequestId };
  }

  /** GetJob (NeedDetail=false: we only read status fields). */
  async getJob(jobId: string): Promise<Job> {
    const raw = await this.caller.call(
      DLC_OPERATIONS.GetJob,
      {
        pathname: `/api/v1/jobs/${encodePathParam(jobId)}`,
        query: { NeedDetail: "false" },
        resource: `job=${jobId}`,
      },
      jobSchema,
    );
    return toJob(raw);
  }

  /** StopJob (no body, docs/sources.md#pai-1.1). */
  async stopJob(jobId: string): Promise<void> {
    await this.caller.call(
      DLC_OPERATIONS.StopJob,
      { pathname: `/api/v1/jobs/${encodePathParam(jobId)}/stop`, resource: `job=${jobId}` },
      jobIdResponse,
    );
  }

  /** DeleteJob: only for completed or stopped jobs (docs/sources.md#pai-1.1). */
  async deleteJob(jobId: string): Promise<void> {
    await this.caller.call(
      DLC_OPERATIONS.DeleteJob,
      { pathname: `/api/v1/jobs/${encodePathParam(jobId)}`, resource: `job=${jobId}` },
      jobIdResponse,
    );
  }

  /** One page of ListJobs. */
  async listJobs(req: ListJobsRequest = {}): Promise<{ jobs: Job[]; totalCount: number }> {
    const res = await this.caller.call(
      DLC_OPERATIONS.ListJobs,
      {
        pathname: "/api/v1/jobs",
        query: {
          DisplayName: req.displayName,
          WorkspaceId: req.workspaceId,
          Status: req.status,
          JobType: req.jobType,
          Tags: req.tags && JSON.stringify(req.tags),
          PageNumber: queryValue(req.pageNumber),
          PageSize: queryValue(req.pageSize),
          ShowOwn: queryValue(req.showOwn),
        },
        resource: req.displayName ? `displayName=${req.displayName}` : undefined,
      },
      listJobsResponse,
    );
    return { jobs: res.Jobs.map(toJob), totalCount: Number(res.TotalCount ?? res.Jobs.length) };
  }

  /** Every job matching `req`, following pages (bounded to 50 pages). */
  async listAllJobs(req: Omit<ListJobsRequest, "pageNumber"> = {}): Promise<Job[]> {
    const pageSize = req.pageSize ?? 100;
    const all: Job[] = [];
    for (let page = 1; page <= 50; page++) {
      const { jobs, totalCount } = await this.listJobs({ ...req, pageNumber: page, pageSize });
      all.push(...jobs);
      if (jobs.length < pageSize || all.length >= totalCount) break;
    }
    return all;
  }
}
