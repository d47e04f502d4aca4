// DLC job provider logic. Loaded at call time by ../dlc-job.ts; runs in the dynamic provider host.
import { createHash } from "node:crypto";
import { z } from "zod";
import {
  type CreateJobRequest,
  DlcClient,
  type Job,
  ROLE_ARN,
  createJobBody,
  createJobIdempotent,
  isTerminalJobStatus,
} from "../../../infra/pai";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { type DlcJobInputs, type DlcJobOutputs } from "../dlc-job";
import {
  ResourceInitFailure,
  checkInputs,
  clientOptions,
  containsUnknown,
  definedOnly,
  diffKeys,
  pollUntil,
  regionIdSchema,
  report,
  unlessNotFound,
  waitLimitMs,
  wasNotFound,
  withProvider,
} from "./common";

/** Inputs whose change means a different training run: replace. */
export const REPLACE_KEYS = [
  "region",
  "workspaceId",
  "displayName",
  "jobType",
  "image",
  "userCommand",
  "podCount",
  "ecsSpec",
  "resourceConfig",
  "resourceId",
  "envs",
  "dataSources",
  "maxRunningTimeMinutes",
  "priority",
  "outputUri",
  "roleArn",
] as const;
/** Inputs changed in place: how long/for what we wait, and tags (state only: UpdateJob is not used). */
export const UPDATE_KEYS = ["waitFor", "waitTimeoutMinutes", "tags"] as const;

const NAME = /^[A-Za-z0-9_.-]+$/;
const nonEmpty = z.string().trim().min(1, "must not be empty");
const inputsSchema = z
  .object({
    region: regionIdSchema,
    workspaceId: nonEmpty,
    displayName: z
      .string()
      .min(1)
      .max(200, "must be at most 200 characters")
      .regex(NAME, "only letters, digits, _ . -"),
    jobType: z.literal("PyTorchJob", "only PyTorchJob is supported"),
    image: nonEmpty,
    userCommand: nonEmpty,
    podCount: z.number().int().min(1, "must be at least 1"),
    ecsSpec: nonEmpty.optional(),
    resourceConfig: z
      .object({
        cpu: nonEmpty,
        gpu: nonEmpty,
        memory: nonEmpty,
        sharedMemory: z.string().optional(),
        gpuType: z.string().optional(),
      })
      .optional(),
    resourceId: nonEmpty.optional(),
    envs: z.record(z.string(), z.string()).optional(),
    dataSources: z
      .array(z.object({ uri: nonEmpty, mountPath: z.string().startsWith("/", "must be an absolute path") }))
      .optional(),
    maxRunningTimeMinutes: z.number().int().positive().optional(),
    priority: z.number().int().min(1).max(9, "must be 1..9").optional(),
    roleArn: z
      .string()
      .regex(ROLE_ARN, "must be a RAM role ARN: acs:ram::<account id>:role/<name>")
      .optional(),
    tags: z.record(z.string(), z.string()).optional(),
    outputUri: z.string().regex(/^oss:\/\/[^/]+/, "must be an oss:// URI"),
    waitFor: z.enum(["submitted", "running", "succeeded"]),
    waitTimeoutMinutes: z.number().positive().optional(),
    endpoint: z.string().optional(),
  })
  .partial(); // unknown (preview) values are removed before parsing; presence is checked in check()

const REQUIRED = [
  "region",
  "workspaceId",
  "displayName",
  "jobType",
  "image",
  "userCommand",
  "podCount",
  "outputUri",
  "waitFor",
] as const;

