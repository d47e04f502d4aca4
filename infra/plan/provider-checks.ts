/**
 * What `pulumi preview` asks every dynamic provider before anything else: `check(olds, news)`. The
 * offline plan runs the same checks on the inputs the program registered, so a plan that passes is
 * not refused by preview a minute later. Checks are offline validation (no cloud calls).
 */
import * as pulumi from "@pulumi/pulumi";
import type * as dynamic from "@pulumi/pulumi/dynamic";
// The providers' own check functions. The provider objects reach the same functions through
// loadProviderImpl, which locates and loads the module on every call (right for the provider host,
// which calls it once per operation; a plan calls it once per resource).
import { check as checkDlcJob } from "../../components/providers/impl/dlc-job";
import { check as checkEasAutoscaler } from "../../components/providers/impl/eas-autoscaler";
import { check as checkEasServiceEndpoints } from "../../components/providers/impl/eas-service-endpoints";
import { check as checkGpuQuota } from "../../components/providers/impl/gpu-quota";
import { COMPUTED_PLACEHOLDER, type RegisteredResource } from "./mock-runtime";

type Check = (olds: never, news: never) => Promise<dynamic.CheckResult>;

const CHECKS: Record<string, Check> = {
  "pulumi-nodejs:dynamic/pai:DlcJob": checkDlcJob as Check,
  "pulumi-nodejs:dynamic/pai:GpuQuota": checkGpuQuota as Check,
  "pulumi-nodejs:dynamic/pai:EasAutoscaler": checkEasAutoscaler as Check,
  "pulumi-nodejs:dynamic/pai:EasServiceEndpoints": checkEasServiceEndpoints as Check,
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
    const check = CHECKS[r.type];
    if (!check) continue;
    // A create: no old inputs, exactly as preview checks a resource that does not exist yet.
    const { failures } = await check({} as never, asPreviewSees(r.inputs) as never);
    for (const f of failures ?? []) {
      messages.push(`${r.type} ${r.name}: ${f.property}: ${f.reason} (pulumi preview would refuse it)`);
    }
  }
  return messages;
}
