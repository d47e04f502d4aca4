/**
 * A PAI-DLC fine-tune job (full, freeze, LoRA or QLoRA; one or more nodes). The job is a dynamic
 * resource: submitted on `pulumi up`, stopped and deleted on destroy — but its trained model and
 * checkpoints in OSS are never deleted with it.
 */
import * as pulumi from "@pulumi/pulumi";
import { MOUNTS, type BucketNames } from "../infra/layout";
import { interpolate } from "./input-text";
import { DlcJob } from "./providers/dlc-job";

/** Per-node resources a job asks of a quota (DLC ResourceConfig): counts and sizes as the API's strings. */
export interface QuotaPodResources {
  readonly cpu: string;
  readonly gpu: string;
  readonly memory: string;
  readonly sharedMemory: string;
}

/** Where a job's nodes run: pay-as-you-go public instances, or a share of a Lingjun quota's nodes. */
export type FineTuneJobCompute =
  | {
      readonly kind: "public";
      /** ECS instance type id, e.g. "ecs.gn7i-c8g1.2xlarge". */ readonly instanceType: string;
    }
  | { readonly kind: "quota"; readonly quotaId: pulumi.Input<string>; readonly resources: QuotaPodResources };

/** Bucket-relative locations of a job's data (as `infra/resolve` writes them). */
export interface FineTuneJobPaths {
  /** The dataset file, datasets bucket; its folder is mounted. */
  readonly dataset: string;
  /** The base weights, models bucket. */
  readonly baseModel: string;
  /** Where the trained model goes, models bucket. */
  readonly output: string;
  /** Where checkpoints go, checkpoints bucket. */
  readonly checkpoints: string;
}

export interface FineTuneJobArgs {
  /** Region of the job. */
  readonly region: pulumi.Input<string>;
  /** Workspace the job is created in. */
  readonly workspaceId: pulumi.Input<string>;
  /** The job's name in the stack: the `pai-finetune-job` tag and part of the display name. */
  readonly jobName: string;
  /** Hash of what makes this training run: the `pai-finetune-run` tag and part of the display name. */
  readonly runHash: string;
  /** Fine-tuning method, for the `pai-finetune-method` tag. */
  readonly method: string;
  /** Container image. */
  readonly image: pulumi.Input<string>;
  /** Startup command of every node. */
  readonly command: pulumi.Input<string>;
  /** Worker nodes. */
  readonly nodes: pulumi.Input<number>;
  /** Public instances or a quota share. */
  readonly compute: FineTuneJobCompute;
  /**
   * Bucket names. Names are known before the buckets exist; put the bucket resources in
   * `opts.dependsOn` so the job is submitted after them.
   */
  readonly buckets: BucketNames<pulumi.Input<string>>;
  /** Bucket-relative locations of the dataset, base weights, output and checkpoints. */
  readonly paths: FineTuneJobPaths;
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
   * RAM role the job runs as, e.g. ArtifactBuckets' role scoped to the stack's buckets.
   * @default the workspace's default role
   */
  readonly roleArn?: pulumi.Input<string>;
  /**
   * Longest run, in minutes.
   * @default no limit (the API's default)
   */
  readonly maxRunningMinutes?: number;
  /**
   * Scheduling priority on a quota, 1 (lowest) to 9.
   * @default 1 (the API's default)
   */
  readonly priority?: pulumi.Input<number>;
  /**
   * What `pulumi up` waits for: "submitted", "running" or "succeeded".
   * @default "submitted"
   */
  readonly waitFor?: "submitted" | "running" | "succeeded";
  /**
   * Wait limit in minutes.
   * @default maxRunningMinutes + 30 when waiting for "succeeded" (1,470 without a limit), else 60
   */
  readonly waitTimeoutMinutes?: pulumi.Input<number>;
  /**
   * What the job was sized from, as `encodeJobSizing` (infra/sizing) writes it, for the policies and reports.
   * @default none
   */
  readonly sizing?: pulumi.Input<string>;
}

/** oss://bucket.endpoint/path/ — the URI form PAI-DLC data sources take (docs/sources.md#pai-1.2 DataSources.Uri). */
export function ossUri(
  bucket: pulumi.Input<string>,
  endpoint: pulumi.Input<string>,
  key: string,
): pulumi.Input<string> {
  return interpolate`oss://${bucket}.${endpoint}/${key}`;
}

