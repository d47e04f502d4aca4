/** Resolves one service's config into a ResolvedService: model, placement, GPU memory, cost, scaling. */
import { contextLengthProblem, type Catalog } from "../catalog";
import {
  precisionProblem,
  rightSizeInference,
  servingPrecisionForGpu,
  sizeService,
  type ServiceSizingInputs,
} from "../sizing";
import type { ServiceConfig, StackConfig } from "../config/schema";
import type { ConfigIssue } from "../config/errors";
import { serveCommand } from "./command";
import { catalogLookup, withSlash } from "./lookup";

/** GPU memory a service leaves free: vLLM claims 90% of the GPU by default (docs/sources.md#mem-6.1). */
export const SERVICE_HEADROOM = 0.1;
import type { ResolvedJob, ResolvedService } from "./types";

export interface ServiceContext {
  catalog: Catalog;
  config: StackConfig;
  jobs: ReadonlyMap<string, ResolvedJob>;
  /** Names of jobs that exist in the config (even if they failed to resolve), to avoid a second error. */
  jobNames: ReadonlySet<string>;
  at: (string | number)[];
}

const METRIC_NAMES = { qps: "qps", cpu: "cpu", "gpu-util": "gpu[util]" } as const;

export function resolveService(
  svc: ServiceConfig,
  ctx: ServiceContext,
  issues: ConfigIssue[],
): ResolvedService | undefined {
  const start = issues.length;
  const issue = (path: (string | number)[], message: string) =>
    issues.push({ path: [...ctx.at, ...path], message });

  let fromJob: ResolvedJob | undefined;
  let modelId: string;
  if ("fromJob" in svc.model) {
    fromJob = ctx.jobs.get(svc.model.fromJob);
    if (!fromJob) {
      if (!ctx.jobNames.has(svc.model.fromJob)) {
        issue(
          ["model", "fromJob"],
          `no job named ${JSON.stringify(svc.model.fromJob)} in pai-finetune:jobs; expected one of ${[...ctx.jobNames].join(", ") || "(no jobs)"}`,
        );
      }
      return undefined;
    }
    modelId = fromJob.model.id;
    if (fromJob.config.waitFor !== "succeeded") {
      issue(
        ["model", "fromJob"],
        `a service can only serve a finished model: set waitFor: succeeded on job ${JSON.stringify(fromJob.name)}, or pin model.path to an existing model`,
      );
    }
    if (svc.precision === "int8" || svc.precision === "int4") {
      issue(
        ["precision"],
        `serving a job's output at ${svc.precision} needs a quantised (GPTQ/AWQ) export; serve bf16/fp16, or pin model.path to the quantised export`,
      );
    }
  } else {
    modelId = svc.model.baseModel;
  }
  const model = catalogLookup(ctx.catalog, "model", modelId, (m) => issue(["model", "baseModel"], m));

  const min = svc.replicas.min;
  const max = svc.replicas.max ?? min;
  if (max < min) issue(["replicas", "max"], `expected at least replicas.min (${min}), got ${max}`);
  if (max > min && !svc.autoscaling) {
    issue(
      ["autoscaling"],
      `required when replicas.max (${max}) > replicas.min (${min}): the metric and target to scale on`,
    );
  }
  if (min < 1 && svc.autoscaling) {
    issue(
      ["replicas", "min"],
      `expected at least 1 with autoscaling (the EAS autoscaler needs min > 0), got ${min}; to park a service at zero replicas, set min 0 without autoscaling`,
    );
  }
  if (max === min && svc.autoscaling) {
    issue(
      ["autoscaling"],
      `replicas.max equals replicas.min (${min}), so nothing can scale; raise replicas.max or remove autoscaling`,
    );
  }
  if (
    (svc.autoscaling?.metric === "cpu" || svc.autoscaling?.metric === "gpu-util") &&
    svc.autoscaling.target > 100
  ) {
    issue(
      ["autoscaling", "target"],
      `expected a utilisation percentage ≤ 100, got ${svc.autoscaling.target}`,
    );
  }
  const tooLong = model && contextLengthProblem(model, svc.maxContextTokens);
  if (tooLong) issue(["maxContextTokens"], tooLong);
  if (!model || issues.length > start) return undefined;

  // Default bf16 (served as fp16 on GPUs without bf16, gpu-capabilities.ts); a pinned one must run.
  const precisionPinned = svc.precision !== undefined;
  const precision = svc.precision ?? "bf16";
  let instance;
  let rightSized = false;
  if (svc.instanceType !== undefined) {
    instance = catalogLookup(ctx.catalog, "instance", svc.instanceType, (m) => issue(["instanceType"], m));
    if (instance && !instance.usage.includes("eas")) {
      issue(
        ["instanceType"],
        `${instance.id} is not offered for PAI-EAS (usage: ${instance.usage.join(", ")}); pick an instance with usage "eas"`,
      );
      return undefined;
    }
  } else {
    const best = rightSizeInference(
      ctx.catalog,
      model,
      { precision, contextLength: svc.maxContextTokens, concurrency: svc.concurrency },
      { headroom: SERVICE_HEADROOM, precisionPinned },
    )[0];
    if (!best) {
      issue(
        [],
        `no catalog instance for PAI-EAS fits ${model.id} at ${precision} with ${svc.concurrency} × ${svc.maxContextTokens} tokens of KV cache; lower concurrency or context, or quantise`,
      );
      return undefined;
    }
    instance = best.instance;
    rightSized = true;
  }
  if (!instance) return undefined;
  const runs = servingPrecisionForGpu(precision, instance, precisionPinned);
  if (runs === undefined) {
    issue(["precision"], precisionProblem(precision, instance) ?? "the GPU cannot serve this precision");
    return undefined;
  }

  const gpus = instance.gpuCount;
  const sizing: ServiceSizingInputs = {
    name: svc.name,
    model,
    inference: { precision, contextLength: svc.maxContextTokens, concurrency: svc.concurrency, gpus },
    instance,
    replicas: { min, max },
    headroom: SERVICE_HEADROOM,
  };
  const { memory, cost, gpuMemoryBytes, fits } = sizeService(sizing);
  const image = svc.image ?? ctx.config.defaults.servingImage;
  if (!image) {
    issue(["image"], "required: a serving image; set it here or as pai-finetune:defaults.servingImage");
    return undefined;
  }
  const adapter =
    fromJob !== undefined && (fromJob.config.method === "lora" || fromJob.config.method === "qlora");
  const modelPath = fromJob ? fromJob.paths.output : withSlash((svc.model as { path: string }).path);
  return {
    name: svc.name,
    config: svc,
    model,
    ...(fromJob ? { fromJob } : {}),
    modelPath,
    ...(fromJob?.artifact ? { modelUri: fromJob.artifact.uri } : {}),
    ...(adapter && fromJob ? { baseModelPath: fromJob.paths.baseModel } : {}),
    instance,
    rightSized,
    replicas: { min, max },
    ...(svc.autoscaling && max > min
      ? {
          autoscaling: {
            metricName: METRIC_NAMES[svc.autoscaling.metric],
            threshold: svc.autoscaling.target,
            ...(svc.autoscaling.scaleUpStabilizationSeconds !== undefined
              ? { scaleUpStabilizationSeconds: svc.autoscaling.scaleUpStabilizationSeconds }
              : {}),
            ...(svc.autoscaling.scaleDownStabilizationSeconds !== undefined
              ? { scaleDownStabilizationSeconds: svc.autoscaling.scaleDownStabilizationSeconds }
              : {}),
          },
        }
      : {}),
    sizing,
    memory,
    gpuMemoryBytes,
    fits,
    cost,
    image,
    // What the GPU runs: bf16 needs Ampere or newer; older GPUs serve the same weights in fp16 (same memory).
    command: serveCommand({
      service: { ...svc, precision: runs },
      adapter,
      servedName: svc.name,
      gpus,
    }),
  };
}
