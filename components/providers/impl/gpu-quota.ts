// Lingjun GPU quota provider logic (PAIStudio API, docs/sources.md#pai-3). Loaded at call time by ../gpu-quota.ts.
import { z } from "zod";
import {
  type NodeSpec,
  type Quota,
  type QuotaLabel,
  QuotaClient,
  createQuotaIdempotent,
  type ExistingQuotaVerdict,
} from "../../../infra/pai";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { type GpuQuotaInputs, type GpuQuotaOutputs } from "../gpu-quota";
import {
  ResourceInitFailure,
  checkInputs,
  clientOptions,
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

/** Changes that need a new quota. */
export const REPLACE_KEYS = ["region", "quotaName", "resourceType", "nodeSpec", "parentQuotaId"] as const;
/** ScaleQuota in place. */
export const SCALE_KEYS = ["nodeCount", "resourceGroupIds"] as const;
/** UpdateQuota in place. */
export const UPDATE_KEYS = ["labels", "description", "queueStrategy"] as const;

/** Marks quotas this provider created, so an interrupted create can adopt them and nothing else (label key). */
export const OWNER_LABEL_KEY = "pulumi-managed";

const QUEUE_STRATEGIES = [
  "PaiStrategyIntelligent",
  "PaiStrategyBalance",
  "PaiStrategyRoundRobin",
  "PaiStrategyStrictFIFO",
] as const;
const inputsSchema = z
  .object({
    region: regionIdSchema,
    quotaName: z
      .string()
      .min(1)
      .max(63, "must be 1-63 characters")
      .regex(/^[A-Za-z0-9_-]+$/, "only letters, digits, _ and -"),
    resourceType: z.literal("Lingjun", "only Lingjun is supported"),
    nodeSpec: z.string().trim().min(1, "must not be empty"),
    nodeCount: z.number().int().min(1, "must be at least 1"),
    resourceGroupIds: z.array(z.string().min(1)).optional(),
    parentQuotaId: z.string().min(1).optional(),
    queueStrategy: z.enum(QUEUE_STRATEGIES).optional(),
    description: z.string().optional(),
    labels: z.record(z.string().min(1), z.string()).optional(),
    endpoint: z.string().optional(),
  })
  .partial();
const REQUIRED = ["region", "quotaName", "resourceType", "nodeSpec", "nodeCount"] as const;

/** Validates inputs; unknown preview values are skipped. */
export function check(
  _olds: GpuQuotaInputs,
  news: GpuQuotaInputs,
): Promise<dynamic.CheckResult<GpuQuotaInputs>> {
  const failures = checkInputs(news, REQUIRED, inputsSchema);
  // In preview the whole labels map may still be unknown (a string sentinel): nothing to check yet.
  if (news.labels && typeof news.labels === "object" && OWNER_LABEL_KEY in news.labels) {
    failures.push({ property: "labels", reason: `label ${OWNER_LABEL_KEY} is reserved` });
  }
  return Promise.resolve({ inputs: news, failures });
}

/** nodeSpec/resourceType/region/quotaName/parent → replace; count, groups, labels, description, queue → in place. */
export function diff(_id: string, olds: GpuQuotaOutputs, news: GpuQuotaInputs): Promise<dynamic.DiffResult> {
  const d = diffKeys(olds as never, news as never, REPLACE_KEYS, [...SCALE_KEYS, ...UPDATE_KEYS]);
  return Promise.resolve({ changes: d.changes, replaces: d.replaces, deleteBeforeReplace: false });
}

const client = (inputs: Pick<GpuQuotaInputs, "region" | "endpoint">) =>
  new QuotaClient(clientOptions(inputs.region, inputs.endpoint));
const nodeSpecs = (inputs: GpuQuotaInputs): NodeSpec[] => [
  { type: inputs.nodeSpec, count: inputs.nodeCount },
];
const labels = (inputs: GpuQuotaInputs): QuotaLabel[] => [
  ...Object.entries(inputs.labels ?? {}).map(([key, value]) => ({ key, value })),
  { key: OWNER_LABEL_KEY, value: "true" },
];

// docs/sources.md#pai-3.3: statuses are not enumerated (UNCONFIRMED docs/sources.md#pai-6.1). `Ready` is the documented usable state; the
// secondary source says `Enabled`. Known in-progress states are waited on; failure-looking states
// fail; anything else unknown is accepted as usable with a note (poll "until not Creating").
const USABLE = ["Ready", "Enabled"];
const IN_PROGRESS = ["Creating", "Initializing", "Updating", "Scaling", "Pending", "Deploying"];
const FAILED = /fail|error|deleting|deleted/i;

function outputs(inputs: GpuQuotaInputs, quota: Quota): GpuQuotaOutputs {
  return definedOnly({
    ...inputs,
    quotaId: quota.quotaId,
    status: quota.status,
    reasonCode: quota.reasonCode,
    reasonMessage: quota.reasonMessage,
  });
}

const QUOTA_WAIT_MS = () => waitLimitMs("PAI_QUOTA_WAIT_MINUTES", 30);

async function waitUsable(inputs: GpuQuotaInputs, quotaId: string, what: string): Promise<Quota> {
  const quotas = client(inputs);
  const label = `PAI quota ${inputs.quotaName} (${quotaId})`;
  let last: Quota | undefined;
  const fail = (message: string) =>
    new ResourceInitFailure(
      message,
      quotaId,
      withProvider(inputs, last ? outputs(inputs, last) : { ...inputs, quotaId, status: "Unknown" }),
    );
  return pollUntil(
    label,
    async () => {
      last = await quotas.getQuota(quotaId);
      if (USABLE.includes(last.status)) return { done: true, value: last };
      if (FAILED.test(last.status)) {
        const reason = [last.reasonCode, last.reasonMessage].filter(Boolean).join(": ") || "no reason given";
        throw fail(`${label} is ${last.status} after ${what}: ${reason}`);
      }
      if (!IN_PROGRESS.includes(last.status)) {
        report(`${label}: unrecognised status ${last.status}; treating it as usable`);
        return { done: true, value: last };
      }
      return { done: false, status: last.status };
    },
    QUOTA_WAIT_MS(),
    (status) =>
      fail(`${label}: still ${status} after ${QUOTA_WAIT_MS() / 60_000} min (${what}); kept in state`),
  );
}

/** An existing same-name quota: ours with the same spec → adopt; ours otherwise → ignore; not ours → refuse. */
function classifyExisting(inputs: GpuQuotaInputs, quota: Quota): ExistingQuotaVerdict {
  const ours = quota.labels.some((l) => l.key === OWNER_LABEL_KEY && l.value === "true");
  if (!ours) return "refuse";
  const sameSpec =
    quota.resourceType === inputs.resourceType &&
    (quota.parentQuotaId ?? "") === (inputs.parentQuotaId ?? "") &&
    quota.nodeSpecs.some((n) => n.type === inputs.nodeSpec);
  return sameSpec ? "adopt" : "ignore";
}

/** Creates (or adopts our own interrupted) quota and waits until it is usable. */
export async function create(inputs: GpuQuotaInputs): Promise<dynamic.CreateResult<GpuQuotaOutputs>> {
  const { quotaId, adopted } = await createQuotaIdempotent(
    client(inputs),
    {
      quotaName: inputs.quotaName,
      resourceType: inputs.resourceType,
      nodeSpecs: nodeSpecs(inputs),
      parentQuotaId: inputs.parentQuotaId,
      resourceGroupIds: inputs.resourceGroupIds,
      queueStrategy: inputs.queueStrategy,
      description: inputs.description,
      labels: labels(inputs),
    },
    (quota) => classifyExisting(inputs, quota),
  );
  report(`PAI quota ${inputs.quotaName}: ${adopted ? "adopted" : "created"} ${quotaId}`);
  const quota = await waitUsable(inputs, quotaId, "create");
  return { id: quotaId, outs: outputs(inputs, quota) };
}

/** Refreshes status and node count; gone when not found. */
export async function read(
  id: string,
  props?: GpuQuotaOutputs,
): Promise<dynamic.ReadResult<GpuQuotaOutputs>> {
  if (!props) throw new Error(`PAI quota ${id}: cannot read without prior state (import is not supported)`);
  const quota = await unlessNotFound(client(props).getQuota(id));
  if (!quota) return { id: "", props: undefined };
  const spec = quota.nodeSpecs.find((n) => n.type === props.nodeSpec);
  const refreshed: GpuQuotaInputs = { ...props, nodeCount: spec ? spec.count : props.nodeCount };
  return { id, props: { ...props, ...outputs(refreshed, quota) } };
}

const changedAny = (olds: GpuQuotaOutputs, news: GpuQuotaInputs, keys: readonly string[]) =>
  diffKeys(olds as never, news as never, keys, []).changes;

/** ScaleQuota when node count/groups change, UpdateQuota for labels/description/queue; waits usable. */
export async function update(
  id: string,
  olds: GpuQuotaOutputs,
  news: GpuQuotaInputs,
): Promise<dynamic.UpdateResult<GpuQuotaOutputs>> {
  const quotas = client(news);
  // One change at a time, each followed by a wait: a quota accepts changes only when usable.
  if (changedAny(olds, news, UPDATE_KEYS)) {
    await quotas.updateQuota(id, {
      description: news.description,
      labels: labels(news),
      queueStrategy: news.queueStrategy,
    });
    await waitUsable(news, id, "update");
  }
  if (changedAny(olds, news, SCALE_KEYS)) {
    report(
      `PAI quota ${news.quotaName} (${id}): scaling ${olds.nodeCount} → ${news.nodeCount} × ${news.nodeSpec}`,
    );
    await quotas.scaleQuota(id, { nodeSpecs: nodeSpecs(news), resourceGroupIds: news.resourceGroupIds });
  }
  const quota = await waitUsable(news, id, "update");
  return { outs: outputs(news, quota) };
}

/** DeleteQuota, then waits until it is gone. Not-found is success. */
export async function remove(id: string, props: GpuQuotaOutputs): Promise<void> {
  const quotas = client(props);
  if (await wasNotFound(quotas.deleteQuota(id))) return;
  await pollUntil(
    `PAI quota ${props.quotaName} (${id})`,
    async () => {
      const q = await unlessNotFound(quotas.getQuota(id));
      return q ? { done: false, status: q.status } : { done: true, value: undefined };
    },
    QUOTA_WAIT_MS(),
    (status) => new Error(`PAI quota ${props.quotaName} (${id}): still ${status} after delete`),
  );
}
