/**
 * Runs the real Pulumi program under the Pulumi SDK's own mock runtime (`pulumi.runtime.setMocks`)
 * and records every resource it registers. No CLI, no engine, no cloud, no credentials: the only
 * difference from `pulumi preview` is the monitor underneath.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { encodeConfigValue, PROJECT, type RawStackConfig } from "../config/load";

/** One registered resource as the engine would receive it. */
export interface RegisteredResource {
  type: string;
  name: string;
  /** false for ComponentResources. */
  custom: boolean;
  /**
   * Inputs after Outputs resolved, as the engine receives them (a secret stays wrapped in the SDK's
   * secret marker, see maskSecrets); a dynamic provider's serialized code (`__provider`) is kept
   * apart in `provider`.
   */
  inputs: Record<string, unknown>;
  /** A dynamic provider's serialized code, as its size and SHA-256 (the text itself is not kept). */
  provider?: { bytes: number; sha256: string };
  id?: string;
}

/** What a secret input shows in the plan (`pulumi preview --json` prints "[secret]" too). */
export const SECRET_MASK = "[secret]";

/** A copy of `value` with every secret (the SDK's RPC secret marker) replaced by SECRET_MASK. */
export function maskSecrets(value: unknown): unknown {
  if (pulumi.runtime.isRpcSecret(value)) return SECRET_MASK;
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v)]));
  }
  return value;
}

/**
 * Marks a value the cloud computes (an id, an ARN, an endpoint). Every placeholder computedOutputs
 * writes contains one, so a reader (and the provider checks) can tell it from a configured value.
 */
// Exactly the shapes computedOutputs writes (<account-id>, <… id of …>, <eas service name>, …): a
// looser pattern also matched a command's shell heredoc (`<<'JSON' … cat >`) and made it unknown.
export const COMPUTED_PLACEHOLDER =
  /<(?:account-id|placeholder|policy|type|role|region|serviceName|eas service name|[a-z]+(?: [a-z]+)* id of [^<>\n]+)>/;

/**
 * Outputs the cloud would compute, for the types whose outputs the program reads. Each id is what
 * the real provider returns as id (the "Import" sections of the terraform-provider-alicloud docs,
 * which @pulumi/alicloud wraps): a name when the provider's id is a name the program chose, a
 * deterministic placeholder (with a <…> part, COMPUTED_PLACEHOLDER) when the cloud assigns it. So
 * the plan shows what `pulumi up` would hand to the resources that read an id (the autoscaler and
 * the endpoints reader get the EAS service name, as they will in the cloud).
 */
function computedOutputs(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  region: string,
): { id: string; state: Record<string, unknown> } {
  const id = `${name}-id`;
  const text = (key: string, fallback: string) => (typeof inputs[key] === "string" ? inputs[key] : fallback);
  switch (type) {
    case "alicloud:oss/bucket:Bucket":
      return {
        id: text("bucket", id),
        state: {
          intranetEndpoint: `oss-${region}-internal.aliyuncs.com`,
          extranetEndpoint: `oss-${region}.aliyuncs.com`,
        },
      };
    case "alicloud:ram/role:Role":
      return {
        id: text("roleName", id),
        state: { arn: `acs:ram::<account-id>:role/${text("roleName", name)}` },
      };
    case "alicloud:pai/workspaceWorkspace:WorkspaceWorkspace":
      return { id: `<workspace id of ${text("workspaceName", name)}>`, state: { status: "ENABLED" } };
    case "alicloud:ram/policy:Policy":
      // "RAM policy can be imported using the id or name": the id is the policy name.
      return { id: text("policyName", id), state: {} };
    case "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment":
      // Import: `role:<policy_name>:<policy_type>:<role_name>`.
      return {
        id: `role:${text("policyName", "<policy>")}:${text("policyType", "<type>")}:${text("roleName", "<role>")}`,
        state: {},
      };
    case "alicloud:oss/bucketAcl:BucketAcl":
    case "alicloud:oss/bucketPublicAccessBlock:BucketPublicAccessBlock":
      // Both are imported by the bucket's name.
      return { id: text("bucket", id), state: {} };
    case "alicloud:pai/service:Service":
      // terraform-provider-alicloud resource_alicloud_pai_service.go: `d.SetId(fmt.Sprint(response["ServiceName"]))`,
      // the name CreateService returns, i.e. the config's metadata.name.
      return {
        id: easServiceName(inputs.serviceConfig) ?? "<eas service name>",
        state: { status: "Running", regionId: region },
      };
    case "pulumi-nodejs:dynamic/pai:EasAutoscaler":
      // components/providers/impl/eas-autoscaler.ts: `<region>/<serviceName>`.
      return { id: `${text("region", region)}/${text("serviceName", name)}`, state: {} };
    case "pulumi-nodejs:dynamic/pai:DlcJob":
      return {
        id: `<dlc job id of ${text("displayName", name)}>`,
        state: { jobId: `<dlc job id of ${text("displayName", name)}>`, status: "Planned" },
      };
    case "pulumi-nodejs:dynamic/pai:EasServiceEndpoints": {
      // Placeholders in the EAS URL shape; the real values come from DescribeService at `pulumi up`.
      const service = text("serviceName", name);
      return {
        id: `${region}/${service}`,
        state: {
          internetEndpoint: `http://<placeholder>.${service}.${region}.pai-eas.aliyuncs.com`,
          intranetEndpoint: `http://<placeholder>.${service}.vpc.${region}.pai-eas.aliyuncs.com`,
          serviceId: `<eas service id of ${service}>`,
          status: "Planned",
        },
      };
    }
    case "pulumi-nodejs:dynamic/pai:GpuQuota":
      return {
        id: `<quota id of ${text("quotaName", name)}>`,
        state: { quotaId: `<quota id of ${text("quotaName", name)}>`, status: "Planned" },
      };
    default:
      return { id, state: {} };
  }
}

