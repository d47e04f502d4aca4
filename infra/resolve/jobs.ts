/**
 * Resolves one job's config into a ResolvedJob: method defaults, estimator settings, placement
 * (explicit, right-sized pay-as-you-go, or a share of the quota), GPU memory and cost.
 * Problems are collected as ConfigIssues with the job's key path; nothing throws half-way.
 */
import { createHash } from "node:crypto";
import { contextLengthProblem, type Catalog, type InstanceType, type CatalogModel } from "../catalog";
import {
  defaultTrainingSettings,
  estimateTrainingMemory,
  precisionProblem,
  rightSizeTrainingWithSavers,
  sizeJob,
  trainingSettingsForGpu,
  type JobSizingInputs,
  type TrainingSettings,
} from "../sizing";
import type { JobConfig, StackConfig } from "../config/schema";
import type { ConfigIssue } from "../config/errors";
import { llamaFactoryTemplate, trainingCommand } from "./command";
import type { DatasetReader, ResolvedDataset } from "../data/stack-dataset";
import type { BucketNames } from "../layout";
import { resolveEvaluation } from "./evaluation";
import type { JobPlacement, ResolvedJob, ResolvedQuota, ResolvedHyperparameters } from "./types";
import { catalogLookup, withSlash } from "./lookup";
import { allowedSavers, applySavers, suggestCheaper, type JobSavings, type JobSuggestion } from "./savings";
import { resolveSpot, SPOT_MODEL, spotEstimate } from "./spot";

const LEARNING_RATE_DEFAULTS = { full: 1e-5, freeze: 1e-5, lora: 1e-4, qlora: 2e-4 } as const;

export interface JobContext {
  catalog: Catalog;
  config: StackConfig;
  buckets: BucketNames;
  quota?: ResolvedQuota;
  /** Reads and validates local dataset files, each once per resolve. */
  datasets: DatasetReader;
  /** YAML key path of this job, e.g. ["pai-finetune:jobs", 2]. */
  at: (string | number)[];
  /** Advisories already computed in this resolve, by their inputs (identical pinned jobs share one). */
  advice?: Map<string, JobSuggestion[]>;
  /** The stack file (evaluation `file:` paths are relative to it; "" when unknown). Default: "". */
  file?: string;
  /** The stack name, recorded in evaluation metrics. Default: "". */
  stack?: string;
}

