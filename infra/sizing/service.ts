/**
 * One inference service sized from exactly what a resource can carry, as sizeJob does for jobs: the
 * model's architecture, the serving settings, the instance (with its price), the replica range and
 * the headroom. The spec sizes every service through this function, and each service's
 * EasServiceEndpoints resource carries these inputs (`sizing`), so the policy pack and the review
 * recompute the same figures from a resource's props alone.
 */
import type { CatalogModel, InstanceType } from "../catalog";
import { estimateInferenceMemory } from "./memory-inference";
import { fitsOn } from "./right-size";
import type { InferenceSettings, MemoryEstimate } from "./settings";
import { estimateServiceMonthlyCost, type ServiceCostEstimate } from "./time-cost";
import { GiB } from "./units";

export interface ServiceSizingInputs {
  /** The stack's service name (for messages and exemptions). */
  name: string;
  model: CatalogModel;
  /** Exactly what the inference estimator is given (`gpus`: all GPUs of the instance, tensor parallel). */
  inference: InferenceSettings;
  /** The instance type one replica runs on. */
  instance: InstanceType;
  replicas: { min: number; max: number };
  /** Fraction of GPU memory the estimate must leave free (0.1: the engine may use at most 90 %). */
  headroom: number;
}

export interface ServiceSizing {
  memory: MemoryEstimate;
  cost: ServiceCostEstimate;
  /** Memory of one GPU of the instance. */
  gpuMemoryBytes: number;
  fits: boolean;
}

export function sizeService(i: ServiceSizingInputs): ServiceSizing {
  const memory = estimateInferenceMemory(i.model, i.inference);
  return {
    memory,
    cost: estimateServiceMonthlyCost(i.instance, i.replicas),
    gpuMemoryBytes: i.instance.gpuMemoryGiB * GiB,
    fits: fitsOn(memory, i.instance, i.headroom),
  };
}

/** One JSON string, for the same reason as encodeJobSizing: one leaf for the engine to serialize. */
export function encodeServiceSizing(inputs: ServiceSizingInputs): string {
  return JSON.stringify(inputs);
}

/** Reads what encodeServiceSizing wrote; a clear error names what is missing. */
export function decodeServiceSizing(text: string): ServiceSizingInputs {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`sizing: not JSON (${(err as Error).message})`);
  }
  const v = value as Partial<ServiceSizingInputs> | null;
  const missing = (["name", "model", "inference", "instance", "replicas", "headroom"] as const).filter(
    (key) => v === null || typeof v !== "object" || v[key] === undefined,
  );
  if (missing.length > 0) throw new Error(`sizing: missing ${missing.join(", ")}`);
  return v as ServiceSizingInputs;
}
