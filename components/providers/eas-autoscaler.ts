// Horizontal autoscaler of an EAS service as a Pulumi resource via a dynamic provider.
// Logic in impl/eas-autoscaler.ts, loaded at call time (see load-impl.ts).
import * as pulumi from "@pulumi/pulumi";
import type * as Impl from "./impl/eas-autoscaler";
import { thinProvider } from "./thin-provider";

/** Plain inputs of an EAS autoscaler. */
export interface EasAutoscalerInputs {
  /** Region id (= EAS ClusterId). Change → replace. */
  region: string;
  /** EAS service name. Change → replace. */
  serviceName: string;
  /** Minimum replicas (≥ 1). Change → update in place. */
  min: number;
  /** Maximum replicas (> min). Change → update in place. */
  max: number;
  /** Scaling rules (at least one): metric `qps`, `cpu` or `gpu[util]` and its threshold (> 0). Change → update in place. */
  strategies: { metricName: "qps" | "cpu" | "gpu[util]"; threshold: number }[];
  /** Scale-up stabilisation window in seconds. Default: API default 0. Change → update in place. */
  scaleUpStabilizationSeconds?: number;
  /** Scale-down stabilisation window in seconds. Default: API default 300. Change → update in place. */
  scaleDownStabilizationSeconds?: number;
  /** Endpoint override. Default: env PAI_EAS_ENDPOINT, then pai-eas.<region>.aliyuncs.com. No diff. */
  endpoint?: string;
}

/** State of an EAS autoscaler (id = `<region>/<serviceName>`). */
export interface EasAutoscalerOutputs extends EasAutoscalerInputs {
  /** Service status when last seen. */
  serviceStatus?: string;
}

/** Resource arguments. */
export type EasAutoscalerArgs = { [K in keyof EasAutoscalerInputs]: pulumi.Input<EasAutoscalerInputs[K]> };

/** The dynamic provider (thin; loads impl/eas-autoscaler.ts at call time). */
export const easAutoscalerProvider = thinProvider<EasAutoscalerInputs, EasAutoscalerOutputs, typeof Impl>(
  "eas-autoscaler",
);

/** An EAS service autoscaler. Type token `pulumi-nodejs:dynamic/pai:EasAutoscaler`. */
export class EasAutoscaler extends pulumi.dynamic.Resource {
  /** Service name. */
  declare readonly serviceName: pulumi.Output<string>;
  /** Minimum replicas. */
  declare readonly min: pulumi.Output<number>;
  /** Maximum replicas. */
  declare readonly max: pulumi.Output<number>;

  constructor(name: string, args: EasAutoscalerArgs, opts?: pulumi.CustomResourceOptions) {
    super(easAutoscalerProvider, name, { ...args, serviceStatus: undefined }, opts, "pai", "EasAutoscaler");
  }
}
