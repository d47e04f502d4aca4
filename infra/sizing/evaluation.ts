// Time and cost bound of an evaluation job (generation on an evaluation set). Generation speed is
// bound by memory bandwidth, which the catalog does not carry, so the plan shows the run-time limit
// the job is submitted with (maxRunningTimeMinutes) and what that limit costs at most.
import type { InstanceType } from "../catalog";
import type { TrainingCostEstimate } from "./time-cost";

export function estimateEvaluationCost(
  instance: InstanceType,
  opts: { nodes: number; gpusUsed: number; maxHours: number; shareOfNode: boolean },
): TrainingCostEstimate {
  const warnings: string[] = [];
  const p = instance.price;
  // A quota job pays for its share of a node; a pay-as-you-go job rents whole instances.
  const share = opts.shareOfNode ? opts.gpusUsed / instance.gpuCount : 1;
  const hours = {
    value: opts.maxHours,
    unit: "h",
    derivation:
      "the evaluation's maxRunningHours: an upper bound (generation time is bandwidth-bound, not estimated)",
    inputs: { maxRunningHours: opts.maxHours },
  };
  if (!p) {
    warnings.push(`${instance.id} has no price: evaluation cost unknown`);
    return { hours, warnings };
  }
  return {
    hours,
    cost: {
      value: opts.maxHours * p.amount * opts.nodes * share,
      unit: p.currency,
      derivation: "at most: maxRunningHours × hourly price × nodes × share of the node",
      inputs: {
        maxRunningHours: opts.maxHours,
        hourlyPrice: p.amount,
        nodes: opts.nodes,
        share,
        priceKind: p.kind,
      },
    },
    currency: p.currency,
    priceKind: p.kind,
    warnings,
  };
}
