/**
 * The offline plan asks each dynamic provider's check, as `pulumi preview` does, with the values the
 * cloud has not computed yet (the mocks' <…> placeholders) passed as unknown.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stackFilePath } from "../../infra/config/load";
import { runOfflinePlan } from "../../infra/plan";
import type { RegisteredResource } from "../../infra/plan/mock-runtime";
import { checkDynamicResources } from "../../infra/plan/provider-checks";

describe("provider checks in the offline plan", () => {
  it("pass for every shipped stack, where quota ids and role ARNs are still unknown", async () => {
    for (const stack of ["dev", "staging", "prod"]) {
      const { resources, report } = await runOfflinePlan(stackFilePath(stack), stack);
      assert.deepEqual(await checkDynamicResources(resources), [], stack);
      assert.equal(report.ok, true, report.errors.join("\n"));
    }
  });

  it("never throw on, nor refuse, a value only because preview does not know it yet", async () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    let checked = 0;
    for (const stack of ["dev", "staging", "prod"]) {
      const { resources } = await runOfflinePlan(stackFilePath(stack), stack);
      for (const r of resources.filter((x) => x.type.startsWith("pulumi-nodejs:dynamic/"))) {
        for (const key of Object.keys(r.inputs)) {
          const messages = await checkDynamicResources([{ ...r, inputs: { ...r.inputs, [key]: unknown } }]);
          assert.deepEqual(messages, [], `${stack} ${r.type} with ${key} unknown`);
          checked++;
        }
      }
    }
    assert.ok(checked > 50, `only ${checked} cases`);
  });

  it("report what a provider refuses, naming the resource and the property", async () => {
    const { resources } = await runOfflinePlan(stackFilePath("staging"), "staging");
    const autoscaler = resources.find((r) => r.type === "pulumi-nodejs:dynamic/pai:EasAutoscaler");
    const job = resources.find((r) => r.type === "pulumi-nodejs:dynamic/pai:DlcJob");
    assert.ok(autoscaler && job);
    const broken: RegisteredResource[] = [
      { ...autoscaler, inputs: { ...autoscaler.inputs, min: 0 } },
      { ...job, inputs: { ...job.inputs, displayName: "not a name!" } },
    ];
    const messages = await checkDynamicResources(broken);
    assert.equal(messages.length, 2, messages.join("\n"));
    assert.match(messages[0]!, new RegExp(`EasAutoscaler ${autoscaler.name}: min: must be at least 1`));
    assert.match(messages[1]!, new RegExp(`DlcJob ${job.name}: displayName: only letters`));
  });
});
