/**
 * The offline policy run: every policy of the pack (policies/all.ts, the very objects the pack
 * serves) over what the program registered, with the arguments the engine passes a stack policy
 * (props behind `unknownCheckingProxy`, a value the cloud computes being unknown, urn, type, name,
 * options), the environment's committed config (policies/config/<env>.json) merged as the engine
 * merges `--policy-pack-config`, and the stack file's exemptions applied.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyResource, PolicyResourceOptions, StackValidationArgs } from "@pulumi/policy";
import { POLICIES } from "../../policies/all";
import type { PaiPolicy } from "../../policies/lib/define";
import { isExpired } from "../../policies/lib/exemptions";
import { subjectOf, TYPES } from "../../policies/lib/resources";
import { isUnknownValueError, unknownCheckingProxy } from "../../policies/lib/unknowns";
import { ConfigError, type ConfigIssue } from "../config/errors";
import type { RawStackConfig } from "../config/load";
import type { ExemptionConfig } from "../config/schema";
import { COMPUTED_PLACEHOLDER, type RegisteredResource } from "./mock-runtime";
import type { EnforcementLevel, ExemptionStatus, PolicyOutcome, PolicyVerdict } from "./policy-types";

const ROOT = path.resolve(__dirname, "..", "..");

/** The committed policy pack config of an environment. */
export function policyConfigFile(environment: string): string {
  return path.join(ROOT, "policies", "config", `${environment}.json`);
}

const LEVELS = ["advisory", "mandatory", "disabled"] as const;

interface PolicySettings {
  level: EnforcementLevel;
  config: Record<string, unknown>;
}

/** JSON-schema subset the pack's schemas use: type, enum, minimum, maximum, items, properties. */
function schemaProblem(schema: Record<string, unknown>, value: unknown): string | undefined {
  const type = schema.type as string | undefined;
  const got = Array.isArray(value) ? "a list" : value === null ? "null" : typeof value;
  if (type === "number" || type === "integer") {
    if (
      typeof value !== "number" ||
      !Number.isFinite(value) ||
      (type === "integer" && !Number.isInteger(value))
    )
      return `expected ${type === "integer" ? "an integer" : "a number"}, got ${got}`;
    if (typeof schema.minimum === "number" && value < schema.minimum)
      return `expected at least ${schema.minimum}, got ${value}`;
    if (typeof schema.maximum === "number" && value > schema.maximum)
      return `expected at most ${schema.maximum}, got ${value}`;
  } else if (type === "boolean" && typeof value !== "boolean") return `expected true or false, got ${got}`;
  else if (type === "string") {
    if (typeof value !== "string") return `expected a string, got ${got}`;
    if (Array.isArray(schema.enum) && !schema.enum.includes(value))
      return `expected one of ${schema.enum.join(", ")}, got ${value}`;
  } else if (type === "array") {
    if (!Array.isArray(value)) return `expected a list, got ${got}`;
    const items = schema.items as Record<string, unknown> | undefined;
    for (const [i, v] of value.entries()) {
      const p = items ? schemaProblem(items, v) : undefined;
      if (p) return `[${i}]: ${p}`;
    }
  } else if (type === "object") {
    if (!value || typeof value !== "object" || Array.isArray(value)) return `expected a mapping, got ${got}`;
    const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const [k, v] of Object.entries(value)) {
      if (!props[k]) return `unknown key ${k}; expected ${Object.keys(props).join(", ")}`;
      const p = schemaProblem(props[k], v);
      if (p) return `${k}: ${p}`;
    }
  }
  return undefined;
}

/** Reads and checks a policy pack config file the way `--policy-pack-config` is read. */
export function readPolicyConfig(file: string): Map<string, PolicySettings> {
  const shown = path.relative(process.cwd(), file) || file;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new ConfigError(shown, [
      { path: [], message: `cannot read the policy config (${(err as Error).message})` },
    ]);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    throw new ConfigError(shown, [{ path: [], message: "expected a JSON object keyed by policy id" }]);
  const issues: ConfigIssue[] = [];
  const entries = raw as Record<string, unknown>;
  const all = entries.all;
  const out = new Map<string, PolicySettings>();
  for (const key of Object.keys(entries))
    if (key !== "all" && !POLICIES.some((p) => p.name === key))
      issues.push({
        path: [key],
        message: `no policy with this id; expected one of ${POLICIES.map((p) => p.name).join(", ")}`,
      });
  for (const p of POLICIES as readonly PaiPolicy[]) {
    const entry = entries[p.name];
    let level: unknown = p.enforcementLevel;
    if (typeof all === "string") level = all;
    const config: Record<string, unknown> = {};
    if (typeof entry === "string") level = entry;
    else if (entry && typeof entry === "object" && !Array.isArray(entry)) {
      for (const [k, v] of Object.entries(entry)) {
        if (k === "enforcementLevel") {
          level = v;
          continue;
        }
        const schema = p.configSchema.properties[k] as Record<string, unknown> | undefined;
        if (!schema) {
          issues.push({
            path: [p.name, k],
            message: `unknown setting; expected ${["enforcementLevel", ...Object.keys(p.configSchema.properties)].join(", ")}`,
          });
          continue;
        }
        const problem = schemaProblem(schema, v);
        if (problem) issues.push({ path: [p.name, k], message: problem });
        else config[k] = v;
      }
    } else if (entry !== undefined) issues.push({ path: [p.name], message: "expected a level or a mapping" });
    if (!LEVELS.includes(level as EnforcementLevel)) {
      issues.push({
        path: [p.name, "enforcementLevel"],
        message: `expected one of ${LEVELS.join(", ")}, got ${JSON.stringify(level)}`,
      });
      level = p.enforcementLevel;
    }
    out.set(p.name, { level: level as EnforcementLevel, config });
  }
  if (issues.length > 0) throw new ConfigError(shown, issues);
  return out;
}

