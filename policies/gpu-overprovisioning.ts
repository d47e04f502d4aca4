/**
 * gpu-overprovisioning (advisory): a job or service reserves far more GPU memory than it needs.
 * Names the right size (the cheapest catalog placement that fits) and the money it would save.
 */
import { loadCatalog, type Catalog } from "../infra/catalog";
import { GiB, HOURS_PER_MONTH, rightSizeInference, rightSizeTraining } from "../infra/sizing";
import { definePolicy, type Finding } from "./lib/define";
import { isUnknown, jobFigures, serviceFigures } from "./lib/figures";
import { label, money, ofType, round, TYPES } from "./lib/resources";

export interface GpuOverprovisioningConfig {
  /** Reserved GPU memory above this multiple of the need is reported. */
  maxRatio: number;
}

let shipped: Catalog | undefined;
const catalog = () => (shipped ??= loadCatalog());

export const gpuOverprovisioning = definePolicy<GpuOverprovisioningConfig>({
  name: "gpu-overprovisioning",
  description: "A job or service reserves far more GPU memory than its estimated need.",
  enforcementLevel: "advisory",
  configSchema: { properties: { maxRatio: { type: "number", minimum: 1, default: 3 } } },
  evaluate: (resources, config) => {
    const out: Finding[] = [];
    for (const r of ofType(resources, TYPES.dlcJob)) {
      const f = jobFigures(r);
      if (f === undefined || isUnknown(f)) continue;
      const t = f.inputs.training;
      const need = (f.sized.memory.perGpuBytes * t.gpusPerNode * t.nodes) / GiB;
      const reserved = f.reservedGpus * f.inputs.instance.gpuMemoryGiB;
      if (reserved <= config.maxRatio * need) continue;
      const { gpusPerNode: _g, nodes: _n, ...settings } = t;
      const best = rightSizeTraining(catalog(), f.inputs.model, settings, {
        headroom: f.inputs.headroom,
        ...(f.onQuota ? { usage: "lingjun" as const } : {}),
      })[0];
      const price = f.inputs.instance.price;
      const saved =
        best?.hourlyCost !== undefined &&
        price &&
        best.currency === price.currency &&
        Number.isFinite(f.hours)
          ? `, saving about ${money((price.amount * f.inputs.instanceCount - best.hourlyCost) * f.billedHours, price.currency)} on this run`
          : "";
      out.push({
        resource: r,
        message: `${label(r)} reserves ${reserved} GiB of GPU memory but needs about ${round(need, 1)} GiB (${round(f.sized.memory.perGpuGiB, 1)} GiB on each of its ${t.gpusPerNode * t.nodes} GPU(s); ${round(reserved / need, 1)}×, above ${config.maxRatio}×)${best ? `; right size: ${best.instanceCount} × ${best.instance.id} (${best.instance.gpuCount} × ${best.instance.gpuModel} ${best.instance.gpuMemoryGiB} GiB)${saved}` : ""}`,
      });
    }
    for (const r of ofType(resources, TYPES.serviceEndpoints)) {
      const f = serviceFigures(r);
      if (f === undefined || isUnknown(f)) continue;
      const need = (f.sized.memory.perGpuBytes * f.inputs.inference.gpus) / GiB;
      const reserved = f.inputs.instance.gpuCount * f.inputs.instance.gpuMemoryGiB;
      if (reserved <= config.maxRatio * need) continue;
      const { gpus: _g, ...settings } = f.inputs.inference;
      const best = rightSizeInference(catalog(), f.inputs.model, settings, {
        headroom: f.inputs.headroom,
      })[0];
      const price = f.inputs.instance.price;
      const saved =
        best?.hourlyCost !== undefined && price && best.currency === price.currency
          ? `, saving about ${money((price.amount - best.hourlyCost) * HOURS_PER_MONTH * f.inputs.replicas.max, price.currency)} a month at max replicas`
          : "";
      out.push({
        resource: r,
        message: `${label(r)} reserves ${reserved} GiB of GPU memory per replica but needs about ${round(need, 1)} GiB (${round(reserved / need, 1)}×, above ${config.maxRatio}×)${best ? `; right size: ${best.instance.id} (${best.instance.gpuCount} × ${best.instance.gpuModel} ${best.instance.gpuMemoryGiB} GiB)${saved}` : ""}`,
      });
    }
    return out;
  },
});
