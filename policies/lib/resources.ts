/**
 * What the policies know about the program's resources: their type tokens, and how to read a
 * property that may be unknown during `pulumi preview` (the engine hands props through
 * `unknownCheckingProxy`, which throws `UnknownValueError` on an unknown value).
 */
import type { PolicyResource } from "@pulumi/policy";
import {
  decodeJobSizing,
  decodeServiceSizing,
  type JobSizingInputs,
  type ServiceSizingInputs,
} from "../../infra/sizing";
import { isUnknownValueError } from "./unknowns";

export const TYPES = {
  dlcJob: "pulumi-nodejs:dynamic/pai:DlcJob",
  serviceEndpoints: "pulumi-nodejs:dynamic/pai:EasServiceEndpoints",
  autoscaler: "pulumi-nodejs:dynamic/pai:EasAutoscaler",
  gpuQuota: "pulumi-nodejs:dynamic/pai:GpuQuota",
  easService: "alicloud:pai/service:Service",
  bucket: "alicloud:oss/bucket:Bucket",
  bucketAcl: "alicloud:oss/bucketAcl:BucketAcl",
  bucketPublicAccessBlock: "alicloud:oss/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ramPolicy: "alicloud:ram/policy:Policy",
  platform: "pai-finetune:platform:FineTunePlatform",
} as const;

/** A value read from props: known, or unknown at preview with the property path that was unknown. */
export type Read<T> = { known: true; value: T } | { known: false; path: string };

/** Reads through the engine's unknown-checking proxy; an unknown value comes back with its path. */
export function read<T>(get: () => T): Read<T> {
  try {
    return { known: true, value: get() };
  } catch (err) {
    if (isUnknownValueError(err)) return { known: false, path: `.${err.props.map(String).join(".")}` };
    throw err;
  }
}

export const ofType = (resources: readonly PolicyResource[], type: string) =>
  resources.filter((r) => r.type === type);

/** A DlcJob's sizing inputs, or why they cannot be read. */
export function jobSizing(r: PolicyResource): Read<JobSizingInputs> | { known: true; value: undefined } {
  const text = read(() => r.props.sizing as unknown);
  if (!text.known) return text;
  if (text.value === undefined) return { known: true, value: undefined };
  try {
    return { known: true, value: decodeJobSizing(text.value as string) };
  } catch (err) {
    // Not ours any more (edited state, another program): a cap fails closed on it, saying why.
    return { known: false, path: `.sizing, which cannot be read (${(err as Error).message.slice(0, 120)})` };
  }
}

/** A service's sizing inputs (carried by its EasServiceEndpoints), or why they cannot be read. */
export function serviceSizing(
  r: PolicyResource,
): Read<ServiceSizingInputs> | { known: true; value: undefined } {
  const text = read(() => r.props.sizing as unknown);
  if (!text.known) return text;
  if (text.value === undefined) return { known: true, value: undefined };
  try {
    return { known: true, value: decodeServiceSizing(text.value as string) };
  } catch (err) {
    return { known: false, path: `.sizing, which cannot be read (${(err as Error).message.slice(0, 120)})` };
  }
}

/** A DlcJob runs on the stack's Lingjun quota when it names no pay-as-you-go instance (ecsSpec). */
export function runsOnQuota(r: PolicyResource): Read<boolean> {
  const spec = read(() => r.props.ecsSpec as unknown);
  return spec.known ? { known: true, value: spec.value === undefined || spec.value === "" } : spec;
}

/** The job's run-time limit in hours, from maxRunningTimeMinutes; undefined when it has none. */
export function limitHours(r: PolicyResource): Read<number | undefined> {
  const m = read(() => r.props.maxRunningTimeMinutes as unknown);
  if (!m.known) return m;
  return { known: true, value: typeof m.value === "number" ? m.value / 60 : undefined };
}

/**
 * The name a reader knows a resource by: a job's or service's name in the stack file, else the
 * Pulumi resource name. Exemptions may use either.
 */
export function subjectOf(r: PolicyResource | undefined): string {
  if (!r) return "stack";
  if (r.type === TYPES.dlcJob) {
    const tag = read(() => (r.props.tags as Record<string, unknown> | undefined)?.["pai-finetune-job"]);
    if (tag.known && typeof tag.value === "string") return tag.value;
  }
  if (r.type === TYPES.serviceEndpoints) {
    const s = read(() => r.props.sizing as unknown);
    if (s.known && typeof s.value === "string") {
      try {
        return decodeServiceSizing(s.value).name;
      } catch {
        // fall through to the resource name
      }
    }
  }
  return r.name;
}

/** "job tvfunc-qlora" / "service tvfunc_chat_dev" / the resource name, for messages. */
export function label(r: PolicyResource): string {
  if (r.type === TYPES.dlcJob) return `job ${subjectOf(r)}`;
  if (r.type === TYPES.serviceEndpoints) return `service ${subjectOf(r)}`;
  return r.name;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
export const money = (n: number, currency: string) => `${round(n).toLocaleString("en-US")} ${currency}`;
