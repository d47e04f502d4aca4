/**
 * A PAI-DLC fine-tune job (full, freeze, LoRA or QLoRA; one or more nodes) created from a validated,
 * sized ResolvedJob. The job is a dynamic resource: submitted on `pulumi up`, stopped and deleted on
 * destroy — but its trained model and checkpoints in OSS are never deleted with it.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedJob } from "../infra/resolve/types";
import { MOUNTS } from "../infra/resolve/command";
import { encodeJobSizing } from "../infra/sizing/job";
import { DlcJob } from "./providers/dlc-job";

export interface FineTuneJobArgs {
  /** The validated, sized job (made by `resolveStack`/`resolveJob` from the stack config). Required. */
  job: ResolvedJob;
  /** Region of the job. Required. */
  region: string;
  /** Workspace the job is created in. Required. */
  workspaceId: pulumi.Input<string>;
  /**
   * Bucket names (datasets, checkpoints, models). Required. Names are known before the buckets
   * exist; put the bucket resources in `opts.dependsOn` so the job is submitted after them.
   */
  buckets: { datasets: string; checkpoints: string; models: string };
  /** OSS intranet endpoint. Default: the region's, "oss-<region>-internal.aliyuncs.com". */
  ossEndpoint?: string;
  /** The Lingjun quota id; required when the job's placement is "quota". */
  quotaId?: pulumi.Input<string>;
  /** Prefix of the job's PAI display name, e.g. the stack name. Default: "pf". */
  displayNamePrefix?: string;
  /**
   * RAM role the job runs as, e.g. ArtifactBuckets' role scoped to the stack's buckets. Default: the
   * workspace's default role.
   */
  roleArn?: pulumi.Input<string>;
}

/** oss://bucket.endpoint/path/ — the URI form PAI-DLC data sources take (docs/sources.md#pai-1.2 DataSources.Uri). */
export function ossUri(bucket: string, endpoint: string, key: string): string {
  return `oss://${bucket}.${endpoint}/${key}`;
}

/** A quota job asks for its share of a node: GPUs as configured, CPU and memory in proportion. */
export function quotaResourceConfig(placement: Pick<ResolvedJob["placement"], "instance" | "gpusPerNode">): {
  cpu: string;
  gpu: string;
  memory: string;
  sharedMemory: string;
} {
  const { instance, gpusPerNode } = placement;
  const share = gpusPerNode / instance.gpuCount;
  const memoryGi = Math.floor(instance.memoryGiB * share);
  return {
    cpu: String(Math.max(1, Math.floor(instance.vcpu * share))),
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
  readonly checkpointUri: string;

  constructor(name: string, args: FineTuneJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pai-finetune:platform:FineTuneJob", name, {}, opts);
    const { job } = args;
    const placement = job.placement;
    if (placement.kind === "quota" && args.quotaId === undefined) {
      throw new Error(`FineTuneJob ${name}: job "${job.name}" runs on the quota, so quotaId is required`);
    }
    const endpoint = args.ossEndpoint ?? `oss-${args.region}-internal.aliyuncs.com`;
    const dataset = job.paths.dataset;
    const datasetDir = dataset.includes("/") ? dataset.slice(0, dataset.lastIndexOf("/") + 1) : "";
    const outputUri = ossUri(args.buckets.models, endpoint, job.paths.output);
    this.checkpointUri = ossUri(args.buckets.checkpoints, endpoint, job.paths.checkpoints);

    const dlc = new DlcJob(
      name,
      {
        region: args.region,
        workspaceId: args.workspaceId,
        displayName: `${args.displayNamePrefix ?? "pf"}-${job.name}-${job.runHash}`,
        jobType: "PyTorchJob",
        image: job.image,
        userCommand: job.command,
        podCount: placement.nodes,
        ...(placement.kind === "public"
          ? { ecsSpec: placement.instance.id }
          : { resourceId: args.quotaId!, resourceConfig: quotaResourceConfig(job.placement) }),
        dataSources: [
          { uri: ossUri(args.buckets.datasets, endpoint, datasetDir), mountPath: MOUNTS.data },
          { uri: ossUri(args.buckets.models, endpoint, job.paths.baseModel), mountPath: MOUNTS.baseModel },
          { uri: outputUri, mountPath: MOUNTS.output },
          { uri: this.checkpointUri, mountPath: MOUNTS.checkpoints },
        ],
        envs: { PAI_FINETUNE_JOB: job.name, PAI_FINETUNE_RUN: job.runHash, HF_HUB_OFFLINE: "1" },
        maxRunningTimeMinutes: Math.round(job.config.maxRunningHours * 60),
        priority: job.config.priority,
        ...(args.roleArn !== undefined ? { roleArn: args.roleArn } : {}),
        tags: {
          "pai-finetune-job": job.name,
          "pai-finetune-run": job.runHash,
          "pai-finetune-method": job.config.method,
        },
        outputUri,
        sizing: encodeJobSizing(job.sizing),
        waitFor: job.config.waitFor,
        waitTimeoutMinutes:
          job.config.waitFor === "succeeded" ? Math.round(job.config.maxRunningHours * 60) + 30 : 60,
      },
      { parent: this },
    );
    this.jobId = dlc.jobId;
    this.status = dlc.status;
    this.outputUri = dlc.outputUri;
    this.registerOutputs({ jobId: this.jobId, status: this.status, outputUri: this.outputUri });
  }
}
