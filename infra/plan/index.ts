/**
 * The offline plan: validate a stack file, run the real program under the SDK mock runtime, and
 * report what `pulumi up` would create with each job's and service's GPU fit and cost.
 */
import * as path from "node:path";
import { readStackFile } from "../config/load";
import { resolveStackFromRuntime } from "../resolve/stack";
import { runProgram } from "../program";
import { configForRuntime, runUnderMocks, type RegisteredResource } from "./mock-runtime";
import { checkDynamicResources } from "./provider-checks";
import { runPolicies } from "./policy";
import type { PolicyOutcome } from "./policy-types";
import { buildReport, type PlanReport } from "./report";

export { renderReport, type PlanReport } from "./report";
export type { RegisteredResource } from "./mock-runtime";

/** The stack name a file stands for: "Pulumi.dev.yaml" → "dev"; any other name → its base name. */
export function stackNameOf(file: string): string {
  const base = path.basename(file);
  const m = /^Pulumi\.(.+)\.ya?ml$/.exec(base);
  return m ? m[1]! : base.replace(/\.ya?ml$/, "");
}

export interface OfflinePlan {
  report: PlanReport;
  resources: RegisteredResource[];
  /** The policy pack's verdicts and the stack's exemptions (also on `report.policy`). */
  policy: PolicyOutcome;
}

/** Throws ConfigError (file, key path, expectation) before anything runs when the config is bad. */
export async function runOfflinePlan(file: string, stack = stackNameOf(file)): Promise<OfflinePlan> {
  const raw = readStackFile(file);
  const config = configForRuntime(raw);
  // Resolve once, from the values as the engine hands them to `pulumi up` (objects as JSON text),
  // so a bad file fails with the full ConfigError before anything runs; the program takes the result.
  const resolved = resolveStackFromRuntime(config, stack, path.resolve(file));
  const { resources } = await runUnderMocks({
    stack,
    region: resolved.region,
    config,
    program: () => runProgram({ resolved }),
  });
  const checkFailures = await checkDynamicResources(resources);
  const policy = runPolicies({
    stack,
    environment: resolved.environment,
    resources,
    exemptions: resolved.config.exemptions,
    raw,
  });
  return { report: buildReport(resolved, resources, checkFailures, policy), resources, policy };
}
