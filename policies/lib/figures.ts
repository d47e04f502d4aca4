/**
 * A job's and a service's figures as the cost and memory policies need them, computed from the
 * resource's props alone through infra/sizing (sizeJob, sizeService): no second formula.
 */
import type { PolicyResource } from "@pulumi/policy";
import { sizeJob, sizeService, type JobSizing, type JobSizingInputs } from "../../infra/sizing";
import type { ServiceSizing, ServiceSizingInputs } from "../../infra/sizing";
import type { Finding } from "./define";
import { jobSizing, label, limitHours, runsOnQuota, serviceSizing } from "./resources";

export interface JobFigures {
  inputs: JobSizingInputs;
  sized: JobSizing;
  onQuota: boolean;
  /** Estimated hours (NaN when the GPU's peak TFLOPS are unknown). */
  hours: number;
  /** The job's own limit (maxRunningTimeMinutes / 60); undefined when it has none. */
  limitHours: number | undefined;
  /** Hours that can be billed: the estimate, never past the limit (the job is stopped there). */
  billedHours: number;
  /** Cost of billedHours; undefined without a price or without a time estimate. */
  cost?: { amount: number; currency: string; kind: string };
  /** GPUs the job holds: whole instances pay-as-you-go, its share on the quota. */
  reservedGpus: number;
  gpuHours: number;
}

/** Figures of a DlcJob, or the property path that was unknown at preview, or undefined without sizing. */
// Several policies ask for the same resource's figures in one run: compute them once per resource.
const jobCache = new WeakMap<PolicyResource, JobFigures | { unknown: string } | undefined>();
const serviceCache = new WeakMap<PolicyResource, ServiceFigures | { unknown: string } | undefined>();

export function jobFigures(r: PolicyResource): JobFigures | { unknown: string } | undefined {
  if (!jobCache.has(r)) jobCache.set(r, computeJobFigures(r));
  return jobCache.get(r);
}

export function serviceFigures(r: PolicyResource): ServiceFigures | { unknown: string } | undefined {
  if (!serviceCache.has(r)) serviceCache.set(r, computeServiceFigures(r));
  return serviceCache.get(r);
}

function computeJobFigures(r: PolicyResource): JobFigures | { unknown: string } | undefined {
  const s = jobSizing(r);
  if (!s.known) return { unknown: s.path };
  if (!s.value) return undefined;
  const quota = runsOnQuota(r);
  if (!quota.known) return { unknown: quota.path };
  const limit = limitHours(r);
  if (!limit.known) return { unknown: limit.path };
  const inputs = s.value;
  const sized = sizeJob(inputs);
  const hours = sized.cost.hours.value;
  const billedHours = limit.value !== undefined ? Math.min(hours, limit.value) : hours;
  const t = inputs.training;
  const reservedGpus = quota.value
    ? t.gpusPerNode * t.nodes
    : inputs.instance.gpuCount * inputs.instanceCount;
  const c = sized.cost.cost;
  return {
    inputs,
    sized,
    onQuota: quota.value,
    hours,
    limitHours: limit.value,
    billedHours,
    ...(c && sized.cost.currency && Number.isFinite(hours) && hours > 0
      ? {
          cost: {
            amount: c.value * (billedHours / hours),
            currency: sized.cost.currency,
            kind: sized.cost.priceKind ?? "unknown",
          },
        }
      : {}),
    reservedGpus,
    gpuHours: reservedGpus * billedHours,
  };
}

export interface ServiceFigures {
  inputs: ServiceSizingInputs;
  sized: ServiceSizing;
  /** Monthly cost at max replicas; undefined without a price. */
  monthlyMax?: { amount: number; currency: string; kind: string };
}

function computeServiceFigures(r: PolicyResource): ServiceFigures | { unknown: string } | undefined {
  const s = serviceSizing(r);
  if (!s.known) return { unknown: s.path };
  if (!s.value) return undefined;
  const sized = sizeService(s.value);
  const m = sized.cost.monthlyMax;
  return {
    inputs: s.value,
    sized,
    ...(m && sized.cost.currency
      ? {
          monthlyMax: {
            amount: m.value,
            currency: sized.cost.currency,
            kind: sized.cost.priceKind ?? "unknown",
          },
        }
      : {}),
  };
}

export const isUnknown = (x: unknown): x is { unknown: string } =>
  typeof x === "object" && x !== null && "unknown" in x;

/**
 * The resources whose figures are known, each with them. One whose figures are unknown at preview
 * gets a finding instead (`<resource>: <property> is unknown at preview<why>`): a cap fails closed
 * and says which value it could not see. Resources without sizing are skipped.
 */
export function* figured<F extends object>(
  resources: readonly PolicyResource[],
  figuresOf: (r: PolicyResource) => F | { unknown: string } | undefined,
  out: Finding[],
  why: string,
): Generator<{ r: PolicyResource; f: F }> {
  for (const r of resources) {
    const f = figuresOf(r);
    if (f === undefined) continue;
    if (isUnknown(f))
      out.push({ resource: r, message: `${label(r)}: ${f.unknown} is unknown at preview${why}` });
    else yield { r, f };
  }
}