export function resolveJob(job: JobConfig, ctx: JobContext, issues: ConfigIssue[]): ResolvedJob | undefined {
  const start = issues.length;
  const issue = (path: (string | number)[], message: string) =>
    issues.push({ path: [...ctx.at, ...path], message });

  const model = catalogLookup(ctx.catalog, "model", job.baseModel, (m) => issue(["baseModel"], m));
  const hyper = resolveHyperparameters(job, issue);
  if (job.training.quant !== undefined && job.method !== "qlora") {
    issue(
      ["training", "quant"],
      `only the "qlora" method loads a quantised base; remove it or use method "qlora"`,
    );
  }
  const tooLong = model && contextLengthProblem(model, job.hyperparameters.seqLen);
  if (tooLong) issue(["hyperparameters", "seqLen"], tooLong);
  if (model && hyper.lora && hyper.lora.rank > model.hiddenSize) {
    issue(
      ["hyperparameters", "loraRank"],
      `expected at most ${model.hiddenSize} (the hidden size of ${model.id}), got ${hyper.lora.rank}`,
    );
  }
  if (model && hyper.freezeTrainableLayers !== undefined && hyper.freezeTrainableLayers > model.numLayers) {
    issue(
      ["hyperparameters", "freezeTrainableLayers"],
      `expected at most ${model.numLayers} (the layers of ${model.id}), got ${hyper.freezeTrainableLayers}`,
    );
  }
  if (job.training.activationOffloading === true && !job.training.gradientCheckpointing) {
    issue(
      ["training", "activationOffloading"],
      "offloads the layer inputs gradient checkpointing keeps; set gradientCheckpointing: true or remove it",
    );
  }
  if (job.training.zeroSubGroupSize !== undefined && job.training.zeroStage !== 3) {
    issue(
      ["training", "zeroSubGroupSize"],
      "applies to DeepSpeed ZeRO-3 only; set zeroStage: 3 or remove it",
    );
  }
  if (job.training.optimizer?.startsWith("paged-") && job.training.offload) {
    issue(
      ["training", "optimizer"],
      "a paged optimizer keeps its states on the GPU's unified memory, CPU offload moves them off the GPU: pick one",
    );
  }
  const spot = resolveSpot(job, (path, message) => issue(path, message));
  if (!model || issues.length > start) return undefined;

  // A local file is validated and measured before anything is sized: its real size sizes the job.
  let dataset: ResolvedDataset | undefined;
  if (job.dataset.file !== undefined) {
    const outcome = ctx.datasets.read(job.dataset.file, {
      model,
      template: llamaFactoryTemplate(model),
      seqLen: hyper.seqLen,
      format: job.dataset.format,
    });
    if (!outcome.ok) {
      issue(["dataset", "file"], outcome.messages.join("\n"));
      return undefined;
    }
    dataset = outcome.dataset;
  }

  const baseSettings = (gpusPerNode: number, nodes: number): TrainingSettings => {
    const totalGpus = gpusPerNode * nodes;
    const zero =
      job.training.zeroStage ??
      (totalGpus <= 1 ? 0 : job.method === "full" || job.method === "freeze" ? 3 : 2);
    return defaultTrainingSettings(job.method, {
      precision: job.training.precision ?? "bf16-mixed",
      ...(job.method === "qlora" ? { quant: job.training.quant ?? "nf4-double" } : {}),
      // "paged-*" is the same update with its states in unified memory (savers.ts).
      optimizer: (job.training.optimizer ?? "adamw").replace("paged-", "") as TrainingSettings["optimizer"],
      pagedOptimizer: job.training.optimizer?.startsWith("paged-") ?? false,
      activationOffload: job.training.activationOffloading ?? false,
      ...(job.training.ligerKernel !== undefined ? { ligerKernel: job.training.ligerKernel } : {}),
      ...(job.training.zeroSubGroupSize !== undefined
        ? { zeroSubGroupSize: job.training.zeroSubGroupSize }
        : {}),
      seqLen: hyper.seqLen,
      microBatchSize: hyper.microBatchSize,
      gradientCheckpointing: job.training.gradientCheckpointing,
      flashAttention: job.training.flashAttention,
      ...(hyper.lora ? { loraRank: hyper.lora.rank, loraTargets: hyper.lora.targets } : {}),
      ...(hyper.freezeTrainableLayers !== undefined
        ? { freezeTrainableLayers: hyper.freezeTrainableLayers }
        : {}),
      gpusPerNode,
      nodes,
      zeroStage: zero,
      offload: job.training.offload,
    });
  };

  const placement = resolvePlacement(job, model, ctx, baseSettings, issue);
  if (!placement) return undefined;

  // What runs on the chosen GPU (gpu-capabilities.ts): fp16 where bf16 is missing (same memory), SDPA
  // where FlashAttention-2 does not run (its mask is sized). A pinned precision it cannot run is refused.
  // The savers the right-sizer turned on come first: they do not depend on the GPU.
  const training = trainingSettingsForGpu(
    applySavers(baseSettings(placement.gpusPerNode, placement.nodes), placement.savers ?? []),
    placement.instance,
    job.training.precision !== undefined,
  );
  if (!training) {
    issue(
      ["training", "precision"],
      precisionProblem(job.training.precision ?? "", placement.instance) ??
        "the GPU cannot run this precision",
    );
    return undefined;
  }
  const sizing: JobSizingInputs = {
    model,
    training,
    workload: dataset
      ? {
          examples: dataset.examples,
          avgTokensPerExample: dataset.avgTrainedTokens,
          epochs: hyper.epochs,
          gradientAccumulationSteps: hyper.gradientAccumulationSteps,
          measuredBy: `${dataset.tokenizer.package} (${dataset.tokenizer.closeness}), data version ${dataset.version.slice(0, 12)}`,
        }
      : {
          // The schema requires both with `path`.
          examples: job.dataset.examples!,
          avgTokensPerExample: job.dataset.avgTokensPerExample!,
          epochs: hyper.epochs,
          gradientAccumulationSteps: hyper.gradientAccumulationSteps,
        },
    instance: placement.instance,
    instanceCount: placement.nodes,
    headroom: job.resources.headroom,
  };
  const { memory, cost, gpuMemoryBytes, fits } = sizeJob(sizing);
  const savings =
    placement.savers && savingsOf(placement.savers, placement.withoutSavers, sizing, cost.cost?.value);
  const suggestions =
    placement.kind === "public" && !placement.rightSized
      ? memo(
          ctx.advice,
          [model.id, training, sizing.workload, sizing.headroom, placement.instance, job.training],
          () =>
            suggestCheaper({
              catalog: ctx.catalog,
              model,
              job,
              training,
              workload: sizing.workload,
              instance: placement.instance,
              nodes: placement.nodes,
              headroom: sizing.headroom,
              jobCost: cost.cost?.value,
            }),
        )
      : [];

  const runHash = hashRun(job, model, hyper, training, dataset?.version);
  const datasetPath = dataset ? dataset.key : job.dataset.path!;
  const datasetDir = datasetPath.includes("/") ? datasetPath.slice(0, datasetPath.lastIndexOf("/") + 1) : "";
  const paths = {
    dataset: datasetPath,
    baseModel: withSlash(job.baseModelPath ?? `base/${model.id}`),
    output: `finetuned/${job.name}/${runHash}/`,
    checkpoints: `${job.name}/${runHash}/`,
  };
  const image = job.image ?? ctx.config.defaults.trainingImage;
  if (!image) {
    issue(["image"], `required: a training image; set it here or as pai-finetune:defaults.trainingImage`);
    return undefined;
  }
  if (job.artifact && job.artifact.runHash !== runHash) {
    issue(
      ["artifact", "runHash"],
      `the promoted artifact is run ${job.artifact.runHash}, but this job's model-defining fields (method, base model, dataset, hyperparameters, numerics) hash to ${runHash}; promote again rather than editing them by hand`,
    );
    return undefined;
  }
  const modelUri = job.artifact?.uri ?? `oss://${ctx.buckets.models}/${paths.output}`;
  const evaluation = job.evaluation
    ? resolveEvaluation(
        job.evaluation,
        {
          job,
          model,
          seqLen: hyper.seqLen,
          runHash,
          modelUri,
          runOutputPath: paths.output,
          image,
          stack: ctx.stack ?? "",
        },
        { ...ctx, file: ctx.file ?? "" },
        issues,
      )
    : undefined;
  if (job.evaluation && !evaluation) return undefined;
  const command =
    job.command ??
    trainingCommand({
      job,
      model,
      hyper,
      training,
      datasetFile: datasetPath.slice(datasetDir.length),
      ...(dataset ? { datasetShape: dataset.shape } : {}),
      ...(spot ? { saveSteps: checkpointSteps(hyper, training, sizing, cost.hours.value) } : {}),
    });
  return {
    name: job.name,
    config: job,
    model,
    hyperparameters: hyper,
    training,
    placement: {
      kind: placement.kind,
      instance: placement.instance,
      nodes: placement.nodes,
      gpusPerNode: placement.gpusPerNode,
      rightSized: placement.rightSized,
    },
    sizing,
    memory,
    gpuMemoryBytes,
    headroom: sizing.headroom,
    fits,
    cost,
    image,
    command,
    runHash,
    paths,
    ...(dataset ? { dataset } : {}),
    ...(savings ? { savings } : {}),
    ...(suggestions.length ? { suggestions } : {}),
    ...(spot ? { spot: { ...spot, estimate: spotEstimate(spot, cost) } } : {}),
    modelUri,
    ...(job.artifact ? { artifact: job.artifact } : {}),
    ...(evaluation ? { evaluation } : {}),
  };
}

