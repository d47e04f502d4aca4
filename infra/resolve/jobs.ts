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
  rightSizeTraining,
  sizeJob,
  trainingSettingsForGpu,
  type JobSizingInputs,
  type TrainingSettings,
} from "../sizing";
import type { JobConfig, StackConfig } from "../config/schema";
import type { ConfigIssue } from "../config/errors";
import { trainingCommand } from "./command";
import type { BucketNames } from "../layout";
import { resolveEvaluation } from "./evaluation";
import type { JobPlacement, ResolvedJob, ResolvedQuota, ResolvedHyperparameters } from "./types";
import { catalogLookup, withSlash } from "./lookup";

const LEARNING_RATE_DEFAULTS = { full: 1e-5, freeze: 1e-5, lora: 1e-4, qlora: 2e-4 } as const;

export interface JobContext {
  catalog: Catalog;
  config: StackConfig;
  buckets: BucketNames;
  quota?: ResolvedQuota;
  /** YAML key path of this job, e.g. ["pai-finetune:jobs", 2]. */
  at: (string | number)[];
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
  if (!model || issues.length > start) return undefined;

  const baseSettings = (gpusPerNode: number, nodes: number): TrainingSettings => {
    const totalGpus = gpusPerNode * nodes;
    const zero =
      job.training.zeroStage ??
      (totalGpus <= 1 ? 0 : job.method === "full" || job.method === "freeze" ? 3 : 2);
    return defaultTrainingSettings(job.method, {
      precision: job.training.precision ?? "bf16-mixed",
      ...(job.method === "qlora" ? { quant: job.training.quant ?? "nf4-double" } : {}),
      optimizer: job.training.optimizer,
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
  const training = trainingSettingsForGpu(
    baseSettings(placement.gpusPerNode, placement.nodes),
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
    workload: {
      examples: job.dataset.examples,
      avgTokensPerExample: job.dataset.avgTokensPerExample,
      epochs: hyper.epochs,
    },
    instance: placement.instance,
    instanceCount: placement.nodes,
    headroom: job.resources.headroom,
  };
  const { memory, cost, gpuMemoryBytes, fits } = sizeJob(sizing);

  const runHash = hashRun(job, model, hyper, training);
  const datasetDir = job.dataset.path.includes("/")
    ? job.dataset.path.slice(0, job.dataset.path.lastIndexOf("/") + 1)
    : "";
  const paths = {
    dataset: job.dataset.path,
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
      datasetFile: job.dataset.path.slice(datasetDir.length),
    });
  return {
    name: job.name,
    config: job,
    model,
    hyperparameters: hyper,
    training,
    placement,
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
    modelUri,
    ...(job.artifact ? { artifact: job.artifact } : {}),
    ...(evaluation ? { evaluation } : {}),
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

function resolvePlacement(
  job: JobConfig,
  model: CatalogModel,
  ctx: JobContext,
  settingsFor: (gpusPerNode: number, nodes: number) => TrainingSettings,
  issue: (p: (string | number)[], m: string) => void,
): JobPlacement | undefined {
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
  const options = rightSizeTraining(ctx.catalog, model, settings, {
    headroom: r.headroom,
    usage: "dlc",
    maxNodes: nodes,
    precisionPinned: job.training.precision !== undefined,
  }).filter(
    (o) => o.instanceCount === nodes && (r.gpusPerNode === undefined || o.gpusUsed === r.gpusPerNode * nodes),
  );
  const best = options[0];
  if (!best) {
    const need = estimateTrainingMemory(model, settingsFor(1, nodes)).perGpuGiB;
    issue(
      ["resources"],
      `no catalog instance for PAI-DLC fits this job on ${nodes} node(s) (about ${need.toFixed(1)} GiB per GPU on one GPU); add nodes, use the quota, or pick a lighter method`,
    );
    return undefined;
  }
  return {
    kind: "public",
    instance: best.instance,
    nodes,
    gpusPerNode: best.gpusUsed / nodes,
    rightSized: true,
  };
}

/** What makes a different training run: method, model, data, hyperparameters and numerics (not placement). */
function hashRun(
  job: JobConfig,
  model: CatalogModel,
  hyper: ResolvedHyperparameters,
  training: TrainingSettings,
): string {
  const identity = {
    method: job.method,
    model: model.id,
    baseModelPath: job.baseModelPath ?? null,
    dataset: job.dataset,
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
