/**
 * What `pulumi preview` asks every dynamic provider before anything else: `check(olds, news)`. The
 * offline plan runs the same checks on the inputs the program registered, so a plan that passes is
 * not refused by preview a minute later. Checks are offline validation (no cloud calls).
 */
import * as pulumi from "@pulumi/pulumi";
import { dlcJobProvider } from "../../components/providers/dlc-job";
import { easAutoscalerProvider } from "../../components/providers/eas-autoscaler";
import { easServiceEndpointsProvider } from "../../components/providers/eas-service-endpoints";
import { gpuQuotaProvider } from "../../components/providers/gpu-quota";
import { COMPUTED_PLACEHOLDER, type RegisteredResource } from "./mock-runtime";

const PROVIDERS: Record<string, pulumi.dynamic.ResourceProvider> = {
  "pulumi-nodejs:dynamic/pai:DlcJob": dlcJobProvider as pulumi.dynamic.ResourceProvider,
  "pulumi-nodejs:dynamic/pai:GpuQuota": gpuQuotaProvider as pulumi.dynamic.ResourceProvider,
  "pulumi-nodejs:dynamic/pai:EasAutoscaler": easAutoscalerProvider as pulumi.dynamic.ResourceProvider,
  "pulumi-nodejs:dynamic/pai:EasServiceEndpoints":
    easServiceEndpointsProvider as pulumi.dynamic.ResourceProvider,
};

/**
 * The inputs as preview passes them to check: a value the cloud has not computed yet (here, a mock
 * placeholder such as the role's ARN) is unknown, and checks skip unknowns.
 */
function asPreviewSees(value: unknown): unknown {
  if (typeof value === "string") {
    return COMPUTED_PLACEHOLDER.test(value) ? pulumi.runtime.unknownValue : value;
  }
  if (Array.isArray(value)) return value.map(asPreviewSees);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asPreviewSees(v)]));
  }
  return value;
}

/** One message per failed property: "<type> <name>: <property>: <reason>". */
export async function checkDynamicResources(resources: readonly RegisteredResource[]): Promise<string[]> {
  const messages: string[] = [];
  for (const r of resources) {
    const provider = PROVIDERS[r.type];
    if (!provider?.check) continue;
    // A create: no old inputs, exactly as preview checks a resource that does not exist yet.
    const { failures } = await provider.check({}, asPreviewSees(r.inputs));
    for (const f of failures ?? []) {
      messages.push(`${r.type} ${r.name}: ${f.property}: ${f.reason} (pulumi preview would refuse it)`);
    }
  }
  return messages;
}