/** Validates inputs; unknown preview values are skipped. */
export function check(_olds: DlcJobInputs, news: DlcJobInputs): Promise<dynamic.CheckResult<DlcJobInputs>> {
  const failures = checkInputs(news, REQUIRED, inputsSchema);
  // Placement rules on presence, where a value still unknown in preview (a quota id, say) counts as set.
  // docs/sources.md#pai-1.3 ([SKILL], strong hint): public resources use EcsSpec; a quota uses ResourceConfig + ResourceId.
  const set = (key: keyof DlcJobInputs) => news[key] !== undefined && news[key] !== null;
  if (set("ecsSpec") && (set("resourceConfig") || set("resourceId"))) {
    failures.push({
      property: "ecsSpec",
      reason: "set ecsSpec (public) or resourceConfig+resourceId (quota), not both",
    });
  } else if (set("resourceConfig") !== set("resourceId")) {
    failures.push({
      property: set("resourceConfig") ? "resourceId" : "resourceConfig",
      reason: "resourceConfig and resourceId go together",
    });
  } else if (!failures.length && !set("ecsSpec") && !set("resourceId")) {
    failures.push({
      property: "ecsSpec",
      reason: "set ecsSpec (public resources) or resourceConfig+resourceId (quota)",
    });
  }
  // docs/sources.md#pai-1: CreateJob parameters must not exceed 65,536 bytes. Only computable once every value is known
  // (in preview the role ARN, say, is not yet); create sends the same body and PAI enforces the limit.
  if (!failures.length && !containsUnknown(news)) {
    const size = Buffer.byteLength(JSON.stringify(createJobBody(toCreateRequest(news))));
    if (size > 65_536)
      failures.push({
        property: "userCommand",
        reason: `CreateJob request is ${size} bytes; the limit is 65536`,
      });
  }
  return Promise.resolve({ inputs: news, failures });
}

/** Any training-relevant change replaces the job; wait settings and tags update in place. */
export function diff(_id: string, olds: DlcJobOutputs, news: DlcJobInputs): Promise<dynamic.DiffResult> {
  const d = diffKeys(olds as never, news as never, REPLACE_KEYS, UPDATE_KEYS);
  return Promise.resolve({ changes: d.changes, replaces: d.replaces, deleteBeforeReplace: false });
}

