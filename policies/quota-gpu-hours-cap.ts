/**
 * quota-gpu-hours-cap (mandatory): a job on the prepaid Lingjun quota whose node spec has no hourly
 * price is capped in GPU-hours (GPUs it holds × hours, never past its limit) instead of money.
 */
import { definePolicy, type Finding } from "./lib/define";
import { isUnknown, jobFigures } from "./lib/figures";
import { label, ofType, round, TYPES } from "./lib/resources";

export interface QuotaGpuHoursCapConfig {
  /** Most GPU-hours one quota job may take. */
  maxGpuHours: number;
}

export const quotaGpuHoursCap = definePolicy<QuotaGpuHoursCapConfig>({
  name: "quota-gpu-hours-cap",
  description: "A job on the prepaid quota (no hourly price) stays under the environment's GPU-hours cap.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { maxGpuHours: { type: "number", minimum: 0, default: 100 } } },
  evaluate: (resources, config) => {
    const out: Finding[] = [];
    for (const r of ofType(resources, TYPES.dlcJob)) {
      const f = jobFigures(r);
      if (f === undefined || isUnknown(f) || !f.onQuota || f.inputs.instance.price) continue;
      if (!Number.isFinite(f.gpuHours))
        out.push({
          resource: r,
          message: `${label(r)}: no time estimate on ${f.inputs.instance.gpuModel}, so its GPU-hours on the quota are unknown; the cap fails closed`,
        });
      else if (f.gpuHours > config.maxGpuHours)
        out.push({
          resource: r,
          message: `${label(r)} would take about ${round(f.gpuHours, 1)} GPU-hours of the quota (${f.reservedGpus} GPUs × ${round(f.billedHours)} h), over the ${config.maxGpuHours} GPU-hour cap per job`,
        });
    }
    return out;
  },
});