function memo<T>(cache: Map<string, T> | undefined, key: unknown, compute: () => T): T {
  if (!cache) return compute();
  const k = JSON.stringify(key);
  let v = cache.get(k);
  if (v === undefined) cache.set(k, (v = compute()));
  return v;
}

/** Optimizer steps between spot checkpoints: SPOT_MODEL.checkpointHours of the estimated run. */
function checkpointSteps(
  hyper: ResolvedHyperparameters,
  training: TrainingSettings,
  sizing: JobSizingInputs,
  hours: number,
): number {
  const samplesPerStep =
    hyper.microBatchSize * hyper.gradientAccumulationSteps * training.gpusPerNode * training.nodes;
  const steps = (sizing.workload.examples * sizing.workload.epochs) / samplesPerStep;
  if (!Number.isFinite(hours) || hours <= 0) return Math.max(1, Math.floor(steps));
  return Math.max(1, Math.floor((steps * SPOT_MODEL.checkpointHours) / hours));
}

/** What the savers the right-sizer turned on saved against the cheapest placement without them. */
function savingsOf(
  turnedOn: JobSavings["turnedOn"],
  without: { instance: InstanceType; training: TrainingSettings } | undefined,
  sizing: JobSizingInputs,
  jobCost: number | undefined,
): JobSavings {
  if (turnedOn.length === 0) return { turnedOn };
  if (!without) return { turnedOn };
  const w = sizeJob({ ...sizing, instance: without.instance, training: without.training });
  const withPrice = sizing.instance.price;
  const withoutPrice = without.instance.price;
  const sameCurrency = withPrice && withoutPrice && withPrice.currency === withoutPrice.currency;
  return {
    turnedOn,
    withoutSavers: {
      instance: without.instance.id,
      ...(withoutPrice ? { hourlyCost: withoutPrice.amount * sizing.instanceCount } : {}),
    },
    ...(sameCurrency
      ? {
          hourlySaving: (withoutPrice.amount - withPrice.amount) * sizing.instanceCount,
          currency: withPrice.currency,
          ...(jobCost !== undefined && w.cost.cost ? { jobSaving: w.cost.cost.value - jobCost } : {}),
        }
      : {}),
  };
}

