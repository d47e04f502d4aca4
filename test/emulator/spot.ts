// Spot (preemptible) DLC jobs: bidding against a market price, preemption, restart. Modelled behaviour:
// the wire fields follow the official SDK (aliyun/alibabacloud-typescript-sdk pai-dlc-20201203
// src/models/SpotSpec.ts: SpotStrategy, SpotDiscountLimit, SpotPriceLimit; the doc comments of the C# SDK's
// pai-dlc-20201203/core/Models/SpotSpec.cs: only one of the two
// limits, SpotPriceLimit per minute, strategy "SpotWithPriceLimit"). The lifecycle is MODELLED, not documented:
// a job waits in "Bidding" (documented as a status of Lingjun spot jobs) until the market is within its limit,
// runs, is reclaimed ("Restarting") when the market rises above its limit or a test preempts it, restarts with
// the same command after jobRestartingMs, and succeeds once it has run for jobRunningMs in total (the command
// resumes from its checkpoints).
import { invalidParameter, missingParameter } from "./errors";
import type { Phase } from "./state";
import * as v from "./validate";

export interface SpotBid {
  /** SpotDiscountLimit: highest price accepted as a fraction of the list price. */
  limitRatio?: number;
  /** SpotPriceLimit: highest price accepted per minute. */
  limitPerMinute?: number;
  /** Preemptions a test asked for, in ms after the job first started running. */
  preemptOffsets: number[];
}

/** The spot market from `at` on: price as a fraction of the list price, and per minute. */
export interface MarketPoint {
  at: number;
  ratio: number;
  perMinute: number;
}

export const DEFAULT_MARKET: MarketPoint = { at: 0, ratio: 0.3, perMinute: 0.05 };
/** Restarts a spot job may take before it fails (GetJob RestartTimes "n/10" in the reference's example). */
export const MAX_SPOT_RESTARTS = 10;

const SPOT_KEYS = ["SpotStrategy", "SpotDiscountLimit", "SpotPriceLimit"] as const;

/** Validates JobSpecs[i].SpotSpec and returns the bid. */
export function validateSpotSpec(raw: unknown, path: string, quotaJob: boolean): SpotBid {
  const s = v.asObject(raw, path);
  v.onlyKeys(s, SPOT_KEYS, path);
  if (s.SpotStrategy === undefined) throw missingParameter(`${path}.SpotStrategy`);
  v.optEnum(s, "SpotStrategy", ["SpotWithPriceLimit"], `${path}.SpotStrategy`);
  if (quotaJob)
    throw invalidParameter(path, "spot bidding applies to public (EcsSpec) resources, not a quota");
  const ratio = s.SpotDiscountLimit;
  const perMinute = s.SpotPriceLimit;
  if ((ratio === undefined) === (perMinute === undefined))
    throw invalidParameter(path, "specify exactly one of SpotDiscountLimit and SpotPriceLimit");
  if (ratio !== undefined && (typeof ratio !== "number" || !(ratio > 0 && ratio < 1)))
    throw invalidParameter(
      `${path}.SpotDiscountLimit`,
      `must be a number in (0, 1), got ${JSON.stringify(ratio)}`,
    );
  if (perMinute !== undefined && (typeof perMinute !== "number" || !(perMinute > 0)))
    throw invalidParameter(
      `${path}.SpotPriceLimit`,
      `must be a positive number, got ${JSON.stringify(perMinute)}`,
    );
  return {
    ...(typeof ratio === "number" ? { limitRatio: ratio } : {}),
    ...(typeof perMinute === "number" ? { limitPerMinute: perMinute } : {}),
    preemptOffsets: [],
  };
}

function marketAt(market: readonly MarketPoint[], t: number): MarketPoint {
  let m = market[0] ?? DEFAULT_MARKET;
  for (const p of market) if (p.at <= t) m = p;
  return m;
}

function within(bid: SpotBid, m: MarketPoint): boolean {
  return (
    (bid.limitRatio !== undefined && m.ratio <= bid.limitRatio) ||
    (bid.limitPerMinute !== undefined && m.perMinute <= bid.limitPerMinute)
  );
}

/** First time ≥ t at which the market is within the bid. */
function firstWin(bid: SpotBid, market: readonly MarketPoint[], t: number): number | undefined {
  if (within(bid, marketAt(market, t))) return t;
  return market.find((p) => p.at > t && within(bid, p))?.at;
}

/** First time > t at which the market leaves the bid. */
function firstLoss(bid: SpotBid, market: readonly MarketPoint[], t: number): number | undefined {
  return market.find((p) => p.at > t && !within(bid, p))?.at;
}

/** Phases of a spot job from `startAt` (when an on-demand job would start running) on. */
export function spotPhases(
  bid: SpotBid,
  market: readonly MarketPoint[],
  startAt: number,
  runningMs: number,
  restartingMs: number,
  end: "Succeeded" | "Failed" | undefined,
): Phase[] {
  const out: Phase[] = [];
  let t = startAt;
  let remaining = runningMs;
  let firstRun: number | undefined;
  let restarts = 0;
  const used = new Set<number>();
  for (;;) {
    const win = firstWin(bid, market, t);
    if (win === undefined || win > t) out.push({ status: "Bidding", at: t });
    if (win === undefined) return out; // bids until the market comes down or the job is stopped
    out.push({ status: "Running", at: win });
    firstRun ??= win;
    const asked = bid.preemptOffsets
      .map((o, i) => ({ at: (firstRun ?? win) + o, i }))
      .filter((p) => !used.has(p.i) && p.at >= win && p.at < win + remaining)
      .sort((a, b) => a.at - b.at)[0];
    const lost = firstLoss(bid, market, win);
    const preemptAt = Math.min(
      asked?.at ?? Infinity,
      lost !== undefined && lost < win + remaining ? lost : Infinity,
    );
    if (preemptAt === Infinity) {
      if (end) out.push({ status: end, at: win + remaining });
      return out;
    }
    if (asked && asked.at === preemptAt) used.add(asked.i);
    remaining -= preemptAt - win;
    restarts++;
    out.push({ status: "Restarting", at: preemptAt });
    if (restarts > MAX_SPOT_RESTARTS) {
      out.push({ status: "Failed", at: preemptAt + restartingMs });
      return out;
    }
    t = preemptAt + restartingMs;
  }
}
