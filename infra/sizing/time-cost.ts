// Training time and cost, service monthly cost. Every figure carries its inputs and derivation.
import { activeParameterCount, headDim, type InstanceType, type CatalogModel, type Price } from "../catalog";
import { DEFAULT_MFU } from "./calibration";
import { saverHours } from "./saver-time";
import type { TrainingSettings } from "./settings";

/** A number with its unit, how it was derived and the inputs it was derived from. */
export interface Figure<T = number> {
  value: T;
  unit: string;
  derivation: string;
  inputs: Record<string, string | number | boolean>;
}

export interface TrainingWorkload {
  examples: number;
  avgTokensPerExample: number;
  epochs: number;
  /** Model FLOPs utilisation (fraction of peak); default DEFAULT_MFU = 0.35. */
  mfu?: number;
  /** Where the two figures above were measured (tokenizer, data version); absent when the stack states them. */
  measuredBy?: string;
  /** Micro-batches per optimizer step (paged optimizer copies happen once per step); default 1. */
  gradientAccumulationSteps?: number;
}

export interface TrainingCostEstimate {
  hours: Figure;
  /** Hours the memory savers add (included in `hours`). */
  saverHours?: Figure;
  cost?: Figure;
  currency?: string;
  priceKind?: Price["kind"];
  /** The hourly price the cost was computed with (kind, region, source, date). */
  price?: Price;
  warnings: string[];
}

export interface ServiceCostEstimate {
  monthlyMin?: Figure;
  monthlyMax?: Figure;
  currency?: string;
  priceKind?: Price["kind"];
  /** The hourly price the cost was computed with (kind, region, source, date). */
  price?: Price;
  warnings: string[];
}

/** Hours in an average month (8760 / 12). */
export const HOURS_PER_MONTH = 730;

/** Training FLOPs per token: 2N forward + 4N backward for full/freeze-from-scratch weight gradients
 *  (Kaplan/Chinchilla 6N); frozen weights skip the weight-gradient matmuls (2N forward + 2N backward);
 *  gradient checkpointing re-runs the forward (+2N). Attention adds 6·L·s·d_q per token (causal half of
 *  12·L·s·d_q). MoE counts active experts only. */
export function trainingFlopsPerToken(m: CatalogModel, s: TrainingSettings): Figure {
  const n = activeParameterCount(m);
  const backward = s.method === "full" ? 4 : 2;
  const recompute = s.gradientCheckpointing ? 2 : 0;
  const factor = 2 + backward + recompute;
  const attention = 6 * m.numLayers * s.seqLen * m.numAttentionHeads * headDim(m);
  return {
    value: factor * n + attention,
    unit: "FLOP/token",
    derivation: `${factor} × active params + 6 × layers × seq × q_dim`,
    inputs: {
      activeParams: n,
      factor,
      seqLen: s.seqLen,
      method: s.method,
      gradientCheckpointing: s.gradientCheckpointing,
    },
  };
}

function priceWarnings(instance: InstanceType): string[] {
  const p = instance.price;
  if (!p) return [`no price for ${instance.id} in this region: cost unknown (not treated as free)`];
  if (p.kind === "unverified")
    return [`price of ${instance.id} is an unverified third-party figure (${p.source})`];
  if (p.kind === "official-upper-bound")
    return [`price of ${instance.id} is an official upper bound, not a list price`];
  return [];
}

/** Wall-clock hours and cost of a training run on `instanceCount` instances of `instance`. */
export function estimateTrainingCost(
  m: CatalogModel,
  s: TrainingSettings,
  w: TrainingWorkload,
  instance: InstanceType,
  instanceCount: number,
): TrainingCostEstimate {
  const warnings = priceWarnings(instance);
  const mfu = w.mfu ?? DEFAULT_MFU;
  const tokens = w.examples * w.avgTokensPerExample * w.epochs;
  const flops = trainingFlopsPerToken(m, s);
  // Throughput comes from the GPUs the job runs on (its data-parallel ranks), not from every GPU of the rented
  // instances: a 1-GPU job on an 8-GPU instance computes on one GPU (and still pays for the whole instance).
  const rented = instance.gpuCount * instanceCount;
  const gpus = Math.min(s.gpusPerNode * s.nodes, rented);
  if (s.gpusPerNode * s.nodes > rented)
    warnings.push(
      `job asks for ${s.gpusPerNode * s.nodes} GPUs but ${instanceCount} × ${instance.id} has ${rented}: time uses ${rented}`,
    );
  else if (gpus < rented)
    warnings.push(`job uses ${gpus} of the ${rented} rented GPUs; the idle ones are paid for`);
  const peak = instance.peakTflops16;
  if (peak === undefined) warnings.push(`no peak TFLOPS for ${instance.gpuModel}: time unknown`);
  if (instance.assumed) warnings.push(`${instance.gpuModel} figures are assumed, not published`);
  if (s.method === "qlora")
    warnings.push("QLoRA dequantisation makes steps slower than the FLOP count suggests");
  const computeHours = peak ? (tokens * flops.value) / (gpus * peak * 1e12 * mfu) / 3600 : Number.NaN;
  const savers = saverHours(m, s, w, instance, computeHours);
  const hoursValue = computeHours + savers.value;
  const hours: Figure = {
    value: hoursValue,
    unit: "h",
    derivation:
      "tokens × FLOP/token ÷ (GPUs the job runs on × peak TFLOPS × 1e12 × MFU) ÷ 3600 + the savers' host copies",
    inputs: {
      computeHours,
      saverHours: savers.value,
      tokens,
      flopsPerToken: flops.value,
      gpus,
      rentedGpus: rented,
      peakTflops: peak ?? "unknown",
      mfu,
      instance: instance.id,
    },
  };
  const p = instance.price;
  if (!p || !peak) return { hours, saverHours: savers, warnings };
  return {
    hours,
    saverHours: savers,
    cost: {
      value: hoursValue * p.amount * instanceCount,
      unit: p.currency,
      derivation: "hours × hourly price × instances",
      inputs: {
        hours: hoursValue,
        hourlyPrice: p.amount,
        instances: instanceCount,
        priceKind: p.kind,
        priceDate: p.date,
        priceRegion: p.region ?? "unknown",
      },
    },
    currency: p.currency,
    priceKind: p.kind,
    price: p,
    warnings,
  };
}

/** Monthly cost of a service running between `min` and `max` replicas all month (730 h). */
export function estimateServiceMonthlyCost(
  instance: InstanceType,
  replicas: { min: number; max: number },
): ServiceCostEstimate {
  const warnings = priceWarnings(instance);
  const p = instance.price;
  if (!p) return { warnings };
  const fig = (n: number): Figure => ({
    value: n * p.amount * HOURS_PER_MONTH,
    unit: `${p.currency}/month`,
    derivation: "replicas × hourly price × 730 h",
    inputs: {
      replicas: n,
      hourlyPrice: p.amount,
      hoursPerMonth: HOURS_PER_MONTH,
      priceKind: p.kind,
      priceDate: p.date,
      priceRegion: p.region ?? "unknown",
    },
  });
  return {
    monthlyMin: fig(replicas.min),
    monthlyMax: fig(replicas.max),
    currency: p.currency,
    priceKind: p.kind,
    price: p,
    warnings,
  };
}
