/**
 * Evaluates a fine-tuned model: a PAI-DLC job (the same DlcJob dynamic provider as the fine-tune
 * job) that generates answers on the evaluation set with LLaMA-Factory's predict mode and scores
 * them, writing metrics.json and predictions.jsonl next to the model's run in the models bucket.
 * It runs after the fine-tune job: it takes the job's output URI as an input, and the fine-tune job
 * waits for "succeeded" (the resolver requires it), so the model is complete when it starts.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedEvaluation, ResolvedJob } from "../infra/resolve/types";
import { MOUNTS } from "../infra/resolve/command";
import { DlcJob } from "./providers/dlc-job";
import { ossUri, quotaResourceConfig } from "./finetune-job";

export interface EvaluationJobArgs {
  /** The fine-tune job whose model is evaluated (its `evaluation` is the run). Required. */
  job: ResolvedJob & { evaluation: ResolvedEvaluation };
  /** Region. Required. */
  region: string;
  /** Workspace the job is created in. Required. */
  workspaceId: pulumi.Input<string>;
  /** Bucket names of the stack. Required. */
  buckets: { datasets: string; checkpoints: string; models: string };
  /** The evaluated model's URI, from the fine-tune job's outputs (orders this job after it). Required. */
  modelUri: pulumi.Input<string>;
  /** OSS intranet endpoint. Default: "oss-<region>-internal.aliyuncs.com". */
  ossEndpoint?: string;
  /** The Lingjun quota id; required when the evaluation's placement is "quota". */
  quotaId?: pulumi.Input<string>;
  /** Prefix of the PAI display name. Default: "pf". */
  displayNamePrefix?: string;
  /** RAM role the job runs as. Default: the workspace's default role. */
  roleArn?: pulumi.Input<string>;
}

/** oss://bucket/path/ → the DLC form oss://bucket.endpoint/path/. */
function dlcUri(uri: string, endpoint: string): string {
  const m = /^oss:\/\/([^/.]+)(?:\.[^/]+)?\/(.*)$/.exec(uri);
  return m ? ossUri(m[1]!, endpoint, m[2]!) : uri;
}

export class EvaluationJob extends pulumi.ComponentResource {
  readonly jobId: pulumi.Output<string>;
  readonly status: pulumi.Output<string>;
  /** Where metrics.json is written. */
  readonly metricsUri: string;

  constructor(name: string, args: EvaluationJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pai-finetune:platform:EvaluationJob", name, {}, opts);
    const { job } = args;
    const ev = job.evaluation;
    const placement = ev.placement;
    if (placement.kind === "quota" && args.quotaId === undefined) {
      throw new Error(
        `EvaluationJob ${name}: evaluation "${ev.name}" runs on the quota, so quotaId is required`,
      );
    }
    const endpoint = args.ossEndpoint ?? `oss-${args.region}-internal.aliyuncs.com`;
    const datasetDir = ev.dataset.path.includes("/")
      ? ev.dataset.path.slice(0, ev.dataset.path.lastIndexOf("/") + 1)
      : "";
    const outputUri = ossUri(args.buckets.models, endpoint, ev.paths.output);
    this.metricsUri = `oss://${args.buckets.models}/${ev.paths.metrics}`;
    const dlc = new DlcJob(
      name,
      {
        region: args.region,
        workspaceId: args.workspaceId,
        displayName: `${args.displayNamePrefix ?? "pf"}-${ev.name}-${job.runHash}`,
        jobType: "PyTorchJob",
        image: ev.image,
        userCommand: ev.command,
        podCount: 1,
        ...(placement.kind === "public"
          ? { ecsSpec: placement.instance.id }
          : { resourceId: args.quotaId!, resourceConfig: quotaResourceConfig(placement) }),
        dataSources: pulumi.output(args.modelUri).apply((model) => [
          { uri: ossUri(args.buckets.datasets, endpoint, datasetDir), mountPath: MOUNTS.data },
          { uri: ossUri(args.buckets.models, endpoint, job.paths.baseModel), mountPath: MOUNTS.baseModel },
          { uri: dlcUri(model, endpoint), mountPath: MOUNTS.servedModel },
          { uri: outputUri, mountPath: MOUNTS.output },
        ]),
        envs: { PAI_FINETUNE_JOB: job.name, PAI_FINETUNE_RUN: job.runHash, HF_HUB_OFFLINE: "1" },
        maxRunningTimeMinutes: Math.round(ev.config.maxRunningHours * 60),
        priority: job.config.priority,
        ...(args.roleArn !== undefined ? { roleArn: args.roleArn } : {}),
        tags: {
          "pai-finetune-job": job.name,
          "pai-finetune-run": job.runHash,
          "pai-finetune-evaluation": ev.dataset.version?.slice(0, 16) ?? "unversioned",
        },
        outputUri,
        // Wait for the scores: when `pulumi up` returns, metrics.json exists.
        waitFor: "succeeded",
        waitTimeoutMinutes: Math.round(ev.config.maxRunningHours * 60) + 30,
      },
      { parent: this },
    );
    this.jobId = dlc.jobId;
    this.status = dlc.status;
    this.registerOutputs({ jobId: this.jobId, status: this.status, metricsUri: this.metricsUri });
  }
}
