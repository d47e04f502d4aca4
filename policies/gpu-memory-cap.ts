/**
 * gpu-memory-cap (mandatory): per method and environment, a cap on the GPU memory a job reserves
 * (GPUs held × memory per GPU: whole instances pay-as-you-go, its share on the quota).
 */
import type { FineTuneMethod } from "../infra/sizing";
import { definePolicy, type Finding } from "./lib/define";
import { figured, jobFigures } from "./lib/figures";
import { label, ofType, TYPES } from "./lib/resources";

export interface GpuMemoryCapConfig {
  /** GiB of GPU memory a job of each method may reserve. */
  capGiB: Record<FineTuneMethod, number>;
}

const cap = (d: number) => ({ type: "number" as const, minimum: 0, default: d });

export const gpuMemoryCap = definePolicy<GpuMemoryCapConfig>({
  name: "gpu-memory-cap",
  description:
    "A job reserves at most the environment's cap of GPU memory for its method (GPUs × memory per GPU).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      capGiB: {
        type: "object",
        properties: { qlora: cap(48), lora: cap(96), freeze: cap(96), full: cap(320) },
        additionalProperties: false,
        default: { qlora: 48, lora: 96, freeze: 96, full: 320 },
      },
    },
  },
  evaluate: (resources, config) => {
    const out: Finding[] = [];
    for (const { r, f } of figured(
      ofType(resources, TYPES.dlcJob),
      jobFigures,
      out,
      `, so its reserved GPU memory cannot be checked against the cap; the cap fails closed`,
    )) {
      const method = f.inputs.training.method;
      const limit = config.capGiB[method];
      const reserved = f.reservedGpus * f.inputs.instance.gpuMemoryGiB;
      if (limit !== undefined && reserved > limit)
        out.push({
          resource: r,
          message: `${label(r)} reserves ${reserved} GiB of GPU memory (${f.reservedGpus} × ${f.inputs.instance.gpuModel} ${f.inputs.instance.gpuMemoryGiB} GiB on ${f.inputs.instance.id}); the cap for ${method} here is ${limit} GiB: pick a smaller placement, or let the plan right-size it (omit instanceType)`,
        });
    }
    return out;
  },
});
