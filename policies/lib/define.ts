/**
 * How every policy of the pack is built. Each is a CrossGuard stack policy (`validateStack`): it
 * sees every resource, so a verdict on one resource can honour the stack file's exemptions, which
 * the program records on its root component (a resource policy sees one resource and could not).
 * Verdicts still name their resource: `reportViolation(message, urn)`.
 */
import type {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { activeExemption, readExemptions } from "./exemptions";
import { subjectOf } from "./resources";

/** One violation: a message, and the resource it is about (absent: the whole stack). */
export interface Finding {
  message: string;
  resource?: PolicyResource;
}

export interface PaiPolicy<C extends object = object> extends StackValidationPolicy {
  name: string;
  enforcementLevel: EnforcementLevel;
  configSchema: PolicyConfigSchema;
  /** The policy's check itself: resources (as the engine passes them) and config → findings. */
  evaluate(resources: readonly PolicyResource[], config: C): Finding[];
}

/**
 * The config a policy runs with: the schema's defaults (the dev values), overlaid with what the
 * policy pack config file sets (`--policy-pack-config policies/config/<env>.json`), one level deep
 * for object-valued settings such as per-method caps.
 */
export function withDefaults<C extends object>(schema: PolicyConfigSchema, given: object): C {
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(schema.properties)) {
    const value = (given as Record<string, unknown>)[key];
    const def = (prop as { default?: unknown }).default;
    if (
      value !== null &&
      typeof value === "object" &&
      !Array.isArray(value) &&
      def !== null &&
      typeof def === "object" &&
      !Array.isArray(def)
    )
      out[key] = { ...def, ...value };
    else out[key] = value !== undefined ? value : def;
  }
  return out as C;
}

export function definePolicy<C extends object>(p: {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  configSchema: PolicyConfigSchema;
  evaluate: (resources: readonly PolicyResource[], config: C) => Finding[];
}): PaiPolicy<C> {
  return {
    ...p,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const config = withDefaults<C>(p.configSchema, args.getConfig<object>());
      const exemptions = readExemptions(args.resources);
      const today = new Date().toISOString().slice(0, 10);
      for (const f of p.evaluate(args.resources, config)) {
        const names = f.resource ? [f.resource.name, subjectOf(f.resource)] : ["stack"];
        // An active exemption from the stack file waives the verdict; the offline plan lists it.
        if (activeExemption(exemptions, p.name, names, today)) continue;
        report(f.message, f.resource?.urn);
      }
    },
  };
}
