/**
 * cost-unknown: a job or service whose placement has no price, so no cost cap can hold it. An
 * unknown price never lets a cap pass silently. Jobs on the prepaid Lingjun quota are left to
 * quota-gpu-hours-cap unless the stack gives the quota's node spec an hourly price.
 */
import { definePolicy, type Finding } from "./lib/define";
import { figured, jobFigures, serviceFigures } from "./lib/figures";
import { label, ofType, TYPES } from "./lib/resources";

export type CostUnknownConfig = Record<string, never>;

export const costUnknown = definePolicy<CostUnknownConfig>({
  name: "cost-unknown",
  description: "A job or service runs on a placement with no price, so no cost cap can hold it.",
  enforcementLevel: "advisory",
  configSchema: { properties: {} },
  evaluate: (resources) => {
    const out: Finding[] = [];
    for (const { r, f } of figured(
      ofType(resources, TYPES.dlcJob),
      jobFigures,
      out,
      `, so its price cannot be known`,
    )) {
      if (f.onQuota && !f.inputs.instance.price) continue;
      if (!f.inputs.instance.price)
        out.push({
          resource: r,
          message: `${label(r)} runs on ${f.inputs.instance.id}, which has no price in the catalog, so no cost cap can hold it: declare the price your account pays under pai-finetune:catalog (kind: user) or pick a priced instance`,
        });
      else if (!Number.isFinite(f.hours))
        out.push({
          resource: r,
          message: `${label(r)}: no time estimate on ${f.inputs.instance.gpuModel} (peak TFLOPS unknown), so its cost is unknown`,
        });
    }
    for (const { r, f } of figured(
      ofType(resources, TYPES.serviceEndpoints),
      serviceFigures,
      out,
      `, so its price cannot be known`,
    )) {
      if (!f.monthlyMax)
        out.push({
          resource: r,
          message: `${label(r)} runs on ${f.inputs.instance.id}, which has no price in the catalog, so no cost cap can hold it: declare the price your account pays under pai-finetune:catalog (kind: user) or pick a priced instance`,
        });
    }
    return out;
  },
});
