/**
 * Wires the whole platform of one environment from a ResolvedStack: workspace, buckets and job role,
 * the Lingjun quota, every fine-tune job and every inference service.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedStack } from "../infra/resolve/types";
import { ArtifactBuckets } from "./artifact-buckets";
import { EvaluationJob } from "./evaluation-job";
import { FineTuneJob } from "./finetune-job";
import { GpuQuota } from "./gpu-quota";
import { InferenceService } from "./inference-service";
import { Workspace } from "./workspace";

export interface FineTunePlatformArgs {
  /** The validated stack (from `resolveStackFromRuntime` / `resolveStackFile`). Required. */
  spec: ResolvedStack;
}

export interface JobOutputs {
  jobId: pulumi.Output<string>;
  status: pulumi.Output<string>;
  outputUri: pulumi.Output<string>;
}

export interface EvaluationOutputs {
  jobId: pulumi.Output<string>;
  status: pulumi.Output<string>;
  /** Where metrics.json is written (oss://<models bucket>/...). */
  metricsUri: string;
}

export interface ServiceOutputs {
  serviceName: pulumi.Output<string>;
  status: pulumi.Output<string>;
  modelUri: pulumi.Output<string>;
  /** Public endpoint URL (empty when the service has none). */
  internetEndpoint: pulumi.Output<string>;
  /** VPC endpoint URL (empty when the service has none). */
  intranetEndpoint: pulumi.Output<string>;
}

export class FineTunePlatform extends pulumi.ComponentResource {
  readonly workspaceId: pulumi.Output<string>;
  readonly bucketNames: ArtifactBuckets["bucketNames"];
  readonly jobRoleArn: pulumi.Output<string>;
  readonly quotaId?: pulumi.Output<string>;
  readonly jobs: Record<string, JobOutputs>;
  readonly evaluations: Record<string, EvaluationOutputs>;
  readonly services: Record<string, ServiceOutputs>;

  constructor(name: string, args: FineTunePlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pai-finetune:platform:FineTunePlatform", name, {}, opts);
    const { spec } = args;
    const parent = { parent: this };

    const workspace = new Workspace(
      `${name}-workspace`,
      {
        workspaceName: spec.workspace.name,
        displayName: spec.workspace.displayName,
        description: spec.workspace.description,
        envTypes: spec.workspace.envTypes,
        ...(spec.workspace.resourceGroupId ? { resourceGroupId: spec.workspace.resourceGroupId } : {}),
      },
      parent,
    );

    const storage = new ArtifactBuckets(
      `${name}-artifacts`,
      {
        bucketNames: spec.buckets,
        encryption: spec.storage.encryption,
        ...(spec.storage.kmsKeyId !== undefined ? { kmsKeyId: spec.storage.kmsKeyId } : {}),
        checkpointRetentionDays: spec.storage.checkpointRetentionDays,
        noncurrentVersionRetentionDays: spec.storage.noncurrentVersionRetentionDays,
        forceDestroy: spec.storage.forceDestroy,
        roleName: `pai-finetune-${spec.storage.bucketPrefix}`.slice(0, 64),
        // Promoted models live in the source stack's bucket: the jobs may read those exact folders.
        readArtifacts: spec.jobs.flatMap((j) => (j.artifact ? [j.artifact.uri] : [])),
        tags: { environment: spec.environment },
      },
      parent,
    );

    let quota: GpuQuota | undefined;
    if (spec.quota) {
      quota = new GpuQuota(
        `${name}-quota`,
        {
          region: spec.region,
          quotaName: spec.quota.name,
          nodeSpec: spec.quota.nodeSpec.id,
          nodeCount: spec.quota.nodes,
          gpusPerNode: spec.quota.nodeSpec.gpuCount,
          ...(spec.quota.resourceGroupIds.length > 0
            ? { resourceGroupIds: spec.quota.resourceGroupIds }
            : {}),
          ...(spec.quota.parentQuotaId !== undefined ? { parentQuotaId: spec.quota.parentQuotaId } : {}),
          queueStrategy: spec.quota.queueStrategy,
          labels: { environment: spec.environment, "managed-by": "pai-finetune" },
        },
        parent,
      );
    }

    this.jobs = {};
    this.evaluations = {};
    for (const job of spec.jobs) {
      if (job.artifact) {
        // A promoted model is not trained again: the stack serves (and evaluates) the artifact.
        this.jobs[job.name] = {
          jobId: pulumi.output(""),
          status: pulumi.output("promoted"),
          outputUri: pulumi.output(job.artifact.uri),
        };
      } else {
        const j = new FineTuneJob(
          `${name}-job-${job.name}`,
          {
            job,
            region: spec.region,
            workspaceId: workspace.workspaceId,
            buckets: spec.buckets,
            ...(job.placement.kind === "quota" && quota ? { quotaId: quota.quotaId } : {}),
            displayNamePrefix: spec.stack,
            // The job runs as the stack's role, whose policy names only this stack's buckets.
            roleArn: storage.roleArn,
          },
          // The buckets (and their role) must exist before a job mounts them.
          { parent: this, dependsOn: storage.readyResources },
        );
        this.jobs[job.name] = { jobId: j.jobId, status: j.status, outputUri: j.outputUri };
      }
      if (job.evaluation) {
        const evaluation = job.evaluation;
        const e = new EvaluationJob(
          `${name}-eval-${job.name}`,
          {
            job: { ...job, evaluation },
            region: spec.region,
            workspaceId: workspace.workspaceId,
            buckets: spec.buckets,
            modelUri: this.jobs[job.name]!.outputUri,
            ...(evaluation.placement.kind === "quota" && quota ? { quotaId: quota.quotaId } : {}),
            displayNamePrefix: spec.stack,
            roleArn: storage.roleArn,
          },
          { parent: this, dependsOn: storage.readyResources },
        );
        this.evaluations[job.name] = { jobId: e.jobId, status: e.status, metricsUri: e.metricsUri };
      }
    }

    this.services = {};
    for (const svc of spec.services) {
      const s = new InferenceService(
        `${name}-svc-${svc.name}`,
        {
          service: svc,
          region: spec.region,
          workspaceId: workspace.workspaceId,
          modelsBucket: storage.bucketNames.models,
          ...(svc.fromJob ? { jobOutputUri: this.jobs[svc.fromJob.name]!.outputUri } : {}),
        },
        parent,
      );
      this.services[svc.name] = {
        serviceName: s.serviceName,
        status: s.status,
        modelUri: s.modelUri,
        internetEndpoint: s.internetEndpoint,
        intranetEndpoint: s.intranetEndpoint,
      };
    }

    this.workspaceId = workspace.workspaceId;
    this.bucketNames = storage.bucketNames;
    this.jobRoleArn = storage.roleArn;
    if (quota) this.quotaId = quota.quotaId;
    this.registerOutputs({
      workspaceId: this.workspaceId,
      bucketNames: this.bucketNames,
      jobRoleArn: this.jobRoleArn,
      quotaId: this.quotaId,
      jobs: this.jobs,
      evaluations: this.evaluations,
      services: this.services,
    });
  }
}
