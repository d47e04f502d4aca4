/**
 * A PAI-EAS inference service serving a fine-tune job's output (or a pinned model path) with vLLM,
 * plus its autoscaler when the replica range allows scaling. The service itself is the upstream
 * `alicloud.pai.Service`; the autoscaler, which the provider does not cover, is a dynamic resource.
 */
import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { MOUNTS } from "../infra/layout";
import { EasAutoscaler } from "./providers/eas-autoscaler";
import { EasServiceEndpoints } from "./providers/eas-service-endpoints";

/** EAS horizontal autoscaling: one metric and its target, between the replica bounds. */
export interface ServiceAutoscaling {
  readonly metricName: "qps" | "cpu" | "gpu[util]";
  readonly threshold: number;
  /** @default the API's default, 0 */
  readonly scaleUpStabilizationSeconds?: number;
  /** @default the API's default, 300 */
  readonly scaleDownStabilizationSeconds?: number;
}

/**
 * What goes into the EAS service JSON. Plain values: the component composes them into one document
 * (`easServiceConfig`), which the plan and the policies read as it will be sent.
 */
export interface ServiceDeployment {
  /** EAS service name (unique per region). */
  readonly serviceName: string;
  /** vLLM container image. */
  readonly image: string;
  /** Startup command. */
  readonly command: string;
  /** EAS instance type id, e.g. "ecs.gn7i-c8g1.2xlarge". */
  readonly instanceType: string;
  /** Replicas at deploy time (min) and the autoscaler's ceiling (max). */
  readonly replicas: { readonly min: number; readonly max: number };
  /** Bucket-relative path of the served weights (models bucket). */
  readonly modelPath: string;
  /**
   * For an adapter (LoRA/QLoRA output): the base weights, bucket-relative; the adapter is then `modelPath`.
   * @default none (modelPath holds full weights)
   */
  readonly baseModelPath?: string;
  /**
   * The served weights' full oss://bucket/path/ when they live outside the models bucket (a
   * promoted artifact, read where it was trained and evaluated); replaces `modelPath`.
   * @default none (`modelPath` in the models bucket)
   */
  readonly modelUri?: string;
  /**
   * Give the service an internet endpoint (EAS's own default is to give one); otherwise VPC only.
   * @default false
   */
  readonly publicEndpoint?: boolean;
}

export interface InferenceServiceArgs extends ServiceDeployment {
  /** Region (the EAS cluster id). */
  readonly region: pulumi.Input<string>;
  /** Workspace the service belongs to. */
  readonly workspaceId: pulumi.Input<string>;
  /** The models bucket that holds the served weights. */
  readonly modelsBucket: pulumi.Input<string>;
  /**
   * Scale on a metric between `replicas.min` and `replicas.max`.
   * @default none (a fixed `replicas.min`)
   */
  readonly autoscaling?: ServiceAutoscaling;
  /**
   * Name of the fine-tune job it serves, for the `pai-finetune-job` tag.
   * @default none (no tag)
   */
  readonly jobName?: string;
  /**
   * Output URI of the job it serves, so the service is created after that job.
   * @default none
   */
  readonly jobOutputUri?: pulumi.Input<string>;
  /**
   * What the service was sized from, as `encodeServiceSizing` writes it; carried by the service's
   * EasServiceEndpoints so the policy pack and the review size the service from its resources.
   * @default none
   */
  readonly sizing?: string;
}

/** How `easServiceConfig` exposes the service, as the policy pack reads it (`service-access`). */
export function serviceExposure(s: ServiceDeployment): { publicEndpoint: boolean; tokenAuth: boolean } {
  const c = easServiceConfig(s, "", "") as {
    networking: { disable_internet_endpoint: boolean };
    credential: { generate_token: boolean };
  };
  return { publicEndpoint: !c.networking.disable_internet_endpoint, tokenAuth: c.credential.generate_token };
}

