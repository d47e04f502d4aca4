/** A Lingjun GPU resource quota that quota-backed fine-tune jobs draw on (PAIStudio quota API, dynamic provider). */
import * as pulumi from "@pulumi/pulumi";
import { GpuQuota as GpuQuotaResource } from "./providers/gpu-quota";

export interface GpuQuotaArgs {
  /** Region of the quota. */
  readonly region: pulumi.Input<string>;
  /** Quota name, 1-63 characters. Changing it replaces the quota. */
  readonly quotaName: pulumi.Input<string>;
  /**
   * Lingjun instance type of every node, e.g. "ml.gu7xf.8xlarge-gu108" (the API's node spec).
   * Changing it replaces the quota.
   */
  readonly instanceType: pulumi.Input<string>;
  /** Nodes reserved; changed in place (ScaleQuota). */
  readonly nodeCount: pulumi.Input<number>;
  /** GPUs per node of that instance type, for the `gpuCount` output. */
  readonly gpusPerNode: pulumi.Input<number>;
  /**
   * Lingjun resource groups of a root quota.
   * @default none
   */
  readonly resourceGroupIds?: pulumi.Input<string[]>;
  /**
   * Parent quota of a child quota.
   * @default none (a root quota)
   */
  readonly parentQuotaId?: pulumi.Input<string>;
  /**
   * Scheduling strategy between the quota's jobs.
   * @default "PaiStrategyIntelligent"
   */
  readonly queueStrategy?: pulumi.Input<string>;
  /**
   * Labels on the quota.
   * @default none
   */
  readonly labels?: pulumi.Input<Record<string, string>>;
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
        nodeSpec: args.instanceType,
        nodeCount: args.nodeCount,
        resourceGroupIds: args.resourceGroupIds,
        parentQuotaId: args.parentQuotaId,
        queueStrategy: args.queueStrategy ?? "PaiStrategyIntelligent",
        labels: args.labels,
      },
      { parent: this },
    );
    this.quotaId = quota.quotaId;
    this.status = quota.status;
    this.gpuCount = pulumi.all([args.nodeCount, args.gpusPerNode]).apply(([n, g]) => n * g);
    this.registerOutputs({ quotaId: this.quotaId, status: this.status, gpuCount: this.gpuCount });
  }
}
