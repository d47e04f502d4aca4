/**
 * Evaluates a fine-tuned model: a PAI-DLC job (the same DlcJob dynamic provider as the fine-tune
 * job) that generates answers on the evaluation set and scores them, writing metrics.json and
 * predictions.jsonl next to the model's run in the models bucket. It runs after the fine-tune job:
 * it takes the job's output URI as an input (`modelUri`), and that job waits for "succeeded" (the
 * resolver requires it), so the model is complete when the evaluation starts.
 */
import * as pulumi from "@pulumi/pulumi";
import { MOUNTS, type BucketNames } from "../infra/layout";
import { ossUri, type FineTuneJobCompute } from "./finetune-job";
import { interpolate } from "./input-text";
import { DlcJob } from "./providers/dlc-job";

export interface EvaluationJobArgs {
  /** Region of the job. */
  readonly region: pulumi.Input<string>;
  /** Workspace the job is created in. */
  readonly workspaceId: pulumi.Input<string>;
  /** The evaluated job's name in the stack: the `pai-finetune-job` tag and part of the display name. */
  readonly jobName: string;
  /** Run hash of the evaluated model: the `pai-finetune-run` tag and part of the display name. */
  readonly runHash: string;
  /** Container image (the training image: LLaMA-Factory and Python). */
  readonly image: pulumi.Input<string>;
  /** The command: generation on the evaluation set, then scoring (infra/resolve/evaluation.ts). */
  readonly command: pulumi.Input<string>;
  /** Public instance or a quota share (one node). */
  readonly compute: FineTuneJobCompute;
  /** Bucket names of the stack. */
  readonly buckets: BucketNames<pulumi.Input<string>>;
  /** The evaluation set, datasets bucket; its folder is mounted. */
  readonly datasetPath: string;
  /** The base weights (adapters are loaded on them), models bucket. */
  readonly baseModelPath: string;
  /** The evaluated model, oss://bucket(.endpoint)/path/: the fine-tune job's outputUri, or a promoted artifact. */
  readonly modelUri: pulumi.Input<string>;
  /** Where metrics.json and predictions.jsonl go, models bucket (bucket-relative folder). */
  readonly outputPath: string;
  /** Short id of the evaluation set's content version, for the `pai-finetune-evaluation` tag. */
  readonly datasetVersionTag: string;
  /**
   * OSS endpoint the mounts use.
   * @default the region's intranet endpoint, "oss-<region>-internal.aliyuncs.com"
   */
  readonly ossEndpoint?: pulumi.Input<string>;
  /**
   * Prefix of the job's PAI display name, e.g. the stack name.
   * @default "pf"
   */
  readonly displayNamePrefix?: string;
  /**
   * RAM role the job runs as.
   * @default the workspace's default role
   */
  readonly roleArn?: pulumi.Input<string>;
  /**
   * Longest run, in minutes; `pulumi up` waits that long plus 30 for the scores.
   * @default 120
   */
  readonly maxRunningMinutes?: number;
  /**
   * Scheduling priority on a quota, 1 (lowest) to 9.
   * @default 1 (the API's default)
   */
  readonly priority?: pulumi.Input<number>;
}

/** oss://bucket.endpoint/path/ or oss://bucket/path/ → the DLC form with the given endpoint. */
function dlcUri(uri: string, endpoint: pulumi.Input<string>): pulumi.Input<string> {
  const m = /^oss:\/\/([^/.]+)(?:\.[^/]+)?\/(.*)$/.exec(uri);
  return m ? ossUri(m[1]!, endpoint, m[2]!) : uri;
}

export class EvaluationJob extends pulumi.ComponentResource {
  readonly jobId: pulumi.Output<string>;
  readonly status: pulumi.Output<string>;
  /** Where metrics.json is written (oss://<models bucket>/<outputPath>metrics.json). */
  readonly metricsUri: pulumi.Output<string>;

  constructor(name: string, args: EvaluationJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pai-finetune:platform:EvaluationJob", name, {}, opts);
    const { compute } = args;
    const endpoint = args.ossEndpoint ?? interpolate`oss-${args.region}-internal.aliyuncs.com`;
    const datasetDir = args.datasetPath.includes("/")
      ? args.datasetPath.slice(0, args.datasetPath.lastIndexOf("/") + 1)
      : "";
    const outputUri = ossUri(args.buckets.models, endpoint, args.outputPath);
    const maxRunningMinutes = args.maxRunningMinutes ?? 120;
    const dataSources = pulumi.all([args.modelUri, endpoint]).apply(([model, ep]) => [
      { uri: ossUri(args.buckets.datasets, ep, datasetDir), mountPath: MOUNTS.data },
      { uri: ossUri(args.buckets.models, ep, args.baseModelPath), mountPath: MOUNTS.baseModel },
      { uri: dlcUri(model, ep), mountPath: MOUNTS.servedModel },
      { uri: outputUri, mountPath: MOUNTS.output },
    ]);
    const dlc = new DlcJob(
      name,
      {
        region: args.region,
        workspaceId: args.workspaceId,
        displayName: `${args.displayNamePrefix ?? "pf"}-${args.jobName}-eval-${args.runHash}`,
        jobType: "PyTorchJob",
        image: args.image,
        userCommand: args.command,
        podCount: 1,
        ...(compute.kind === "public"
          ? { ecsSpec: compute.instanceType }
          : { resourceId: compute.quotaId, resourceConfig: compute.resources }),
        dataSources: pulumi.output(dataSources),
        envs: { PAI_FINETUNE_JOB: args.jobName, PAI_FINETUNE_RUN: args.runHash, HF_HUB_OFFLINE: "1" },
        maxRunningTimeMinutes: maxRunningMinutes,
        priority: args.priority,
        roleArn: args.roleArn,
        tags: {
          "pai-finetune-job": args.jobName,
          "pai-finetune-run": args.runHash,
          "pai-finetune-evaluation": args.datasetVersionTag,
        },
        outputUri,
        // Wait for the scores: when `pulumi up` returns, metrics.json exists.
        waitFor: "succeeded",
        waitTimeoutMinutes: maxRunningMinutes + 30,
      },
      { parent: this },
    );
    this.jobId = dlc.jobId;
    this.status = dlc.status;
    this.metricsUri = pulumi.output(interpolate`oss://${args.buckets.models}/${args.outputPath}metrics.json`);
    this.registerOutputs({ jobId: this.jobId, status: this.status, metricsUri: this.metricsUri });
  }
}