/** The EAS service JSON (docs/sources.md#pai-2.6): image-based deploy of vLLM with read-only OSS mounts. */
export function easServiceConfig(
  s: ServiceDeployment,
  modelsBucket: string,
  workspaceId: string,
): Record<string, unknown> {
  const mount = (uri: string, mountPath: string) => ({
    mount_path: mountPath,
    oss: { path: uri, readOnly: true },
  });
  const served = s.modelUri ?? `oss://${modelsBucket}/${s.modelPath}`;
  const storage = s.baseModelPath
    ? [mount(`oss://${modelsBucket}/${s.baseModelPath}`, MOUNTS.servedModel), mount(served, MOUNTS.adapter)]
    : [mount(served, MOUNTS.servedModel)];
  return {
    metadata: { name: s.serviceName, instance: s.replicas.min, workspace_id: workspaceId },
    cloud: { computing: { instance_type: s.instanceType } },
    containers: [{ image: s.image, script: s.command, port: 8000 }],
    storage,
    // The internet endpoint is off unless the stack asks for it (`publicEndpoint`, default false):
    // EAS gives every service a public endpoint by default. `networking.disable_internet_endpoint`
    // is a key of the service JSON's `networking` section
    // (https://www.alibabacloud.com/help/en/pai/user-guide/parameters-of-model-services); the key's
    // name and boolean value come from EAS's own service-config key list, not from the documentation
    // text, which we could not retrieve: UNCONFIRMED by a primary source.
    networking: { disable_internet_endpoint: !(s.publicEndpoint ?? false) },
    // Token authentication said, not left to EAS's default (the same page: "If you do not specify
    // [token], the system automatically generates a token"). EAS generates the token, so no secret is
    // written into the config or into state; callers read it from DescribeService (AccessToken).
    // `credential.generate_token` is from the same key list as above: UNCONFIRMED by the docs.
    credential: { generate_token: true },
  };
}

export class InferenceService extends pulumi.ComponentResource {
  readonly serviceName: pulumi.Output<string>;
  readonly status: pulumi.Output<string>;
  /** The served model's OSS path. */
  readonly modelUri: pulumi.Output<string>;
  /** Public endpoint URL from EAS DescribeService (empty when the service has none). */
  readonly internetEndpoint: pulumi.Output<string>;
  /** VPC endpoint URL from EAS DescribeService (empty when the service has none). */
  readonly intranetEndpoint: pulumi.Output<string>;

  constructor(name: string, args: InferenceServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pai-finetune:platform:InferenceService", name, {}, opts);
    const serviceConfig = pulumi
      .all([args.modelsBucket, args.workspaceId, args.jobOutputUri ?? ""])
      .apply(([bucket, workspaceId]) => JSON.stringify(easServiceConfig(args, bucket, workspaceId)));
    const tags: Record<string, string> = { "managed-by": "pai-finetune" };
    if (args.jobName !== undefined) tags["pai-finetune-job"] = args.jobName;
    const service = new alicloud.pai.Service(
      name,
      { serviceConfig, workspaceId: args.workspaceId, tags },
      { parent: this },
    );
    const scaling = args.autoscaling;
    if (scaling) {
      new EasAutoscaler(
        `${name}-autoscaler`,
        {
          region: args.region,
          serviceName: service.id,
          min: args.replicas.min,
          max: args.replicas.max,
          strategies: [{ metricName: scaling.metricName, threshold: scaling.threshold }],
          scaleUpStabilizationSeconds: scaling.scaleUpStabilizationSeconds,
          scaleDownStabilizationSeconds: scaling.scaleDownStabilizationSeconds,
        },
        { parent: this, dependsOn: [service] },
      );
    }
    // alicloud.pai.Service has no endpoint outputs; read them from DescribeService (docs/sources.md#pai-2.3).
    const endpoints = new EasServiceEndpoints(
      `${name}-endpoints`,
      {
        region: args.region,
        serviceName: service.id,
        ...(args.sizing !== undefined ? { sizing: args.sizing } : {}),
        exposure: serviceExposure(args),
      },
      { parent: this, dependsOn: [service] },
    );
    this.serviceName = service.id;
    this.status = service.status;
    this.modelUri = args.modelUri
      ? pulumi.output(args.modelUri)
      : pulumi.interpolate`oss://${args.modelsBucket}/${args.modelPath}`;
    this.internetEndpoint = endpoints.internetEndpoint;
    this.intranetEndpoint = endpoints.intranetEndpoint;
    this.registerOutputs({
      serviceName: this.serviceName,
      status: this.status,
      modelUri: this.modelUri,
      internetEndpoint: this.internetEndpoint,
      intranetEndpoint: this.intranetEndpoint,
    });
  }
}
