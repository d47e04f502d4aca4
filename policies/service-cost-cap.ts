/** service-cost-cap (mandatory): a service's monthly cost at max replicas stays under the cap. */
import { definePolicy, type Finding } from "./lib/define";
import { figured, serviceFigures } from "./lib/figures";
import { label, money, ofType, TYPES } from "./lib/resources";

export interface ServiceCostCapConfig {
  /** Most a service may cost per month at max replicas, in `currency`. */
  maxMonthlyCost: number;
  currency: "CNY" | "USD";
}

export const serviceCostCap = definePolicy<ServiceCostCapConfig>({
  name: "service-cost-cap",
  description: "A service's monthly cost at max replicas (730 h) stays under the environment's cap.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxMonthlyCost: { type: "number", minimum: 0, default: 5000 },
      currency: { type: "string", enum: ["CNY", "USD"], default: "CNY" },
    },
  },
  evaluate: (resources, config) => {
    const out: Finding[] = [];
    for (const { r, f } of figured(
      ofType(resources, TYPES.serviceEndpoints),
      serviceFigures,
      out,
      `, so its monthly cost cannot be checked against the ${money(config.maxMonthlyCost, config.currency)} cap; the cap fails closed`,
    )) {
      const m = f.monthlyMax;
      if (!m) continue;
      if (m.currency !== config.currency) {
        out.push({
          resource: r,
          message: `${label(r)} is priced in ${m.currency} but the cap is in ${config.currency}`,
        });
        continue;
      }
      if (m.amount > config.maxMonthlyCost)
        out.push({
          resource: r,
          message: `${label(r)} would cost about ${money(m.amount, m.currency)} a month at its ${f.inputs.replicas.max} max replica(s) on ${f.inputs.instance.id} (${m.kind} price), over the ${money(config.maxMonthlyCost, config.currency)} monthly cap per service: fewer max replicas, a cheaper instance, or quantised serving`,
        });
    }
    return out;
  },
});
