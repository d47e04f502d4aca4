/**
 * Money the memory savers save: which savers a job leaves to the right-sizer, what the right-sizer turned on
 * and what that saved, and, for a pinned placement, an advisory cheaper alternative (never applied silently).
 */
import type { Catalog, CatalogModel, InstanceType } from "../catalog";
import {
  candidateSavers,
  estimateTrainingCost,
  rightSizeTraining,
  saverSubsets,
  withSaver,
  withSavers,
  type FineTuneMethod,
  type Saver,
  type TrainingSettings,
  type TrainingWorkload,
} from "../sizing";
import type { JobConfig } from "../config/schema";

/** What the plan reports about savers for one job. */
export interface JobSavings {
  /** Savers the right-sizer turned on (empty: none was needed). */
  turnedOn: Saver[];
  /** The cheapest placement without them; undefined when nothing fits without a saver. */
  withoutSavers?: { instance: string; hourlyCost?: number };
  /** Hourly price saved by the savers (instances × hourly price, without minus with). */
  hourlySaving?: number;
  /** Estimated job cost saved, the savers' extra time included (negative: the cheaper GPU is slower enough
   *  that the whole job costs more; the plan says so). */
  jobSaving?: number;
  currency?: string;
}

/** An advisory cheaper way to run a pinned job. */
export interface JobSuggestion {
  method: FineTuneMethod;
  instance: string;
  savers: Saver[];
  hourlyCost: number;
  hourlySaving: number;
  jobSaving?: number;
  currency: string;
  /** Set when the method differs: what changes in what the model learns. */
  caveat?: string;
}

/** Human names, as in the config. */
export const SAVER_CONFIG_NAMES: Record<Saver, string> = {
  ligerKernel: "training.ligerKernel: true",
  activationOffload: "training.activationOffloading: true",
  pagedOptimizer: "a paged optimizer (training.optimizer: paged-*)",
  zeroSubGroup: "training.zeroSubGroupSize: 1e8",
};

/** The savers a job leaves to the right-sizer: those its config does not set either way. */
export function allowedSavers(job: JobConfig): Saver[] {
  const t = job.training;
  const out: Saver[] = [];
  if (t.ligerKernel === undefined) out.push("ligerKernel");
  if (t.activationOffloading === undefined) out.push("activationOffload");
  if (t.optimizer === undefined) out.push("pagedOptimizer");
  if (t.zeroSubGroupSize === undefined) out.push("zeroSubGroup");
  return out;
}

/** The settings with the given savers on. */
export function applySavers(s: TrainingSettings, savers: readonly Saver[]): TrainingSettings {
  return savers.reduce(withSaver, s);
}

const CAVEATS: Partial<Record<FineTuneMethod, Partial<Record<FineTuneMethod, string>>>> = {
  lora: {
    qlora:
      "QLoRA trains the same LoRA adapters on a 4-bit NF4 base: close to 16-bit LoRA in the QLoRA paper (arXiv 2305.14314) but not identical — evaluate before switching",
  },
  full: {
    lora: "LoRA trains low-rank adapters only (arXiv 2106.09685): it matches full fine-tuning on many tasks, not all — evaluate before switching",
    qlora:
      "QLoRA trains LoRA adapters on a 4-bit base (arXiv 2305.14314): cheaper still, and further from full fine-tuning — evaluate before switching",
  },
  freeze: {
    lora: "LoRA adapts every layer through low-rank adapters instead of training the last layers in full — evaluate before switching",
    qlora:
      "QLoRA: LoRA adapters on a 4-bit base instead of training the last layers in full — evaluate before switching",
  },
};

/** The same job's settings under another method (LoRA defaults when the job has none). */
function asMethod(s: TrainingSettings, method: FineTuneMethod): TrainingSettings {
  if (method === s.method) return s;
  return {
    ...s,
    method,
    quant: method === "qlora" ? "nf4-double" : undefined,
    trainableEmbeddings: false,
    // ZeRO-3's sub-group saver means nothing for a few million adapter parameters.
    zeroStage: s.zeroStage === 3 && method !== "full" ? 2 : s.zeroStage,
  };
}

export interface SuggestionInput {
  catalog: Catalog;
  model: CatalogModel;
  job: JobConfig;
  /** The pinned job's settings (GPUs and nodes included). */
  training: TrainingSettings;
  workload: TrainingWorkload;
  instance: InstanceType;
  nodes: number;
  headroom: number;
  /** The pinned job's estimated cost, if priced. */
  jobCost?: number;
}

