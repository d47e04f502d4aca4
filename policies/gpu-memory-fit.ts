/**
 * gpu-memory-fit (mandatory): a job's or service's estimated peak GPU memory per GPU fits one GPU of
 * its placement, less headroom. The message gives need vs usable and the cheapest placement of the
 * shipped catalog that fits. Sizing unknown at preview: the check waits (a fit check, not a cap).
 */
import { loadCatalog, type Catalog } from "../infra/catalog";
import {
  GiB,
  rightSizeInference,
  rightSizeTraining,
  sizeJob,
  sizeService,
  type FitOption,
} from "../infra/sizing";
import { definePolicy, type Finding } from "./lib/define";
import { jobSizing, label, money, ofType, round, runsOnQuota, serviceSizing, TYPES } from "./lib/resources";

export interface GpuMemoryFitConfig {
  /** Least headroom any job or service must leave, whatever its own `headroom` says (0–0.9). */
  minHeadroom: number;
}

let shipped: Catalog | undefined;
const catalog = () => (shipped ??= loadCatalog());

function suggestion(best: FitOption | undefined): string {
  if (!best)
    return "no catalog placement fits: lower the sequence length, batch or context, or pick a lighter method";
  const price =
    best.hourlyCost !== undefined && best.currency
      ? `, ${money(best.hourlyCost, best.currency)}/h`
      : ", no price";
  return `cheapest catalog placement that fits: ${best.instanceCount} × ${best.instance.id} (${best.instance.gpuCount} × ${best.instance.gpuModel} ${best.instance.gpuMemoryGiB} GiB${price})`;
}

export const gpuMemoryFit = definePolicy<GpuMemoryFitConfig>({
  name: "gpu-memory-fit",
  description:
    "A job's or service's estimated peak GPU memory per GPU fits the GPU memory of its placement less headroom.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minHeadroom: { type: "number", minimum: 0, maximum: 0.9, default: 0 },
    },
  },
  evaluate: (resources, config) => {
    const out: Finding[] = [];
    for (const r of ofType(resources, TYPES.dlcJob)) {
      const s = jobSizing(r);
      if (!s.known || !s.value) continue;
      const headroom = Math.max(s.value.headroom, config.minHeadroom);
      const sized = sizeJob({ ...s.value, headroom });
      if (sized.fits) continue;
      const usable = (sized.gpuMemoryBytes * (1 - headroom)) / GiB;
      const quota = runsOnQuota(r);
      const { gpusPerNode: _g, nodes: _n, ...settings } = s.value.training;
      const best = rightSizeTraining(catalog(), s.value.model, settings, {
        headroom,
        ...(quota.known && quota.value ? { usage: "lingjun" as const } : {}),
      })[0];
      out.push({
        resource: r,
        message: `${label(r)} needs ${round(sized.memory.perGpuGiB)} GiB per GPU (${s.value.training.method}, ${s.value.model.id}, seq ${s.value.training.seqLen}, micro-batch ${s.value.training.microBatchSize}) but ${s.value.instance.id} offers ${round(usable)} GiB usable per GPU (${s.value.instance.gpuModel} ${s.value.instance.gpuMemoryGiB} GiB less ${round(headroom * 100, 0)} % headroom): it would run out of memory; ${suggestion(best)}`,
      });
    }
    for (const r of ofType(resources, TYPES.serviceEndpoints)) {
      const s = serviceSizing(r);
      if (!s.known || !s.value) continue;
      const headroom = Math.max(s.value.headroom, config.minHeadroom);
      const sized = sizeService({ ...s.value, headroom });
      if (sized.fits) continue;
      const usable = (sized.gpuMemoryBytes * (1 - headroom)) / GiB;
      const { gpus: _g, ...settings } = s.value.inference;
      const best = rightSizeInference(catalog(), s.value.model, settings, { headroom })[0];
      out.push({
        resource: r,
        message: `${label(r)} needs ${round(sized.memory.perGpuGiB)} GiB per GPU (${s.value.model.id} at ${s.value.inference.precision}, ${s.value.inference.concurrency} × ${s.value.inference.contextLength} tokens of KV cache) but ${s.value.instance.id} offers ${round(usable)} GiB usable per GPU (${s.value.instance.gpuModel} ${s.value.instance.gpuMemoryGiB} GiB less ${round(headroom * 100, 0)} % headroom); ${suggestion(best)}`,
      });
    }
    return out;
  },
});
