/**
 * The Pulumi program, as a function of plain data: `runProgram({ resolved })` builds the platform of
 * one resolved stack and returns it with the stack outputs. It reads nothing from the environment
 * or the engine, so the very same call runs under `pulumi up` (`infra/index.ts`, after
 * `resolveFromEngine()`), the offline plan (under the SDK's mock runtime), the review and the tests.
 *
 * This is the one place that maps the resolved stack (`infra/resolve`) onto the components' Args
 * (`components/`): the components know nothing of the stack file or its resolution.
 */
import * as pulumi from "@pulumi/pulumi";
import { ArtifactBuckets } from "../components/artifact-buckets";
import { DatasetUpload } from "../components/dataset-upload";
import { EvaluationJob } from "../components/evaluation-job";
import { FineTuneJob, quotaPodResources, type FineTuneJobCompute } from "../components/finetune-job";
import { GpuQuota } from "../components/gpu-quota";
import { InferenceService } from "../components/inference-service";
import { Workspace } from "../components/workspace";
import { ConfigError } from "./config/errors";
import { encodeJobSizing } from "./sizing/job";
import { encodeServiceSizing } from "./sizing/service";
import { resolveStackFromRuntime } from "./resolve/stack";
import type { ResolvedJob, ResolvedService, ResolvedStack } from "./resolve/types";

export interface ProgramArgs {
  /** The validated stack (`resolveStackFile`, `resolveStackFromRuntime` or `resolveFromEngine`). */
  readonly resolved: ResolvedStack;
}

export interface JobOutputs {
  jobId: pulumi.Output<string>;
  status: pulumi.Output<string>;
  outputUri: pulumi.Output<string>;
}

