/**
 * Spot (preemptible) training: the SpotSpec a job sends, and the estimate of what spot costs and how long the
 * restarts add. The preemption model is an assumption stated here, not a measurement (see SPOT_MODEL).
 */
import type { TrainingCostEstimate } from "../sizing";
import type { JobConfig } from "../config/schema";
import type { SpotSpec } from "../pai/dlc";

// The SpotSpec sent is the PAI client's (infra/pai/dlc.ts, with its SDK sources and what is unconfirmed).
export type { SpotSpec };

/** The stated preemption model. ECS documents that a spot instance "may be automatically released due to market
 *  price fluctuations or changes in resource supply and demand" (https://help.aliyun.com/en/ecs/user-guide/create-a-spot-instance)
 *  and how to detect a reclaim (https://www.alibabacloud.com/help/en/ecs/use-cases/best-practices-for-preemptible-instances).
 *  The rate, the protection hour and the restart time are assumptions: the 1 h protection period is ECS's
 *  documented default for spot instances as we recall it, not re-read for this model (UNCONFIRMED), and the
 *  interruption rate varies by region and type (the ECS console shows per-type 30-day bands). */
export const SPOT_MODEL = {
  /** Preemptions per running hour after the protection hour (assumption: 5 %/h). */
  preemptionsPerHour: 0.05,
  /** Hours after start during which an instance is not reclaimed (ECS spot protection period). */
  protectedHours: 1,
  /** Hours to reschedule, pull the image and reload the model after a preemption (assumption). */
  restartHours: 0.25,
  /** Checkpoint every this many hours of estimated training (the command's save_steps follow it). */
  checkpointHours: 0.5,
  /** Lowest spot price as a fraction of the list price assumed for the range (assumption). */
  priceFloor: 0.1,
} as const;

export interface ResolvedSpot {
  spec: SpotSpec;
  /** The accepted price cap as a fraction of the list price, when known. */
  capRatio?: number;
}

export interface SpotEstimate {
  /** Job cost range on spot: every hour at the floor price with no restart, to every hour at the cap with the
   *  95th-percentile restarts. */
  costLow?: number;
  costHigh?: number;
  currency?: string;
  expectedRestarts: number;
  restartsP95: number;
  /** Extra hours of restarts: expected, and at the 95th percentile. */
  extraHoursExpected: number;
  extraHoursP95: number;
  model: string;
}

/** Validates resources.spot (pay-as-you-go only) and builds the SpotSpec. */
export function resolveSpot(
  job: JobConfig,
  issue: (path: (string | number)[], message: string) => void,
): ResolvedSpot | undefined {
  const spot = job.resources.spot;
  if (!spot) return undefined;
  if (job.resources.useQuota) {
    issue(
      ["resources", "spot"],
      "spot bidding applies to pay-as-you-go jobs; remove it or set useQuota: false",
    );
    return undefined;
  }
  if (spot.maxDiscount !== undefined)
    return {
      spec: { spotStrategy: "SpotWithPriceLimit", spotDiscountLimit: spot.maxDiscount },
      capRatio: spot.maxDiscount,
    };
  const perHour = spot.maxPricePerHour ?? 0;
  return {
    spec: { spotStrategy: "SpotWithPriceLimit", spotPriceLimit: Math.round((perHour / 60) * 1e4) / 1e4 },
  };
}

/** Smallest k with P(Poisson(mean) ≤ k) ≥ q. */
export function poissonQuantile(mean: number, q: number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  while (cdf < q && k < 10_000) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

/** Spot price range and restart time for a job of the given on-demand estimate (SPOT_MODEL). */
export function spotEstimate(
  spot: ResolvedSpot,
  cost: TrainingCostEstimate,
  model = SPOT_MODEL,
): SpotEstimate {
  const hours = cost.hours.value;
  const exposed = Math.max(0, hours - model.protectedHours);
  const expectedRestarts = exposed * model.preemptionsPerHour;
  const restartsP95 = poissonQuantile(expectedRestarts, 0.95);
  // Each restart loses half a checkpoint interval of work on average and the restart itself.
  const perRestart = Math.min(hours, model.checkpointHours) / 2 + model.restartHours;
  const extraHoursExpected = expectedRestarts * perRestart;
  const extraHoursP95 = restartsP95 * perRestart;
  const listHourly = cost.cost ? cost.cost.value / hours : undefined;
  const capHourly =
    listHourly === undefined
      ? undefined
      : spot.capRatio !== undefined
        ? listHourly * spot.capRatio
        : Math.min(
            listHourly,
            (spot.spec.spotPriceLimit ?? 0) * 60 * Number(cost.cost?.inputs.instances ?? 1),
          );
  return {
    ...(listHourly !== undefined && capHourly !== undefined
      ? {
          costLow: listHourly * model.priceFloor * hours,
          costHigh: capHourly * (hours + extraHoursP95),
          currency: cost.currency,
        }
      : {}),
    expectedRestarts,
    restartsP95,
    extraHoursExpected,
    extraHoursP95,
    model: `preemptions ${model.preemptionsPerHour}/h after a ${model.protectedHours} h protection period (assumed), each costing half a ${model.checkpointHours} h checkpoint interval + ${model.restartHours} h restart; price between ${model.priceFloor} × list (assumed floor) and the bid cap`,
  };
}
