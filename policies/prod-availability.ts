/**
 * prod-availability (mandatory in prod): a service keeps at least `minReplicas` replicas (two in
 * prod: one instance restarting must not take the service down), and its autoscaling range is
 * sound (min ≤ max).
 */
import { definePolicy, type Finding } from "./lib/define";
import { figured, serviceFigures } from "./lib/figures";
import { label, ofType, read, TYPES } from "./lib/resources";

export interface ProdAvailabilityConfig {
  /** Fewest replicas a service may keep running. */
  minReplicas: number;
}

export const prodAvailability = definePolicy<ProdAvailabilityConfig>({
  name: "prod-availability",
  description:
    "A service keeps at least the environment's minimum of replicas (2 in prod); autoscaling min ≤ max.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { minReplicas: { type: "integer", minimum: 0, default: 0 } } },
  evaluate: (resources, config) => {
    const out: Finding[] = [];
    for (const { r, f } of figured(
      ofType(resources, TYPES.serviceEndpoints),
      serviceFigures,
      out,
      `; its replica count cannot be checked`,
    )) {
      const { min, max } = f.inputs.replicas;
      if (min < config.minReplicas)
        out.push({
          resource: r,
          message: `${label(r)} keeps ${min} replica(s); this environment requires at least ${config.minReplicas} so that one restarting instance does not take the service down (replicas.min)`,
        });
      if (max < min)
        out.push({
          resource: r,
          message: `${label(r)}: replicas.max (${max}) is below replicas.min (${min})`,
        });
    }
    for (const r of ofType(resources, TYPES.autoscaler)) {
      const min = read(() => r.props.min as number);
      const max = read(() => r.props.max as number);
      if (
        min.known &&
        max.known &&
        typeof min.value === "number" &&
        typeof max.value === "number" &&
        min.value > max.value
      )
        out.push({
          resource: r,
          message: `${r.name}: autoscaling min (${min.value}) is above max (${max.value})`,
        });
    }
    return out;
  },
});