/** Hash of everything that defines the run; part of the DisplayName so a changed spec is a new name. */
export function replacingFieldsHash(inputs: DlcJobInputs): string {
  // roleArn joins the hash only when set, so jobs without a role keep the names they had before it existed.
  const keys = REPLACE_KEYS.filter((key) => key !== "roleArn" || inputs.roleArn !== undefined);
  const spec = Object.fromEntries(keys.map((key) => [key, inputs[key] ?? null]));
  return createHash("sha256").update(canonicalJson(spec)).digest("hex").slice(0, 12);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** DisplayName sent to DLC: `<displayName>-<spec hash>` (≤ 213 chars; DLC allows 256, docs/sources.md#pai-1.2). */
export function jobDisplayName(inputs: DlcJobInputs): string {
  return `${inputs.displayName}-${replacingFieldsHash(inputs)}`;
}

function toCreateRequest(inputs: DlcJobInputs): CreateJobRequest {
  return {
    displayName: jobDisplayName(inputs),
    jobType: inputs.jobType,
    jobSpecs: [
      {
        type: "Worker", // docs/sources.md#pai-1.3: PyTorchJob roles Worker/Master; the first Worker is promoted when no Master
        image: inputs.image,
        podCount: inputs.podCount,
        ecsSpec: inputs.ecsSpec,
        resourceConfig: inputs.resourceConfig,
      },
    ],
    userCommand: inputs.userCommand,
    workspaceId: inputs.workspaceId,
    resourceId: inputs.resourceId,
    priority: inputs.priority,
    envs: inputs.envs,
    dataSources: inputs.dataSources,
    jobMaxRunningTimeMinutes: inputs.maxRunningTimeMinutes,
    roleArn: inputs.roleArn,
    tags: { ...inputs.tags, "pulumi-spec-hash": replacingFieldsHash(inputs) },
  };
}

const client = (inputs: Pick<DlcJobInputs, "region" | "endpoint">) =>
  new DlcClient(clientOptions(inputs.region, inputs.endpoint));

function outputs(inputs: DlcJobInputs, job: Job): DlcJobOutputs {
  return definedOnly({
    ...inputs,
    jobId: job.jobId,
    status: job.status,
    reasonCode: job.reasonCode,
    reasonMessage: job.reasonMessage,
    gmtCreateTime: job.gmtCreateTime,
    jobDisplayName: jobDisplayName(inputs),
  });
}

const REACHED: Record<DlcJobInputs["waitFor"], readonly string[]> = {
  submitted: [],
  running: ["Running", "SucceededReserving", "Succeeded"],
  succeeded: ["SucceededReserving", "Succeeded"],
};
const FAILED = ["Failed", "FailedReserving", "Stopped", "Stopping"];

function defaultTimeoutMinutes(waitFor: DlcJobInputs["waitFor"]): number {
  return waitFor === "succeeded" ? 1440 : 60;
}

/** Waits until the job reaches `inputs.waitFor`; throws ResourceInitFailure (job kept in state) if it fails or times out. */
async function waitForJob(inputs: DlcJobInputs, jobId: string): Promise<Job> {
  const dlc = client(inputs);
  const label = `DLC job ${jobDisplayName(inputs)} (${jobId})`;
  const fail = (job: Job | undefined, message: string) =>
    new ResourceInitFailure(
      message,
      jobId,
      withProvider(inputs, job ? outputs(inputs, job) : { ...inputs, jobId, status: "Unknown" }),
    );
  let last: Job | undefined;
  if (inputs.waitFor === "submitted") {
    last = await dlc.getJob(jobId);
    report(`${label}: ${last.status}`);
    return last;
  }
  const target = REACHED[inputs.waitFor];
  const minutes = inputs.waitTimeoutMinutes ?? defaultTimeoutMinutes(inputs.waitFor);
  return pollUntil(
    label,
    async () => {
      last = await dlc.getJob(jobId);
      if (target.includes(last.status)) {
        report(`${label}: ${last.status}`);
        return { done: true, value: last };
      }
      if (FAILED.includes(last.status)) {
        const reason = [last.reasonCode, last.reasonMessage].filter(Boolean).join(": ") || "no reason given";
        throw fail(last, `${label} ended ${last.status} while waiting for ${inputs.waitFor}: ${reason}`);
      }
      return { done: false, status: last.status };
    },
    minutes * 60_000,
    (status) =>
      fail(
        last,
        `${label}: still ${status || "unknown"} after ${minutes} min waiting for ${inputs.waitFor}; the job is kept (run pulumi up to wait again, or destroy)`,
      ),
  );
}

/** Submits (or adopts) the job, then waits per `waitFor`. */
export async function create(inputs: DlcJobInputs): Promise<dynamic.CreateResult<DlcJobOutputs>> {
  const request = toCreateRequest(inputs);
  const { jobId, adopted } = await createJobIdempotent(client(inputs), request);
  report(`DLC job ${request.displayName}: ${adopted ? "adopted existing job" : "submitted"} ${jobId}`);
  const job = await waitForJob(inputs, jobId);
  return { id: jobId, outs: outputs(inputs, job) };
}

/** Refreshes status; a missing or deleted job is reported gone (empty id). */
export async function read(id: string, props?: DlcJobOutputs): Promise<dynamic.ReadResult<DlcJobOutputs>> {
  if (!props) throw new Error(`DLC job ${id}: cannot read without prior state (import is not supported)`);
  const job = await unlessNotFound(client(props).getJob(id));
  if (!job || job.isDeleted) return { id: "", props: undefined };
  return { id, props: { ...props, ...outputs(props, job) } };
}

/** In place: waits again when waitFor moved further; tags are recorded in state only. */
export async function update(
  id: string,
  olds: DlcJobOutputs,
  news: DlcJobInputs,
): Promise<dynamic.UpdateResult<DlcJobOutputs>> {
  const job = await waitForJob(news, olds.jobId || id);
  return { outs: outputs(news, job) };
}

/** Stops a job that is not finished, waits for it to end, deletes it. Not-found is success. Never touches OSS. */
export async function remove(id: string, props: DlcJobOutputs): Promise<void> {
  const dlc = client(props);
  const label = `DLC job ${props.jobDisplayName ?? props.displayName} (${id})`;
  const current = async (): Promise<Job | undefined> => {
    const job = await unlessNotFound(dlc.getJob(id));
    return job?.isDeleted ? undefined : job;
  };
  let job = await current();
  if (!job) return;
  if (!isTerminalJobStatus(job.status)) {
    if (job.status !== "Stopping") {
      report(`${label}: stopping (was ${job.status})`);
      try {
        await dlc.stopJob(id);
      } catch (err) {
        // A job that ended (or began stopping) meanwhile cannot be stopped: fine; anything else is real.
        job = await current();
        if (!job) return;
        if (!isTerminalJobStatus(job.status) && job.status !== "Stopping") throw err;
      }
    }
    job = await pollUntil(
      label,
      async () => {
        const now = await current();
        if (!now || isTerminalJobStatus(now.status)) return { done: true, value: now };
        return { done: false, status: now.status };
      },
      waitLimitMs("PAI_DLC_STOP_TIMEOUT_MINUTES", 30),
      (status) => new Error(`${label}: still ${status} after stop; not deleted`),
    );
    if (!job) return;
  }
  if (!(await wasNotFound(dlc.deleteJob(id))))
    report(`${label}: deleted (outputs in ${props.outputUri} are kept)`);
}