/** Props as preview hands them to an analyzer: mock placeholders for cloud-computed values are unknown. */
function asPreviewSees(value: unknown): unknown {
  if (typeof value === "string")
    return COMPUTED_PLACEHOLDER.test(value) ? pulumi.runtime.unknownValue : value;
  if (Array.isArray(value)) return value.map(asPreviewSees);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asPreviewSees(v)]));
  return value;
}

const OPTIONS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  additionalSecretOutputs: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
};

/**
 * The resources as a stack policy receives them. Parents and dependencies stay empty (the mock
 * monitor does not see them, and no policy reads them), and urns omit the parent chain. The root component's exemptions are left out: the
 * offline run applies them itself, so that it can list what each one waived.
 */
export function policyResources(stack: string, registered: readonly RegisteredResource[]): PolicyResource[] {
  return registered.map((r) => {
    const inputs = r.type === TYPES.platform ? { ...r.inputs, policyExemptions: "[]" } : r.inputs;
    const props = unknownCheckingProxy<Record<string, unknown>>(
      asPreviewSees(inputs) as Record<string, unknown>,
    );
    const resource: PolicyResource = {
      type: r.type,
      props,
      urn: `urn:pulumi:${stack}::pai-finetune::${r.type}::${r.name}`,
      name: r.name,
      opts: OPTIONS,
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    };
    return resource;
  });
}

export interface PolicyRunInput {
  stack: string;
  environment: string;
  resources: readonly RegisteredResource[];
  exemptions: readonly ExemptionConfig[];
  /** For exemption errors: the stack file and its lines. */
  raw: Pick<RawStackConfig, "file" | "lineOf">;
  /** Default: policies/config/<environment>.json. */
  configFile?: string;
  /** YYYY-MM-DD (UTC). Default: today. */
  today?: string;
}

export function runPolicies(input: PolicyRunInput): PolicyOutcome {
  const settings = readPolicyConfig(input.configFile ?? policyConfigFile(input.environment));
  const resources = policyResources(input.stack, input.resources);
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const today = input.today ?? new Date().toISOString().slice(0, 10);

  // An exemption must name a policy of the pack and something that exists: a config error otherwise.
  const names = new Set<string>(["stack"]);
  for (const r of resources) {
    names.add(r.name);
    names.add(subjectOf(r));
  }
  const issues: ConfigIssue[] = [];
  input.exemptions.forEach((e, i) => {
    const at = ["pai-finetune:exemptions", i];
    if (!POLICIES.some((p) => p.name === e.policy))
      issues.push({
        path: [...at, "policy"],
        message: `no policy ${JSON.stringify(e.policy)} in the pack; expected one of ${POLICIES.map((p) => p.name).join(", ")}`,
      });
    if (!names.has(e.resource))
      issues.push({
        path: [...at, "resource"],
        message: `names no resource of this stack: ${JSON.stringify(e.resource)}; expected a job or service name, a resource name from the plan, or "stack"`,
      });
  });
  if (issues.length > 0)
    throw new ConfigError(
      input.raw.file,
      issues.map((i) => ({ ...i, line: input.raw.lineOf(i.path) })),
    );

  const verdicts: PolicyVerdict[] = [];
  const used = new Set<number>();
  for (const p of POLICIES as readonly PaiPolicy[]) {
    const s = settings.get(p.name)!;
    if (s.level === "disabled") continue;
    const reported: { message: string; urn?: string }[] = [];
    const args: StackValidationArgs = {
      resources,
      stackTags: new Map(),
      getConfig: <T extends object>() => ({ ...s.config }) as T,
      notApplicable: (reason?: string) => {
        throw new Error(`not applicable: ${reason ?? ""}`);
      },
    };
    let level = s.level;
    try {
      void p.validateStack(args, (message, urn) => reported.push({ message, ...(urn ? { urn } : {}) }));
    } catch (err) {
      // The engine's own rule: a policy that reads an unknown value is reported as advisory.
      if (!isUnknownValueError(err)) throw err;
      level = "advisory";
      reported.push({ message: `can't run policy '${p.name}' during preview: ${err.message}` });
    }
    for (const rep of reported) {
      const r = rep.urn ? byUrn.get(rep.urn) : undefined;
      const candidates = r ? [r.name, subjectOf(r)] : ["stack"];
      const index = input.exemptions.findIndex(
        (e) => e.policy === p.name && candidates.includes(e.resource) && !isExpired(e, today),
      );
      const ex = index >= 0 ? input.exemptions[index] : undefined;
      if (ex) used.add(index);
      verdicts.push({
        policyId: p.name,
        enforcementLevel: level,
        ...(r ? { resourceType: r.type, resourceName: r.name, subject: subjectOf(r), urn: r.urn } : {}),
        message: rep.message,
        ...(ex ? { exemption: { reason: ex.reason, expires: ex.expires } } : {}),
      });
    }
  }
  const exemptions: ExemptionStatus[] = input.exemptions.map((e, i) => ({
    policyId: e.policy,
    resource: e.resource,
    reason: e.reason,
    expires: e.expires,
    status: isExpired(e, today) ? "expired" : used.has(i) ? "active" : "unused",
  }));
  return {
    verdicts,
    exemptions,
    mandatoryViolations: verdicts.filter((v) => v.enforcementLevel === "mandatory" && !v.exemption).length,
  };
}
