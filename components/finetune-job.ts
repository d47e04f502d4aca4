/**
 * A PAI-DLC fine-tune job (full, freeze, LoRA or QLoRA; one or more nodes) created from a validated,
 * sized JobSpec. The job is a dynamic resource: submitted on `pulumi up`, stopped and deleted on
 * destroy — but its trained model and checkpoints in OSS are never deleted with it.
 */
import * as pulumi from "@pulumi/pulumi";
import type { JobSpec } from "../infra/spec/types";
import { MOUNTS } from "../infra/spec/command";
import { DlcJob } from "./providers/dlc-job";

export interface FineTuneJobArgs {
  /** The validated, sized job (made by `buildStackSpec`/`resolveJob` from the stack config). Required. */
  job: JobSpec;
  /** Region of the job. Required. */
  region: pulumi.Input<string>;
  /** Workspace the job is created in. Required. */
  workspaceId: pulumi.Input<string>;
  /** Bucket names (datasets, checkpoints, models). Required. */
  buckets: {
    datasets: pulumi.Input<string>;
    checkpoints: pulumi.Input<string>;
    models: pulumi.Input<string>;
  };
  /** OSS intranet endpoint of the region, e.g. "oss-cn-wulanchabu-internal.aliyuncs.com". Default: derived from the region. */
  ossEndpoint?: pulumi.Input<string>;
  /** The Lingjun quota id, required when the job's placement is "quota". */
  quotaId?: pulumi.Input<string>;
  /** RAM role the job runs as. Default: the workspace's default role. */
  roleArn?: pulumi.Input<string>;
  /** Prefix of the job's PAI display name, e.g. the stack name. Default: "pf". */
  displayNamePrefix?: string;
}

/** oss://bucket.endpoint/path/ — the URI form PAI-DLC data sources take (pai-openapi.md §1.2 DataSources.Uri). */
export function ossUri(
  bucket: pulumi.Input<string>,
  endpoint: pulumi.Input<string>,
  key: string,
): pulumi.Output<string> {
  return pulumi.interpolate`oss://${bucket}.${endpoint}/${key}`;
}

export class FineTuneJob extends pulumi.ComponentResource {
  readonly jobId: pulumi.Output<string>;
  readonly status: pulumi.Output<string>;
  /** Where the trained model (or adapter) is written; a service can serve it. */
  readonly outputUri: pulumi.Output<string>;
  readonly checkpointUri: pulumi.Output<string>;

  constructor(name: string, args: FineTuneJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pai-finetune:platform:FineTuneJob", name, {}, opts);
    const { job } = args;
    const endpoint =
      args.ossEndpoint ?? pulumi.output(args.region).apply((r) => `oss-${r}-internal.aliyuncs.com`);
    const datasetDir = job.paths.dataset.includes("/")
      ? job.paths.dataset.slice(0, job.paths.dataset.lastIndexOf("/") + 1)
      : "";
    const outputUri = ossUri(args.buckets.models, endpoint, job.paths.output);
    const checkpointUri = ossUri(args.buckets.checkpoints, endpoint, job.paths.checkpoints);
    const placement = job.placement;
    if (placement.kind === "quota" && args.quotaId === undefined) {
      throw new Error(`FineTuneJob ${name}: job "${job.name}" runs on the quota, so quotaId is required`);
    }
    const share = placement.gpusPerNode / placement.instance.gpuCount;
    const memoryGi = Math.floor(placement.instance.memoryGiB * share);

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
          : {
              resourceId: args.quotaId!,
              resourceConfig: {
                cpu: String(Math.max(1, Math.floor(placement.instance.vcpu * share))),
                gpu: String(placement.gpusPerNode),
                memory: `${memoryGi}Gi`,
                sharedMemory: `${Math.max(1, Math.floor(memoryGi / 2))}Gi`,
              },
            }),
        dataSources: pulumi
          .all([
            ossUri(args.buckets.datasets, endpoint, datasetDir),
            ossUri(args.buckets.models, endpoint, job.paths.baseModel),
            outputUri,
            checkpointUri,
          ])
          .apply(([data, base, output, checkpoints]) => [
            { uri: data, mountPath: MOUNTS.data },
            { uri: base, mountPath: MOUNTS.baseModel },
            { uri: output, mountPath: MOUNTS.output },
            { uri: checkpoints, mountPath: MOUNTS.checkpoints },
          ]),
        envs: { PAI_FINETUNE_JOB: job.name, PAI_FINETUNE_RUN: job.runHash, HF_HUB_OFFLINE: "1" },
        maxRunningTimeMinutes: Math.round(job.config.maxRunningHours * 60),
        priority: job.config.priority,
        tags: {
          "pai-finetune-job": job.name,
          "pai-finetune-run": job.runHash,
          "pai-finetune-method": job.config.method,
        },
        outputUri,
        waitFor: job.config.waitFor,
        waitTimeoutMinutes:
          job.config.waitFor === "succeeded" ? Math.round(job.config.maxRunningHours * 60) + 30 : 60,
      },
      // A new run (different hash) is a new job; delete the old one only after the new one is submitted.
      { parent: this },
    );
    this.jobId = dlc.jobId;
    this.status = dlc.status;
    // From the job resource, so whatever consumes the model (a service) waits for the job.
    this.outputUri = dlc.outputUri;
    this.checkpointUri = checkpointUri;
    this.registerOutputs({
      jobId: this.jobId,
      status: this.status,
      outputUri: this.outputUri,
      checkpointUri: this.checkpointUri,
    });
  }
}