/** `metadata.name` of an EAS service config (JSON text), the name CreateService gives the service. */
function easServiceName(serviceConfig: unknown): string | undefined {
  if (typeof serviceConfig !== "string") return undefined;
  try {
    const name = (JSON.parse(serviceConfig) as { metadata?: { name?: unknown } }).metadata?.name;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}

export class RecordingMocks implements pulumi.runtime.Mocks {
  readonly resources: RegisteredResource[] = [];
  constructor(private readonly region: string) {}

  newResource(args: pulumi.runtime.MockResourceArgs): {
    id: string | undefined;
    state: Record<string, unknown>;
  } {
    const { __provider: code, ...inputs } = args.inputs as Record<string, unknown>;
    if (!args.custom) {
      this.resources.push({ type: args.type, name: args.name, custom: false, inputs });
      return { id: undefined, state: {} };
    }
    const { id, state } = computedOutputs(args.type, args.name, inputs, this.region);
    const provider =
      typeof code === "string"
        ? { bytes: Buffer.byteLength(code), sha256: createHash("sha256").update(code).digest("hex") }
        : undefined;
    this.resources.push({
      type: args.type,
      name: args.name,
      custom: true,
      inputs,
      ...(provider ? { provider } : {}),
      id,
    });
    return { id, state: { ...inputs, ...state } };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    throw new Error(
      `the offline plan does not support provider function ${args.token}; the program should not call data sources`,
    );
  }
}

/** Hands a stack file's config to the runtime exactly as the Pulumi CLI does (objects as JSON text). */
export function configForRuntime(raw: RawStackConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw.values)) {
    out[key.includes(":") ? key : `${PROJECT}:${key}`] = encodeConfigValue(value);
  }
  return out;
}

interface SettingsInternals {
  waitForRPCs?: () => Promise<void>;
}

/**
 * Runs `program` under mocks with the given config and waits until every registration has
 * reached the mock monitor. Returns what the program returned and what it registered.
 */
export async function runUnderMocks<T>(opts: {
  stack: string;
  region: string;
  config: Record<string, string>;
  program: () => T;
}): Promise<{ result: T; resources: RegisteredResource[] }> {
  const mocks = new RecordingMocks(opts.region);
  await pulumi.runtime.setMocks(mocks, PROJECT, opts.stack, true);
  pulumi.runtime.setAllConfig(opts.config);
  const result = opts.program();
  await waitForRegistrations();
  return { result, resources: mocks.resources };
}

/** Waits until every registration so far has reached the (mock) monitor. */
export async function waitForRegistrations(): Promise<void> {
  // The SDK tracks outstanding RPCs internally; draining them is what `disconnect` does before exit.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as SettingsInternals;
  if (typeof settings.waitForRPCs !== "function") {
    throw new Error(
      "this @pulumi/pulumi version does not expose waitForRPCs; pin the version in package.json",
    );
  }
  await settings.waitForRPCs();
}
