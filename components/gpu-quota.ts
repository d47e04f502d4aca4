/** A Lingjun GPU resource quota that quota-backed fine-tune jobs draw on (PAIStudio quota API, dynamic provider). */
import * as pulumi from "@pulumi/pulumi";
import { GpuQuota as GpuQuotaResource } from "./providers/gpu-quota";

export interface GpuQuotaArgs {
  /** Region of the quota. Required. */
  region: pulumi.Input<string>;
  /** Quota name, 1-63 characters. Required; changing it replaces the quota. */
  quotaName: pulumi.Input<string>;
  /** Lingjun node spec, e.g. "ml.gu7xf.8xlarge-gu108". Required; changing it replaces the quota. */
  nodeSpec: pulumi.Input<string>;
  /** Nodes reserved; changed in place (ScaleQuota). Required. */
  nodeCount: pulumi.Input<number>;
  /** GPUs per node of the spec, for the `gpuCount` output. Required. */
  gpusPerNode: number;
  /** Lingjun resource groups of a root quota. Default: none. */
  resourceGroupIds?: pulumi.Input<string[]>;
  /** Parent quota of a child quota. Default: none (root quota). */
  parentQuotaId?: pulumi.Input<string>;
  /** Scheduling strategy. Default: "PaiStrategyIntelligent". */
  queueStrategy?: pulumi.Input<string>;
  /** Labels on the quota. Default: none. */
  labels?: pulumi.Input<Record<string, string>>;
}

export class GpuQuota extends pulumi.ComponentResource {
  readonly quotaId: pulumi.Output<string>;
  readonly status: pulumi.Output<string>;
  /** Total GPUs the quota reserves (nodes × GPUs per node). */
  readonly gpuCount: pulumi.Output<number>;

  constructor(name: string, args: GpuQuotaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pai-finetune:platform:GpuQuota", name, {}, opts);
    const quota = new GpuQuotaResource(
      name,
      {
        region: args.region,
        quotaName: args.quotaName,
        resourceType: "Lingjun",
        nodeSpec: args.nodeSpec,
        nodeCount: args.nodeCount,
        ...(args.resourceGroupIds !== undefined ? { resourceGroupIds: args.resourceGroupIds } : {}),
        ...(args.parentQuotaId !== undefined ? { parentQuotaId: args.parentQuotaId } : {}),
        queueStrategy: args.queueStrategy ?? "PaiStrategyIntelligent",
        ...(args.labels !== undefined ? { labels: args.labels } : {}),
      },
      { parent: this },
    );
    this.quotaId = quota.quotaId;
    this.status = quota.status;
    this.gpuCount = pulumi.output(args.nodeCount).apply((n) => n * args.gpusPerNode);
    this.registerOutputs({ quotaId: this.quotaId, status: this.status, gpuCount: this.gpuCount });
  }
}
