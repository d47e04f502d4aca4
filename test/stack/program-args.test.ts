/**
 * The program is a function of its argument: given a ResolvedStack, it registers the same resources
 * with no engine config and no environment to read, so a test, the review or the plan can call it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stackFilePath } from "../../infra/config/load";
import { runOfflinePlan } from "../../infra/plan";
import { runUnderMocks } from "../../infra/plan/mock-runtime";
import { runProgram } from "../../infra/program";
import { resolveStackFile } from "../../infra/resolve/stack";

describe("runProgram({ resolved })", () => {
  it("registers what the plan registers, from a stack resolved straight from the file, with an empty engine config", async () => {
    const file = stackFilePath("staging");
    const envBefore = Object.keys(process.env).sort();
    const resolved = resolveStackFile(file, "staging");
    const { result, resources } = await runUnderMocks({
      stack: "staging",
      region: resolved.region,
      config: {},
      program: () => runProgram({ resolved }),
    });
    assert.equal(result.resolved, resolved);
    // Names only: a failure must not print the environment's values.
    assert.deepEqual(Object.keys(process.env).sort(), envBefore, "the program sets no environment variable");
    const plan = await runOfflinePlan(file, "staging");
    assert.ok(resources.length > 10);
    // Registration order follows the SDK's promise timing; the set is what must match.
    const byName = (rs: typeof resources) =>
      [...rs].sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`));
    assert.deepEqual(byName(resources), byName(plan.resources));
  });
});
