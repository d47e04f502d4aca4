/**
 * The Pulumi program, as a function: read the stack's config from the engine, validate it into a
 * ResolvedStack, build the platform, return the stack outputs. `infra/index.ts` runs it under
 * `pulumi up`; the offline plan runs the very same function under the SDK's mock runtime.
 */
import * as pulumi from "@pulumi/pulumi";
import { FineTunePlatform } from "../components/finetune-platform";
import { ConfigError } from "./config/errors";
import { resolveStackFromRuntime } from "./resolve/build";
import type { ResolvedStack } from "./resolve/types";

export interface ProgramResult {
  spec: ResolvedStack;
  /** Stack outputs: Outputs, or plain records of Outputs (the engine resolves nested Outputs when it
   *  registers the stack's outputs, so wrapping each record in `pulumi.output` would only unwrap
   *  every job's Outputs a second time). */
  outputs: Record<string, unknown>;
}

export function runProgram(): ProgramResult {
  const stack = pulumi.getStack();
  let spec: ResolvedStack;
  try {
    spec = resolveStackFromRuntime(pulumi.runtime.allConfig(), stack);
  } catch (err) {
    // RunError: the engine prints the message alone, without a stack trace.
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
  const platform = new FineTunePlatform("platform", { spec });
  return {
    spec,
    outputs: {
      workspaceId: platform.workspaceId,
      bucketNames: platform.bucketNames,
      jobRoleArn: platform.jobRoleArn,
      quotaId: platform.quotaId,
      jobs: platform.jobs,
      evaluations: platform.evaluations,
      services: platform.services,
    },
  };
}
