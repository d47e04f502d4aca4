/**
 * Money the memory savers save: which savers a job leaves to the right-sizer, what the right-sizer turned on
 * and what that saved, and, for a pinned placement, an advisory cheaper alternative (never applied silently).
 */
import type { Catalog, CatalogModel, InstanceType } from "../catalog";
import {
  estimateTrainingCost,
  rightSizeTrainingWithSavers,
  withSaver,
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

/** The cheapest cheaper placement for a pinned pay-as-you-go job, over its method and the lighter ones. */
export function suggestCheaper(i: SuggestionInput): JobSuggestion | undefined {
  const pinned = i.instance.price;
  if (!pinned) return undefined;
  const pinnedHourly = pinned.amount * i.nodes;
  const lighter = Object.keys(CAVEATS[i.training.method] ?? {}) as FineTuneMethod[];
  const methods: FineTuneMethod[] = [i.training.method, ...lighter];
  let best: JobSuggestion | undefined;
  for (const method of methods) {
    const { gpusPerNode: _g, nodes: _n, ...settings } = asMethod(i.training, method);
    const sized = rightSizeTrainingWithSavers(i.catalog, i.model, settings, allowedSavers(i.job), {
      headroom: i.headroom,
      usage: "dlc",
      maxNodes: i.nodes,
      accept: (o) => o.instanceCount === i.nodes && o.currency === pinned.currency,
    }).best;
    const hourly = sized?.option.hourlyCost;
    if (!sized || hourly === undefined || hourly >= pinnedHourly) continue;
    if (best && hourly >= best.hourlyCost) continue;
    const cost = estimateTrainingCost(
      i.model,
      { ...sized.settings, gpusPerNode: sized.option.instance.gpuCount, nodes: i.nodes },
      i.workload,
      sized.option.instance,
      i.nodes,
    ).cost?.value;
    best = {
      method,
      instance: sized.option.instance.id,
      savers: sized.savers,
      hourlyCost: hourly,
      hourlySaving: pinnedHourly - hourly,
      ...(i.jobCost !== undefined && cost !== undefined ? { jobSaving: i.jobCost - cost } : {}),
      currency: pinned.currency,
      ...(method !== i.training.method ? { caveat: CAVEATS[i.training.method]?.[method] } : {}),
    };
  }
  return best;
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