function resolveHyperparameters(
  job: JobConfig,
  issue: (p: (string | number)[], m: string) => void,
): ResolvedHyperparameters {
  const h = job.hyperparameters;
  const isLora = job.method === "lora" || job.method === "qlora";
  if (!isLora) {
    for (const key of ["loraRank", "loraAlpha", "loraDropout", "loraTargets"] as const) {
      if (h[key] !== undefined)
        issue(["hyperparameters", key], `applies to methods "lora" and "qlora" only, not "${job.method}"`);
    }
  }
  if (job.method !== "freeze" && h.freezeTrainableLayers !== undefined) {
    issue(
      ["hyperparameters", "freezeTrainableLayers"],
      `applies to method "freeze" only, not "${job.method}"`,
    );
  }
  const rank = h.loraRank ?? 8;
  return {
    epochs: h.epochs,
    learningRate: h.learningRate ?? LEARNING_RATE_DEFAULTS[job.method],
    seqLen: h.seqLen,
    microBatchSize: h.microBatchSize,
    gradientAccumulationSteps: h.gradientAccumulationSteps,
    ...(isLora
      ? {
          lora: {
            rank,
            alpha: h.loraAlpha ?? 2 * rank,
            dropout: h.loraDropout ?? 0.05,
            targets: h.loraTargets ?? "all-linear",
          },
        }
      : {}),
    ...(job.method === "freeze" ? { freezeTrainableLayers: h.freezeTrainableLayers ?? 2 } : {}),
  };
}

/** A placement, and for a right-sized one the savers it needs and the cheapest placement without them. */
type SizedPlacement = JobPlacement & {
  savers?: JobSavings["turnedOn"];
  withoutSavers?: { instance: InstanceType; training: TrainingSettings };
};

