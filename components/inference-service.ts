/**
 * A PAI-EAS inference service serving a fine-tune job's output (or a pinned model path) with vLLM,
 * plus its autoscaler when the replica range allows scaling. The service itself is the upstream
 * `alicloud.pai.Service`; the autoscaler, which the provider does not cover, is a dynamic resource.
 */
import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedService } from "../infra/resolve/types";
import { MOUNTS } from "../infra/resolve/command";
import { EasAutoscaler } from "./providers/eas-autoscaler";
import { EasServiceEndpoints } from "./providers/eas-service-endpoints";

export interface InferenceServiceArgs {
  /** The validated, sized service (from `resolveStack`). Required. */
  service: ResolvedService;
  /** Region (the EAS cluster id). Required. */
  region: pulumi.Input<string>;
  /** Workspace the service belongs to. Required. */
  workspaceId: pulumi.Input<string>;
  /** The models bucket that holds the served weights. Required. */
  modelsBucket: pulumi.Input<string>;
  /** Output URI of the job it serves, so the service is created after that job. Default: none. */
  jobOutputUri?: pulumi.Input<string>;
}

/** The EAS service JSON (docs/sources.md#pai-2.6): image-based deploy of vLLM with read-only OSS mounts. */
export function easServiceConfig(
  s: ResolvedService,
  modelsBucket: string,
  workspaceId: string,
): Record<string, unknown> {
  const mount = (uri: string, mountPath: string) => ({
    mount_path: mountPath,
    oss: { path: uri, readOnly: true },
  });
  // A promoted artifact (modelUri) is read where it was trained and evaluated: the exact bytes.
  const served = s.modelUri ?? `oss://${modelsBucket}/${s.modelPath}`;
  const storage = s.baseModelPath
    ? [mount(`oss://${modelsBucket}/${s.baseModelPath}`, MOUNTS.servedModel), mount(served, MOUNTS.adapter)]
    : [mount(served, MOUNTS.servedModel)];
  return {
    metadata: { name: s.name, instance: s.replicas.min, workspace_id: workspaceId },
    cloud: { computing: { instance_type: s.instance.id } },
    containers: [{ image: s.image, script: s.command, port: 8000 }],
    storage,
    // The internet endpoint is off unless the stack asks for it (`publicEndpoint`, default false):
    // EAS gives every service a public endpoint by default. `networking.disable_internet_endpoint`
    // is a key of the service JSON's `networking` section
    // (https://www.alibabacloud.com/help/en/pai/user-guide/parameters-of-model-services); the key's
    // name and boolean value come from EAS's own service-config key list, not from the documentation
    // text, which we could not retrieve: UNCONFIRMED by a primary source.
    networking: { disable_internet_endpoint: !s.config.publicEndpoint },
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
    const s = args.service;
    const serviceConfig = pulumi
      .all([args.modelsBucket, args.workspaceId, args.jobOutputUri ?? ""])
      .apply(([bucket, workspaceId]) => JSON.stringify(easServiceConfig(s, bucket, workspaceId)));
    const service = new alicloud.pai.Service(
      name,
      {
        serviceConfig,
        workspaceId: args.workspaceId,
        tags: { "managed-by": "pai-finetune", ...(s.fromJob ? { "pai-finetune-job": s.fromJob.name } : {}) },
      },
      { parent: this },
    );
    if (s.autoscaling) {
      new EasAutoscaler(
        `${name}-autoscaler`,
        {
          region: args.region,
          serviceName: service.id,
          min: s.replicas.min,
          max: s.replicas.max,
          strategies: [{ metricName: s.autoscaling.metricName, threshold: s.autoscaling.threshold }],
          ...(s.autoscaling.scaleUpStabilizationSeconds !== undefined
            ? { scaleUpStabilizationSeconds: s.autoscaling.scaleUpStabilizationSeconds }
            : {}),
          ...(s.autoscaling.scaleDownStabilizationSeconds !== undefined
            ? { scaleDownStabilizationSeconds: s.autoscaling.scaleDownStabilizationSeconds }
            : {}),
        },
        { parent: this, dependsOn: [service] },
      );
    }
    // alicloud.pai.Service has no endpoint outputs; read them from DescribeService (docs/sources.md#pai-2.3).
    const endpoints = new EasServiceEndpoints(
      `${name}-endpoints`,
      { region: args.region, serviceName: service.id },
      { parent: this, dependsOn: [service] },
    );
    this.serviceName = service.id;
    this.status = service.status;
    this.modelUri = s.modelUri
      ? pulumi.output(s.modelUri)
      : pulumi.interpolate`oss://${args.modelsBucket}/${s.modelPath}`;
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