/**
 * The cheapest way to run a pinned pay-as-you-go job for less: its method and the lighter ones, every subset of
 * the savers its config leaves open, every catalog placement with the job's node count. Ranked by the estimated
 * job cost (hours × price, the savers' extra time included) when the job is priced, so a cheaper but slower GPU
 * that makes the whole run dearer is never suggested; by hourly price otherwise.
 */
export function suggestCheaper(i: SuggestionInput): JobSuggestion[] {
  const pinned = i.instance.price;
  if (!pinned) return [];
  const pinnedHourly = pinned.amount * i.nodes;
  const lighter = Object.keys(CAVEATS[i.training.method] ?? {}) as FineTuneMethod[];
  const bestOf = new Map<FineTuneMethod, JobSuggestion & { score: number }>();
  for (const method of [i.training.method, ...lighter]) {
    const { gpusPerNode: _g, nodes: _n, ...settings } = asMethod(i.training, method);
    for (const savers of saverSubsets(candidateSavers(settings, allowedSavers(i.job)))) {
      const s = withSavers(settings, savers);
      const options = rightSizeTraining(i.catalog, i.model, s, {
        headroom: i.headroom,
        usage: "dlc",
        maxNodes: i.nodes,
        precisionPinned: i.job.training.precision !== undefined,
      });
      for (const o of options) {
        const hourly = o.hourlyCost;
        if (o.instanceCount !== i.nodes || o.currency !== pinned.currency || hourly === undefined) continue;
        if (hourly >= pinnedHourly) continue;
        const cost = estimateTrainingCost(
          i.model,
          { ...s, gpusPerNode: o.instance.gpuCount, nodes: i.nodes },
          i.workload,
          o.instance,
          i.nodes,
        ).cost?.value;
        const byJob = i.jobCost !== undefined && cost !== undefined;
        if (byJob && cost >= (i.jobCost ?? 0)) continue; // cheaper per hour, dearer per job
        const score = byJob ? cost : hourly;
        const best = bestOf.get(method);
        if (best && score >= best.score) continue;
        bestOf.set(method, {
          score,
          method,
          instance: o.instance.id,
          savers,
          hourlyCost: hourly,
          hourlySaving: pinnedHourly - hourly,
          ...(byJob ? { jobSaving: (i.jobCost ?? 0) - cost } : {}),
          currency: pinned.currency,
          ...(method !== i.training.method ? { caveat: CAVEATS[i.training.method]?.[method] } : {}),
        });
      }
    }
  }
  // The same method's best first; another method only when it saves more than that (it changes the result).
  const same = bestOf.get(i.training.method);
  const out = [...bestOf.values()]
    .filter((s) => s === same || !same || s.score < same.score)
    .sort((a, b) => (a === same ? -1 : b === same ? 1 : a.score - b.score))
    .slice(0, 2);
  return out.map(({ score: _s, ...s }) => s);
}

/** One line for the plan. */
export function describeSavings(s: JobSavings): string | undefined {
  if (s.turnedOn.length === 0) return undefined;
  const on = s.turnedOn.map((v) => SAVER_CONFIG_NAMES[v]).join(", ");
  if (!s.withoutSavers) return `right-sizer turned on ${on}: without it no catalog instance fits this job`;
  const money = (x: number) => `${x.toFixed(2)} ${s.currency ?? ""}`.trim();
  const job =
    s.jobSaving === undefined
      ? ""
      : s.jobSaving >= 0
        ? `, about ${money(s.jobSaving)} for the job (the savers' extra time included)`
        : `; but the whole job is estimated ${money(-s.jobSaving)} dearer on the cheaper instance (slower GPU and the savers' extra time): pin ${s.withoutSavers.instance} to pay less in total`;
  return `right-sizer turned on ${on}: ${money(s.hourlySaving ?? 0)}/h cheaper than ${s.withoutSavers.instance}, the cheapest fit without them${job}`;
}

export function describeSuggestion(s: JobSuggestion): string {
  const savers = s.savers.length ? ` with ${s.savers.map((v) => SAVER_CONFIG_NAMES[v]).join(", ")}` : "";
  const how = s.caveat ? `method ${s.method} on ${s.instance}` : s.instance;
  return `advisory: ${how}${savers} would cost ${s.hourlyCost.toFixed(2)} ${s.currency}/h, ${s.hourlySaving.toFixed(2)} less${s.jobSaving !== undefined ? ` (about ${s.jobSaving.toFixed(2)} ${s.currency} for the job)` : ""}${s.caveat ? `; caveat: ${s.caveat}` : ""}`;
}
