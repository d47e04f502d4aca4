// Right-sizing: the cheapest catalog instance type (and count) whose GPUs fit a job or a service.
import type { Catalog, InstanceType, CatalogModel, Price } from "../catalog";
import { estimateInferenceMemory } from "./memory-inference";
import { estimateTrainingMemory } from "./memory-training";
import type { InferenceSettings, MemoryEstimate, TrainingSettings } from "./settings";
import { servingPrecisionForGpu, trainingSettingsForGpu } from "./gpu-capabilities";
import { GiB } from "./units";

export interface FitOption {
  instance: InstanceType;
  /** GPUs used per instance (all of them: instances are rented whole). */
  gpusUsed: number;
  instanceCount: number;
  perGpuBytes: number;
  /** GPU memory left per GPU after the estimate (bytes). */
  headroomBytes: number;
  /** instanceCount × hourly price; absent when the instance has no price. */
  hourlyCost?: number;
  currency?: string;
  priceKind?: Price["kind"];
  warnings: string[];
}

/** Default headroom: the estimate must use at most 90 % of GPU memory. */
export const DEFAULT_HEADROOM = 0.1;

/** true when the per-GPU estimate is ≤ (1 − headroom) × the instance's GPU memory. */
export function fitsOn(
  estimate: MemoryEstimate,
  instance: InstanceType,
  headroom = DEFAULT_HEADROOM,
): boolean {
  return estimate.perGpuBytes <= (1 - headroom) * instance.gpuMemoryGiB * GiB;
}

/** Order: priced options by hourly cost (cheapest first), ties by fewer GPUs, then id; unpriced options last. */
export function compareFits(a: FitOption, b: FitOption): number {
  const pa = a.hourlyCost !== undefined;
  const pb = b.hourlyCost !== undefined;
  if (pa !== pb) return pa ? -1 : 1;
  if (pa && pb && a.currency !== b.currency) return (a.currency ?? "").localeCompare(b.currency ?? "");
  const cost = (a.hourlyCost ?? 0) - (b.hourlyCost ?? 0);
  if (cost !== 0) return cost;
  const gpus = a.gpusUsed * a.instanceCount - b.gpusUsed * b.instanceCount;
  if (gpus !== 0) return gpus;
  return a.instance.id.localeCompare(b.instance.id);
}

function option(instance: InstanceType, count: number, est: MemoryEstimate): FitOption {
  const p = instance.price;
  const warnings: string[] = [];
  if (!p) warnings.push(`${instance.id} has no price: listed after priced types, cost unknown`);
  else if (p.kind === "unverified") warnings.push(`${instance.id} price is unverified (${p.source})`);
  else if (p.kind === "official-upper-bound")
    warnings.push(`${instance.id} price is an official upper bound`);
  return {
    instance,
    gpusUsed: instance.gpuCount,
    instanceCount: count,
    perGpuBytes: est.perGpuBytes,
    headroomBytes: instance.gpuMemoryGiB * GiB - est.perGpuBytes,
    hourlyCost: p ? p.amount * count : undefined,
    currency: p?.currency,
    priceKind: p?.kind,
    warnings,
  };
}

function gpuModelMatches(instance: InstanceType, gpuModel?: string): boolean {
  return gpuModel === undefined || instance.gpuModel.toLowerCase() === gpuModel.toLowerCase();
}

/** Every catalog instance type that fits the job, with the fewest nodes (≤ maxNodes, default 4) it needs. */
export function rightSizeTraining(
  catalog: Catalog,
  model: CatalogModel,
  s: Omit<TrainingSettings, "gpusPerNode" | "nodes">,
  opts: {
    headroom?: number;
    gpuModel?: string;
    usage?: "dlc" | "lingjun";
    maxNodes?: number;
    /** The precision was pinned: skip GPUs that cannot run it (else bf16 runs as fp16 there). */
    precisionPinned?: boolean;
  } = {},
): FitOption[] {
  const maxNodes = opts.maxNodes ?? 4;
  const out: FitOption[] = [];
  // The estimate depends on the instance only through its GPU count and what its GPU runs (precision,
  // attention kernel): the catalog has dozens of instances but a handful of shapes, each estimated once.
  const estimates = new Map<string, MemoryEstimate>();
  const estimate = (runs: typeof s, gpusPerNode: number, nodes: number): MemoryEstimate => {
    const key = `${gpusPerNode}x${nodes}/${runs.precision}/${runs.attention ?? "fa2"}`;
    let est = estimates.get(key);
    if (!est) estimates.set(key, (est = estimateTrainingMemory(model, { ...runs, gpusPerNode, nodes })));
    return est;
  };
  for (const instance of catalog.instances.values()) {
    const usable = opts.usage ? instance.usage.includes(opts.usage) : instance.usage.some((u) => u !== "eas");
    if (!usable || !gpuModelMatches(instance, opts.gpuModel)) continue;
    const runs = trainingSettingsForGpu(s, instance, opts.precisionPinned ?? false);
    if (!runs) continue;
    for (let nodes = 1; nodes <= maxNodes; nodes++) {
      const est = estimate(runs, instance.gpuCount, nodes);
      if (fitsOn(est, instance, opts.headroom)) {
        out.push(option(instance, nodes, est));
        break;
      }
    }
  }
  return out.sort(compareFits);
}

/** Every EAS instance type (or, with usage "dlc", DLC type: an evaluation job) whose GPUs (all of them, tensor parallel) fit one replica. */
export function rightSizeInference(
  catalog: Catalog,
  model: CatalogModel,
  s: Omit<InferenceSettings, "gpus">,
  opts: {
    headroom?: number;
    gpuModel?: string;
    /** The precision was pinned: skip GPUs that cannot run it (else bf16 is served as fp16, same bytes). */
    precisionPinned?: boolean;
    /** "eas" (a service, the default) or "dlc" (an evaluation job generating answers). */
    usage?: "eas" | "dlc";
  } = {},
): FitOption[] {
  const usage = opts.usage ?? "eas";
  const out: FitOption[] = [];
  // As for training: one estimate per GPU count, not per instance.
  const estimates = new Map<number, MemoryEstimate>();
  for (const instance of catalog.instances.values()) {
    if (!instance.usage.includes(usage) || !gpuModelMatches(instance, opts.gpuModel)) continue;
    if (servingPrecisionForGpu(s.precision, instance, opts.precisionPinned ?? false) === undefined) continue;
    let est = estimates.get(instance.gpuCount);
    if (!est) {
      est = estimateInferenceMemory(model, { ...s, gpus: instance.gpuCount });
      estimates.set(instance.gpuCount, est);
    }
    if (fitsOn(est, instance, opts.headroom)) out.push(option(instance, 1, est));
  }
  return out.sort(compareFits);
}
