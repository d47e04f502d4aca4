// PAI Lingjun GPU resource quota (PAIStudio API) as a Pulumi resource via a dynamic provider.
// Logic in impl/gpu-quota.ts, loaded at call time (see load-impl.ts).
import * as pulumi from "@pulumi/pulumi";
import type * as Impl from "./impl/gpu-quota";
import { thinProvider } from "./thin-provider";

/** Plain inputs of a GPU quota. */
export interface GpuQuotaInputs {
  /** Region id. Change → replace. */
  region: string;
  /** Quota name, 1-63 chars of [A-Za-z0-9_-]. Change → replace. */
  quotaName: string;
  /** Resource type; only `Lingjun`. Change → replace. */
  resourceType: "Lingjun";
  /** Node spec, e.g. `ml.gu7xf.8xlarge-gu108`. Change → replace. */
  nodeSpec: string;
  /** Nodes in the quota (≥ 1). Change → ScaleQuota in place. */
  nodeCount: number;
  /** Dedicated resource groups (root quotas). Default none. Change → ScaleQuota in place. */
  resourceGroupIds?: string[];
  /** Parent quota id for a child quota. Default none (root). Change → replace. */
  parentQuotaId?: string;
  /** Queue strategy (PaiStrategyIntelligent, ...). Default: API default. Change → UpdateQuota in place. */
  queueStrategy?: string;
  /** Description. Default none. Change → UpdateQuota in place. */
  description?: string;
  /** Labels. Default none. Change → UpdateQuota in place (full replace). */
  labels?: Record<string, string>;
  /** Endpoint override. Default: env PAI_STUDIO_ENDPOINT, then pai.<region>.aliyuncs.com. No diff. */
  endpoint?: string;
}

/** State of a GPU quota. */
export interface GpuQuotaOutputs extends GpuQuotaInputs {
  /** Quota id. */
  quotaId: string;
  /** Last seen status (Ready, Creating, or a newer value). */
  status: string;
  /** Reason code, if any. */
  reasonCode?: string;
  /** Reason message, if any. */
  reasonMessage?: string;
}

/** Resource arguments. */
export type GpuQuotaArgs = { [K in keyof GpuQuotaInputs]: pulumi.Input<GpuQuotaInputs[K]> };

/** The dynamic provider (thin; loads impl/gpu-quota.ts at call time). */
export const gpuQuotaProvider = thinProvider<GpuQuotaInputs, GpuQuotaOutputs, typeof Impl>("gpu-quota");

/** A PAI Lingjun resource quota. Type token `pulumi-nodejs:dynamic/pai:GpuQuota`. */
export class GpuQuota extends pulumi.dynamic.Resource {
  /** Quota id (use as DLC ResourceId). */
  declare readonly quotaId: pulumi.Output<string>;
  /** Last seen status. */
  declare readonly status: pulumi.Output<string>;
  /** Nodes in the quota. */
  declare readonly nodeCount: pulumi.Output<number>;
  /** Node spec. */
  declare readonly nodeSpec: pulumi.Output<string>;

  constructor(name: string, args: GpuQuotaArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      gpuQuotaProvider,
      name,
      { ...args, quotaId: undefined, status: undefined },
      opts,
      "pai",
      "GpuQuota",
    );
  }
}
