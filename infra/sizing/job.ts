/**
 * One fine-tune job sized from exactly what a resource can carry: the model's architecture, the run's
 * settings, the workload and the placement. `infra/resolve` sizes every job through this function, and each
 * DlcJob carries these inputs (`sizing`), so the policy pack and review reports recompute the same
 * figures from a resource's props alone: one source for the plan, the policies and the reports.
 */
import type { InstanceType, CatalogModel } from "../catalog";
import { estimateTrainingMemory } from "./memory-training";
import { fitsOn } from "./right-size";
import type { MemoryEstimate, TrainingSettings } from "./settings";
import { estimateTrainingCost, type TrainingCostEstimate, type TrainingWorkload } from "./time-cost";
import { GiB } from "./units";

export interface JobSizingInputs {
  model: CatalogModel;
  /** Exactly what the memory estimator is given (GPUs per node and nodes included). */
  training: TrainingSettings;
  workload: TrainingWorkload;
  /** The instance type (or the quota's node type) one node of the job runs on. */
  instance: InstanceType;
  /** Instances paid for: one per node. */
  instanceCount: number;
  /** Fraction of GPU memory the estimate must leave free (0.1: use at most 90 %). */
  headroom: number;
}

export interface JobSizing {
  memory: MemoryEstimate;
  cost: TrainingCostEstimate;
  /** Memory of one GPU of the instance. */
  gpuMemoryBytes: number;
  /** The per-GPU estimate is within (1 − headroom) of one GPU's memory. */
  fits: boolean;
}

export function sizeJob(i: JobSizingInputs): JobSizing {
  const memory = estimateTrainingMemory(i.model, i.training);
  return {
    memory,
    cost: estimateTrainingCost(i.model, i.training, i.workload, i.instance, i.instanceCount),
    gpuMemoryBytes: i.instance.gpuMemoryGiB * GiB,
    fits: fitsOn(memory, i.instance, i.headroom),
  };
}

/**
 * The form a DlcJob carries: one JSON string. The engine serializes every leaf of an object input on
 * its own (about 1 ms per job for this one, measured with bench/plan-scale.ts), and nothing diffs it,
 * so a single string costs one leaf.
 */
export function encodeJobSizing(inputs: JobSizingInputs): string {
  return JSON.stringify(inputs);
}

/** Reads what encodeJobSizing wrote; a clear error names what is missing. */
export function decodeJobSizing(text: string): JobSizingInputs {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`sizing: not JSON (${(err as Error).message})`);
  }
  const v = value as Partial<JobSizingInputs> | null;
  const missing = (
    ["model", "training", "workload", "instance", "instanceCount", "headroom"] as const
  ).filter((key) => v === null || typeof v !== "object" || v[key] === undefined);
  if (missing.length > 0) throw new Error(`sizing: missing ${missing.join(", ")}`);
  return v as JobSizingInputs;
}
