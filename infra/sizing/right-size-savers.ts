// Right-sizing with memory savers: the cheapest placement a job fits once the savers that do not change what it
// learns (savers.ts) may be turned on, with only the savers that placement needs.
import type { Catalog, CatalogModel } from "../catalog";
import { compareFits, rightSizeTraining, type FitOption } from "./right-size";
import { SAVERS, saverApplies, saverOn, withSaver, type Saver } from "./savers";
import type { TrainingSettings } from "./settings";

type PlacementFreeSettings = Omit<TrainingSettings, "gpusPerNode" | "nodes">;

export interface SaverFit {
  /** The savers this choice turns on (those not already on), in SAVERS order. */
  savers: Saver[];
  /** The settings with them on. */
  settings: PlacementFreeSettings;
  option: FitOption;
}

export interface SaverRightSize {
  /** The cheapest fit over every subset of the allowed savers; fewest savers among equally priced fits. */
  best?: SaverFit;
  /** The cheapest fit with no saver turned on (undefined: nothing fits without one). */
  withoutSavers?: FitOption;
}

export interface SaverRightSizeOptions {
  headroom?: number;
  gpuModel?: string;
  usage?: "dlc" | "lingjun";
  maxNodes?: number;
  /** The precision was pinned: skip GPUs that cannot run it (right-size.ts). */
  precisionPinned?: boolean;
  /** Keep only the options the caller can use (e.g. exactly the job's node count). */
  accept?: (o: FitOption) => boolean;
}

/** Savers the right-sizer may turn on for these settings: allowed, meaningful here, and not already on. */
export function candidateSavers(s: PlacementFreeSettings, allowed: readonly Saver[]): Saver[] {
  const full = { ...s, gpusPerNode: 1, nodes: 1 };
  return SAVERS.filter((v) => allowed.includes(v) && saverApplies(full, v) && !saverOn(full, v));
}

/** Every subset of `savers`, smallest first (then in SAVERS order). */
export function saverSubsets(savers: readonly Saver[]): Saver[][] {
  const out: Saver[][] = [];
  for (let mask = 0; mask < 1 << savers.length; mask++)
    out.push(savers.filter((_, i) => (mask & (1 << i)) !== 0));
  return out.sort((a, b) => a.length - b.length);
}

/** Placement-free settings with the given savers on. */
export function withSavers(s: PlacementFreeSettings, savers: readonly Saver[]): PlacementFreeSettings {
  let out: TrainingSettings = { ...s, gpusPerNode: 1, nodes: 1 };
  for (const v of savers) out = withSaver(out, v);
  const { gpusPerNode: _g, nodes: _n, ...rest } = out;
  return rest;
}

/**
 * Tries each subset of the allowed savers and keeps the cheapest placement (right-size.ts order: hourly price,
 * then fewer GPUs, then id). Among subsets that reach the same placement at the same price, the one with the
 * fewest savers wins: a saver is turned on only when the placement needs it.
 */
export function rightSizeTrainingWithSavers(
  catalog: Catalog,
  model: CatalogModel,
  s: PlacementFreeSettings,
  allowed: readonly Saver[],
  opts: SaverRightSizeOptions = {},
): SaverRightSize {
  const accept = opts.accept ?? (() => true);
  const cheapest = (settings: PlacementFreeSettings): FitOption | undefined =>
    rightSizeTraining(catalog, model, settings, opts).filter(accept)[0];
  let best: SaverFit | undefined;
  let withoutSavers: FitOption | undefined;
  for (const subset of saverSubsets(candidateSavers(s, allowed))) {
    const settings = withSavers(s, subset);
    const option = cheapest(settings);
    if (subset.length === 0) withoutSavers = option;
    if (!option) continue;
    // Subsets come smallest first, so a later one replaces the best only when strictly cheaper.
    if (!best || compareFits(option, best.option) < 0) best = { savers: subset, settings, option };
  }
  return { best, withoutSavers };
}
