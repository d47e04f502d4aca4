/**
 * max-run-time (mandatory): every job has a run-time limit within the environment's maximum, and a
 * job whose estimated time exceeds its own limit is refused: it would be stopped unfinished and the
 * money spent lost.
 */
import { definePolicy, type Finding } from "./lib/define";
import { figured, jobFigures } from "./lib/figures";
import { label, ofType, round, TYPES } from "./lib/resources";

export interface MaxRunTimeConfig {
  /** Longest limit a job may set, in hours. */
  maxHours: number;
}

export const maxRunTime = definePolicy<MaxRunTimeConfig>({
  name: "max-run-time",
  description:
    "Every job has a run-time limit within the environment's maximum, and its estimated time fits its own limit.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { maxHours: { type: "number", minimum: 0, default: 24 } } },
  evaluate: (resources, config) => {
    const out: Finding[] = [];
    for (const { r, f } of figured(
      ofType(resources, TYPES.dlcJob),
      jobFigures,
      out,
      `, so its run time cannot be checked; the check fails closed`,
    )) {
      if (f.limitHours === undefined) {
        out.push({
          resource: r,
          message: `${label(r)} has no run-time limit; set maxRunningHours (at most ${config.maxHours} h here)`,
        });
        continue;
      }
      if (f.limitHours > config.maxHours)
        out.push({
          resource: r,
          message: `${label(r)} may run ${round(f.limitHours)} h (maxRunningHours), above this environment's ${config.maxHours} h maximum`,
        });
      if (!Number.isFinite(f.hours))
        out.push({
          resource: r,
          message: `${label(r)}: no time estimate on ${f.inputs.instance.gpuModel} (peak TFLOPS unknown), so it cannot be shown to finish within its ${round(f.limitHours)} h limit`,
        });
      else if (f.hours > f.limitHours)
        out.push({
          resource: r,
          message: `${label(r)} is estimated at ${round(f.hours, 1)} h but its limit is ${round(f.limitHours)} h: it would be stopped unfinished and the money spent lost; raise maxRunningHours (at most ${config.maxHours} h here), train on fewer examples or epochs, or use more GPUs`,
        });
    }
    return out;
  },
});
