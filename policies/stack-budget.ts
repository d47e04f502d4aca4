/**
 * stack-budget (mandatory): the stack's monthly total — services at max replicas plus every job's
 * cost (never past its limit) — stays under the environment's budget. Items without a price are
 * named in the message; cost-unknown and quota-gpu-hours-cap report them on their own.
 */
import { definePolicy, type Finding } from "./lib/define";
import { isUnknown, jobFigures, serviceFigures } from "./lib/figures";
import { label, money, ofType, TYPES } from "./lib/resources";

export interface StackBudgetConfig {
  /** Most the stack may cost per month, in `currency`. */
  maxMonthlyCost: number;
  currency: "CNY" | "USD";
}

export const stackBudget = definePolicy<StackBudgetConfig>({
  name: "stack-budget",
  description: "Services at max replicas plus all jobs stay under the environment's monthly budget.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxMonthlyCost: { type: "number", minimum: 0, default: 10000 },
      currency: { type: "string", enum: ["CNY", "USD"], default: "CNY" },
    },
  },
  evaluate: (resources, config) => {
    let total = 0;
    const parts: { what: string; amount: number }[] = [];
    const unpriced: string[] = [];
    const unknown: string[] = [];
    for (const r of ofType(resources, TYPES.dlcJob)) {
      const f = jobFigures(r);
      if (f === undefined) continue;
      if (isUnknown(f)) unknown.push(`${label(r)} (${f.unknown})`);
      else if (!f.cost || f.cost.currency !== config.currency) unpriced.push(label(r));
      else {
        total += f.cost.amount;
        parts.push({ what: label(r), amount: f.cost.amount });
      }
    }
    for (const r of ofType(resources, TYPES.serviceEndpoints)) {
      const f = serviceFigures(r);
      if (f === undefined) continue;
      if (isUnknown(f)) unknown.push(`${label(r)} (${f.unknown})`);
      else if (!f.monthlyMax || f.monthlyMax.currency !== config.currency) unpriced.push(label(r));
      else {
        total += f.monthlyMax.amount;
        parts.push({ what: label(r), amount: f.monthlyMax.amount });
      }
    }
    // The largest items, so a stack of a thousand jobs still gets a message one can read.
    const top = [...parts].sort((a, b) => b.amount - a.amount);
    const shown = top
      .slice(0, 5)
      .map((p) => `${p.what} ${money(p.amount, config.currency)}`)
      .join(" + ");
    const breakdown = top.length > 5 ? `${shown} + ${top.length - 5} more` : shown;
    const out: Finding[] = [];
    if (unknown.length > 0)
      out.push({
        message: `the stack's monthly total cannot be checked against the ${money(config.maxMonthlyCost, config.currency)} budget: unknown at preview for ${unknown.join(", ")}; the budget fails closed`,
      });
    else if (total > config.maxMonthlyCost)
      out.push({
        message: `the stack would cost about ${money(total, config.currency)} a month (${breakdown}${unpriced.length > 0 ? `; not counted, no price: ${unpriced.slice(0, 5).join(", ")}${unpriced.length > 5 ? ` and ${unpriced.length - 5} more` : ""}` : ""}), over the ${money(config.maxMonthlyCost, config.currency)} monthly budget`,
      });
    return out;
  },
});
