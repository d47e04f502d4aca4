// Endpoints of an EAS service as a Pulumi resource (a dynamic provider): alicloud.pai.Service has no
// endpoint outputs, EAS DescribeService has them (docs/sources.md#pai-2.3). Read-only: it owns nothing.
// Logic in impl/eas-service-endpoints.ts, loaded at call time (see load-impl.ts).
import * as pulumi from "@pulumi/pulumi";
import type * as Impl from "./impl/eas-service-endpoints";
import { thinProvider } from "./thin-provider";

/** Plain inputs. */
export interface EasServiceEndpointsInputs {
  /** Region id (= EAS ClusterId). Change → replace. */
  region: string;
  /** EAS service name. Change → replace. */
  serviceName: string;
  /** Endpoint override. Default: env PAI_EAS_ENDPOINT, then pai-eas.<region>.aliyuncs.com. No diff. */
  endpoint?: string;
  /**
   * What the service was sized from (model architecture, serving settings, instance with its price,
   * replica range, headroom), as `encodeServiceSizing` writes it, so the policy pack and the review
   * recompute its GPU memory and cost from this resource alone (`sizeService(decodeServiceSizing(…))`).
   * Informational, like DlcJob's `sizing`: never sent to EAS, no diff. Default: absent.
   */
  sizing?: string;
  /**
   * How the service is exposed, for the policy pack (`service-access`): a public endpoint next to
   * the VPC one, and token authentication. Informational, no diff. Default: absent.
   */
  exposure?: { publicEndpoint: boolean; tokenAuth: boolean };
}

/**
 * State (id = `<region>/<serviceName>`). Deliberately no AccessToken: DescribeService returns one
 * (docs/sources.md#pai-2.3), but it would be stored in state; callers who need it read it from EAS themselves.
 */
export interface EasServiceEndpointsOutputs extends EasServiceEndpointsInputs {
  /** Public endpoint URL; empty when the service has none. */
  internetEndpoint: string;
  /** VPC endpoint URL; empty when the service has none. */
  intranetEndpoint: string;
  /** EAS service id (ServiceId, docs/sources.md#pai-2.3). */
  serviceId: string;
  /** Service status when last read (Running, Creating, ... docs/sources.md#pai-2.2). */
  status: string;
}

/** Resource arguments. */
export type EasServiceEndpointsArgs = {
  [K in keyof EasServiceEndpointsInputs]: pulumi.Input<EasServiceEndpointsInputs[K]>;
};

/** The dynamic provider (thin; loads impl/eas-service-endpoints.ts at call time). */
export const easServiceEndpointsProvider = thinProvider<
  EasServiceEndpointsInputs,
  EasServiceEndpointsOutputs,
  typeof Impl
>("eas-service-endpoints");

/** Endpoints of an EAS service. Type token `pulumi-nodejs:dynamic/pai:EasServiceEndpoints`. */
export class EasServiceEndpoints extends pulumi.dynamic.Resource {
  /** Public endpoint URL (empty when none). */
  declare readonly internetEndpoint: pulumi.Output<string>;
  /** VPC endpoint URL (empty when none). */
  declare readonly intranetEndpoint: pulumi.Output<string>;
  /** EAS service id. */
  declare readonly serviceId: pulumi.Output<string>;
  /** Service status when last read. */
  declare readonly status: pulumi.Output<string>;

  constructor(name: string, args: EasServiceEndpointsArgs, opts?: pulumi.CustomResourceOptions) {
    const props = {
      ...args,
      internetEndpoint: undefined,
      intranetEndpoint: undefined,
      serviceId: undefined,
      status: undefined,
    };
    super(easServiceEndpointsProvider, name, props, opts, "pai", "EasServiceEndpoints");
  }
}
