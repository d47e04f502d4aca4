/**
 * job-cost-cap (mandatory): a job's estimated cost stays under the environment's cap. The estimate
 * never counts past the job's run-time limit (it is stopped there). No price: cost-unknown (or, on
 * the prepaid quota, quota-gpu-hours-cap) reports it, so an unknown price never passes silently.
 */
import { definePolicy, type Finding } from "./lib/define";
import { figured, jobFigures } from "./lib/figures";
import { label, money, ofType, round, TYPES } from "./lib/resources";

export interface JobCostCapConfig {
  /** Most a job may cost, in `currency`. */
  maxCost: number;
  currency: "CNY" | "USD";
}

export const jobCostCap = definePolicy<JobCostCapConfig>({
  name: "job-cost-cap",
  description: "A job's estimated cost (never past its run-time limit) stays under the environment's cap.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxCost: { type: "number", minimum: 0, default: 1000 },
      currency: { type: "string", enum: ["CNY", "USD"], default: "CNY" },
    },
  },
  evaluate: (resources, config) => {
    const out: Finding[] = [];
    for (const { r, f } of figured(
      ofType(resources, TYPES.dlcJob),
      jobFigures,
      out,
      `, so its cost cannot be checked against the ${money(config.maxCost, config.currency)} cap; the cap fails closed`,
    )) {
      if (!f.cost) continue;
      if (f.cost.currency !== config.currency) {
        out.push({
          resource: r,
          message: `${label(r)} is priced in ${f.cost.currency} but the cap is in ${config.currency}; set the cap's currency or price the instance in ${config.currency}`,
        });
        continue;
      }
      if (f.cost.amount > config.maxCost)
        out.push({
          resource: r,
          message: `${label(r)} would cost about ${money(f.cost.amount, f.cost.currency)} (${round(f.billedHours)} h on ${f.inputs.instanceCount} × ${f.inputs.instance.id}, ${f.cost.kind} price), over the ${money(config.maxCost, config.currency)} cap per job: use fewer epochs or examples, a cheaper placement, or a lighter method`,
        });
    }
    return out;
  },
});