function resolvePlacement(
  job: JobConfig,
  model: CatalogModel,
  ctx: JobContext,
  settingsFor: (gpusPerNode: number, nodes: number) => TrainingSettings,
  issue: (p: (string | number)[], m: string) => void,
): SizedPlacement | undefined {
  const r = job.resources;
  const nodes = r.nodes;
  if (r.useQuota) {
    if (!ctx.quota) {
      issue(
        ["resources", "useQuota"],
        "this stack declares no pai-finetune:quota; add one or set useQuota: false",
      );
      return undefined;
    }
    if (r.instanceType !== undefined) {
      issue(
        ["resources", "instanceType"],
        "a quota job runs on the quota's nodes (quota.nodeSpec); remove instanceType or set useQuota: false",
      );
      return undefined;
    }
    const node = ctx.quota.instance;
    if (nodes > ctx.quota.nodes) {
      issue(["resources", "nodes"], `expected at most ${ctx.quota.nodes} (the quota's nodes), got ${nodes}`);
      return undefined;
    }
    if (r.gpusPerNode !== undefined) {
      if (r.gpusPerNode > node.gpuCount) {
        issue(
          ["resources", "gpusPerNode"],
          `expected at most ${node.gpuCount} (GPUs of ${node.id}), got ${r.gpusPerNode}`,
        );
        return undefined;
      }
      return { kind: "quota", instance: node, nodes, gpusPerNode: r.gpusPerNode, rightSized: false };
    }
    // As few GPUs of the quota as fit: the rest stays free for other jobs.
    const usable = node.gpuMemoryGiB * 2 ** 30 * (1 - r.headroom);
    const pinned = job.training.precision !== undefined;
    for (let g = 1; g <= node.gpuCount; g++) {
      const runs = trainingSettingsForGpu(settingsFor(g, nodes), node, pinned) ?? settingsFor(g, nodes);
      if (estimateTrainingMemory(model, runs).perGpuBytes <= usable) {
        return { kind: "quota", instance: node, nodes, gpusPerNode: g, rightSized: true };
      }
    }
    return { kind: "quota", instance: node, nodes, gpusPerNode: node.gpuCount, rightSized: true };
  }

  if (r.instanceType !== undefined) {
    const instance = catalogLookup(ctx.catalog, "instance", r.instanceType, (m) =>
      issue(["resources", "instanceType"], m),
    );
    if (!instance) return undefined;
    if (!instance.usage.includes("dlc")) {
      issue(
        ["resources", "instanceType"],
        `${instance.id} is not offered for PAI-DLC jobs (usage: ${instance.usage.join(", ")}); pick an instance with usage "dlc"`,
      );
      return undefined;
    }
    const gpus = r.gpusPerNode ?? instance.gpuCount;
    if (gpus > instance.gpuCount) {
      issue(
        ["resources", "gpusPerNode"],
        `expected at most ${instance.gpuCount} (GPUs of ${instance.id}), got ${gpus}`,
      );
      return undefined;
    }
    return { kind: "public", instance, nodes, gpusPerNode: gpus, rightSized: false };
  }

  const { gpusPerNode: _g, nodes: _n, ...settings } = settingsFor(r.gpusPerNode ?? 1, nodes);
  // Savers that do not change what the model learns may be turned on when they make a cheaper GPU fit.
  const sized = rightSizeTrainingWithSavers(ctx.catalog, model, settings, allowedSavers(job), {
    headroom: r.headroom,
    usage: "dlc",
    maxNodes: nodes,
    precisionPinned: job.training.precision !== undefined,
    accept: (o) =>
      o.instanceCount === nodes && (r.gpusPerNode === undefined || o.gpusUsed === r.gpusPerNode * nodes),
  });
  const best = sized.best?.option;
  if (!best || !sized.best) {
    const need = estimateTrainingMemory(model, settingsFor(1, nodes)).perGpuGiB;
    issue(
      ["resources"],
      `no catalog instance for PAI-DLC fits this job on ${nodes} node(s) (about ${need.toFixed(1)} GiB per GPU on one GPU); add nodes, use the quota, or pick a lighter method`,
    );
    return undefined;
  }
  const without = sized.withoutSavers;
  return {
    kind: "public",
    instance: best.instance,
    nodes,
    gpusPerNode: best.gpusUsed / nodes,
    rightSized: true,
    savers: sized.best.savers,
    ...(without && sized.best.savers.length > 0
      ? {
          withoutSavers: {
            instance: without.instance,
            training:
              trainingSettingsForGpu(
                settingsFor(without.gpusUsed / nodes, nodes),
                without.instance,
                job.training.precision !== undefined,
              ) ?? settingsFor(without.gpusUsed / nodes, nodes),
          },
        }
      : {}),
  };
}

/** What makes a different training run: method, model, data, hyperparameters and numerics (not placement). */
function hashRun(
  job: JobConfig,
  model: CatalogModel,
  hyper: ResolvedHyperparameters,
  training: TrainingSettings,
  datasetVersion: string | undefined,
): string {
  const identity = {
    method: job.method,
    model: model.id,
    baseModelPath: job.baseModelPath ?? null,
    // A local file counts by its content: an edited file is a new run, a moved one is not.
    dataset: datasetVersion ? { format: job.dataset.format, version: datasetVersion } : job.dataset,
    hyper,
    precision: training.precision,
    quant: training.quant ?? null,
    optimizer: training.optimizer,
    command: job.command ?? null,
    image: job.image ?? null,
  };
  return createHash("sha256").update(JSON.stringify(identity)).digest("hex").slice(0, 10);
}

export type { InstanceType };