export interface EvaluationOutputs {
  jobId: pulumi.Output<string>;
  status: pulumi.Output<string>;
  /** Where metrics.json is written. */
  metricsUri: pulumi.Output<string>;
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

export interface ProgramResult {
  /** The stack the program was built from (the argument, returned for callers' convenience). */
  resolved: ResolvedStack;
  /** Stack outputs: Outputs, or plain records of Outputs (the engine resolves nested Outputs when it
   *  registers the stack's outputs, so wrapping each record in `pulumi.output` would only unwrap
   *  every job's Outputs a second time). */
  outputs: Record<string, unknown>;
}

/**
 * What `pulumi up` resolves: the stack's config as the engine passed it. A bad config becomes a
 * RunError, which the engine prints without a stack trace.
 */
export function resolveFromEngine(): ResolvedStack {
  try {
    return resolveStackFromRuntime(pulumi.runtime.allConfig(), pulumi.getStack());
  } catch (err) {
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

export function runProgram({ resolved }: ProgramArgs): ProgramResult {
  const platform = new FineTunePlatform("platform", resolved);
  return {
    resolved,
    outputs: {
      workspaceId: platform.workspaceId,
      bucketNames: platform.bucketNames,
      jobRoleArn: platform.jobRoleArn,
      quotaId: platform.quotaId,
      jobs: platform.jobs,
      evaluations: platform.evaluations,
      services: platform.services,
    },
  };
}

/**
 * The parent of every resource of one environment: workspace, buckets and job role, the Lingjun
 * quota, every fine-tune job and every inference service. Defined here, not in `components/`,
 * because it is the mapping from a ResolvedStack, not a reusable building block.
 */
class FineTunePlatform extends pulumi.ComponentResource {
  readonly workspaceId: pulumi.Output<string>;
  readonly bucketNames: ArtifactBuckets["bucketNames"];
  readonly jobRoleArn: pulumi.Output<string>;
  readonly quotaId?: pulumi.Output<string>;
  readonly jobs: Record<string, JobOutputs> = {};
  readonly evaluations: Record<string, EvaluationOutputs> = {};
  readonly services: Record<string, ServiceOutputs> = {};

  constructor(name: string, stack: ResolvedStack, opts?: pulumi.ComponentResourceOptions) {
    // The stack file's policy exemptions ride on the root component's inputs: the policy pack sees
    // resources only, and a stack policy finds them here (policies/lib/exemptions.ts).
    super(
      "pai-finetune:platform:FineTunePlatform",
      name,
      { policyExemptions: JSON.stringify(stack.config.exemptions) },
      opts,
    );
    const parent = { parent: this };

    const workspace = new Workspace(
      `${name}-workspace`,
      {
        workspaceName: stack.workspace.name,
        displayName: stack.workspace.displayName,
        description: stack.workspace.description,
        envTypes: stack.workspace.envTypes,
        resourceGroupId: stack.workspace.resourceGroupId,
      },
      parent,
    );

    const storage = new ArtifactBuckets(
      `${name}-artifacts`,
      {
        bucketNames: stack.buckets,
        encryption: stack.storage.encryption,
        kmsKeyId: stack.storage.kmsKeyId,
        checkpointRetentionDays: stack.storage.checkpointRetentionDays,
        noncurrentVersionRetentionDays: stack.storage.noncurrentVersionRetentionDays,
        forceDestroy: stack.storage.forceDestroy,
        roleName: `pai-finetune-${stack.storage.bucketPrefix}`.slice(0, 64),
        tags: { environment: stack.environment },
        // Promoted models stay in the source stack's bucket. The job-role-least-privilege policy
        // keeps this role to the stack's own buckets, so the read grant belongs on the source
        // bucket (a bucket policy), not here: `readArtifacts` stays unused (docs/decisions.md).
      },
      parent,
    );

    const quota = stack.quota
      ? new GpuQuota(
          `${name}-quota`,
          {
            region: stack.region,
            quotaName: stack.quota.name,
            instanceType: stack.quota.instance.id,
            nodeCount: stack.quota.nodes,
            gpusPerNode: stack.quota.instance.gpuCount,
            // A child quota names no resource groups: send none rather than an empty list.
            resourceGroupIds:
              stack.quota.resourceGroupIds.length > 0 ? stack.quota.resourceGroupIds : undefined,
            parentQuotaId: stack.quota.parentQuotaId,
            queueStrategy: stack.quota.queueStrategy,
            labels: { environment: stack.environment, "managed-by": "pai-finetune" },
          },
          parent,
        )
      : undefined;

    // One upload per object key, however many jobs read it: training data under its content
    // version, an evaluation set at its own path in the datasets bucket.
    const uploads = new Map<string, DatasetUpload>();
    const uploadOnce = (resourceName: string, u: { key: string; source: string; md5: string }) => {
      if (uploads.has(u.key)) return;
      const args = { bucket: storage.bucketNames.datasets, key: u.key, source: u.source, md5: u.md5 };
      const kms = { encryption: stack.storage.encryption, kmsKeyId: stack.storage.kmsKeyId };
      uploads.set(u.key, new DatasetUpload(resourceName, { ...args, ...kms }, parent));
    };
    for (const job of stack.jobs)
      if (job.dataset) uploadOnce(`${name}-data-${job.dataset.version.slice(0, 16)}`, job.dataset);
    for (const job of stack.jobs) {
      const ev = job.evaluation;
      if (ev?.dataset.upload)
        uploadOnce(`${name}-evaldata-${ev.dataset.version!.slice(0, 16)}`, ev.dataset.upload);
    }

    for (const job of stack.jobs) {
      if (job.artifact) {
        // A promoted model is not trained again: the stack serves (and evaluates) the artifact.
        this.jobs[job.name] = {
          jobId: pulumi.output(""),
          status: pulumi.output("promoted"),
          outputUri: pulumi.output(job.artifact.uri),
        };
      } else {
        const upload = job.dataset ? uploads.get(job.dataset.key) : undefined;
        const j = new FineTuneJob(
          `${name}-job-${job.name}`,
          {
            region: stack.region,
            workspaceId: workspace.workspaceId,
            jobName: job.name,
            runHash: job.runHash,
            method: job.config.method,
            image: job.image,
            command: job.command,
            nodes: job.placement.nodes,
            compute: jobCompute(job, quota?.quotaId),
            buckets: stack.buckets,
            paths: job.paths,
            displayNamePrefix: stack.stack,
            // The job runs as the stack's role, whose policy names only this stack's buckets.
            roleArn: storage.roleArn,
            maxRunningMinutes: Math.round(job.config.maxRunningHours * 60),
            priority: job.config.priority,
            waitFor: job.config.waitFor,
            sizing: encodeJobSizing(job.sizing),
          },
          // The buckets (and their role), and the job's data, must exist before a job mounts them.
          { parent: this, dependsOn: upload ? [...storage.readyResources, upload] : storage.readyResources },
        );
        this.jobs[job.name] = { jobId: j.jobId, status: j.status, outputUri: j.outputUri };
      }
      const ev = job.evaluation;
      if (ev) {
        const e = new EvaluationJob(
          `${name}-eval-${job.name}`,
          {
            region: stack.region,
            workspaceId: workspace.workspaceId,
            jobName: job.name,
            runHash: job.runHash,
            image: ev.image,
            command: ev.command,
            compute: jobCompute({ ...job, placement: ev.placement }, quota?.quotaId),
            buckets: stack.buckets,
            datasetPath: ev.dataset.path,
            baseModelPath: job.paths.baseModel,
            modelUri: this.jobs[job.name]!.outputUri,
            outputPath: ev.paths.output,
            datasetVersionTag: ev.dataset.version?.slice(0, 16) ?? "unversioned",
            displayNamePrefix: stack.stack,
            roleArn: storage.roleArn,
            maxRunningMinutes: Math.round(ev.config.maxRunningHours * 60),
            priority: job.config.priority,
          },
          // Its evaluation set must be in the bucket before it reads it.
          {
            parent: this,
            dependsOn: ev.dataset.upload
              ? [...storage.readyResources, uploads.get(ev.dataset.upload.key)!]
              : storage.readyResources,
          },
        );
        this.evaluations[job.name] = { jobId: e.jobId, status: e.status, metricsUri: e.metricsUri };
      }
    }

    for (const svc of stack.services) {
      const s = new InferenceService(
        `${name}-svc-${svc.name}`,
        {
          ...serviceDeployment(svc),
          region: stack.region,
          workspaceId: workspace.workspaceId,
          modelsBucket: storage.bucketNames.models,
          autoscaling: svc.autoscaling,
          jobName: svc.fromJob?.name,
          jobOutputUri: svc.fromJob ? this.jobs[svc.fromJob.name]!.outputUri : undefined,
          sizing: encodeServiceSizing(svc.sizing),
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
    this.quotaId = quota?.quotaId;
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

/** A job's placement as the component's compute: public instances, or its share of the quota's nodes. */
function jobCompute(job: ResolvedJob, quotaId: pulumi.Output<string> | undefined): FineTuneJobCompute {
  const { placement } = job;
  if (placement.kind === "public")
    return {
      kind: "public",
      instanceType: placement.instance.id,
      ...(job.spot ? { spot: job.spot.spec } : {}),
    };
  // resolveJob places a job on the quota only when the stack has one.
  if (!quotaId) throw new Error(`job "${job.name}" runs on the quota, but the stack has none`);
  return { kind: "quota", quotaId, resources: quotaPodResources(placement.instance, placement.gpusPerNode) };
}

function serviceDeployment(svc: ResolvedService) {
  return {
    serviceName: svc.name,
    image: svc.image,
    command: svc.command,
    instanceType: svc.instance.id,
    replicas: svc.replicas,
    modelPath: svc.modelPath,
    baseModelPath: svc.baseModelPath,
    modelUri: svc.modelUri,
    publicEndpoint: svc.config.publicEndpoint,
  };
}