/** A quota job asks for its share of a node: GPUs as configured, CPU and memory in proportion. */
export function quotaPodResources(
  node: { readonly vcpu: number; readonly memoryGiB: number; readonly gpuCount: number },
  gpusPerNode: number,
): QuotaPodResources {
  const share = gpusPerNode / node.gpuCount;
  const memoryGi = Math.floor(node.memoryGiB * share);
  return {
    cpu: String(Math.max(1, Math.floor(node.vcpu * share))),
    gpu: String(gpusPerNode),
    memory: `${memoryGi}Gi`,
    // Data loaders and NCCL use /dev/shm; half the memory share is the usual PyTorch guidance.
    sharedMemory: `${Math.max(1, Math.floor(memoryGi / 2))}Gi`,
  };
}

export class FineTuneJob extends pulumi.ComponentResource {
  readonly jobId: pulumi.Output<string>;
  readonly status: pulumi.Output<string>;
  /** Where the trained model (or adapter) is written; taken from the job resource, so a consumer waits for the job. */
  readonly outputUri: pulumi.Output<string>;
  /** Where checkpoints are written (expired by the checkpoints bucket's lifecycle rule). */
  readonly checkpointUri: pulumi.Output<string>;

  constructor(name: string, args: FineTuneJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pai-finetune:platform:FineTuneJob", name, {}, opts);
    const { compute, paths } = args;
    const endpoint = args.ossEndpoint ?? interpolate`oss-${args.region}-internal.aliyuncs.com`;
    const datasetDir = paths.dataset.includes("/")
      ? paths.dataset.slice(0, paths.dataset.lastIndexOf("/") + 1)
      : "";
    const outputUri = ossUri(args.buckets.models, endpoint, paths.output);
    const checkpointUri = ossUri(args.buckets.checkpoints, endpoint, paths.checkpoints);
    const waitFor = args.waitFor ?? "submitted";
    const dataSources = [
      { uri: ossUri(args.buckets.datasets, endpoint, datasetDir), mountPath: MOUNTS.data },
      { uri: ossUri(args.buckets.models, endpoint, paths.baseModel), mountPath: MOUNTS.baseModel },
      { uri: outputUri, mountPath: MOUNTS.output },
      { uri: checkpointUri, mountPath: MOUNTS.checkpoints },
    ];

    const dlc = new DlcJob(
      name,
      {
        region: args.region,
        workspaceId: args.workspaceId,
        displayName: `${args.displayNamePrefix ?? "pf"}-${args.jobName}-${args.runHash}`,
        jobType: "PyTorchJob",
        image: args.image,
        userCommand: args.command,
        podCount: args.nodes,
        // One shape or the other: each key given to a resource, even undefined, becomes one more
        // Output on it, which the plan pays for every job.
        ...(compute.kind === "public"
          ? { ecsSpec: compute.instanceType }
          : { resourceId: compute.quotaId, resourceConfig: compute.resources }),
        dataSources: dataSources.every((d) => typeof d.uri === "string")
          ? (dataSources as { uri: string; mountPath: string }[])
          : pulumi.output(dataSources),
        envs: { PAI_FINETUNE_JOB: args.jobName, PAI_FINETUNE_RUN: args.runHash, HF_HUB_OFFLINE: "1" },
        maxRunningTimeMinutes: args.maxRunningMinutes,
        priority: args.priority,
        roleArn: args.roleArn,
        tags: {
          "pai-finetune-job": args.jobName,
          "pai-finetune-run": args.runHash,
          "pai-finetune-method": args.method,
        },
        outputUri,
        sizing: args.sizing,
        waitFor,
        waitTimeoutMinutes:
          args.waitTimeoutMinutes ?? (waitFor === "succeeded" ? (args.maxRunningMinutes ?? 1440) + 30 : 60),
      },
      { parent: this },
    );
    this.jobId = dlc.jobId;
    this.status = dlc.status;
    this.outputUri = dlc.outputUri;
    this.checkpointUri = pulumi.output(checkpointUri);
    this.registerOutputs({
      jobId: this.jobId,
      status: this.status,
      outputUri: this.outputUri,
      checkpointUri: this.checkpointUri,
    });
  }
}
