/**
 * The offline policy run itself: the committed per-environment config files, their validation
 * (a typo is a config error naming the file and key), the JSON the plan prints, and exemptions.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { ConfigError } from "../../infra/config/errors";
import { stackFilePath } from "../../infra/config/load";
import { runOfflinePlan, type RegisteredResource } from "../../infra/plan";
import { policyConfigFile, readPolicyConfig, runPolicies } from "../../infra/plan/policy";
import { POLICIES } from "../../policies/all";
import { scratchDir } from "../helpers/stack-files";

const scratch = scratchDir();
after(() => scratch.cleanup());
let dev: RegisteredResource[];
before(async () => {
  dev = (await runOfflinePlan(stackFilePath("dev"), "dev")).resources;
});

const raw = { file: "stacks/Pulumi.dev.yaml", lineOf: () => undefined };

describe("policies/config/<env>.json", () => {
  it("sets every policy's level per environment, larger caps in staging and prod", () => {
    const levels = (env: string) => readPolicyConfig(policyConfigFile(env));
    for (const env of ["dev", "staging", "prod"]) {
      const c = levels(env);
      assert.deepEqual(
        [...c.keys()],
        POLICIES.map((p) => p.name),
        env,
      );
    }
    assert.equal(levels("dev").get("cost-unknown")!.level, "advisory");
    assert.equal(levels("staging").get("cost-unknown")!.level, "mandatory");
    assert.equal(levels("prod").get("cost-unknown")!.level, "mandatory");
    const cap = (env: string) => levels(env).get("job-cost-cap")!.config.maxCost as number;
    assert.ok(cap("dev") < cap("staging") && cap("staging") < cap("prod"));
    // The dev file restates the pack's defaults: no config file means dev.
    for (const p of POLICIES) {
      const d = levels("dev").get(p.name)!;
      assert.equal(d.level, p.enforcementLevel, p.name);
      for (const [k, v] of Object.entries(d.config))
        assert.deepEqual(
          v,
          (p.configSchema.properties[k] as { default?: unknown }).default,
          `${p.name}.${k}`,
        );
    }
  });

  it("refuses an unknown policy, an unknown setting, a wrong type and a bad level, naming file and key", () => {
    const file = scratch.write(
      "bad.json",
      JSON.stringify({
        "gpu-memory-cpa": "mandatory",
        "job-cost-cap": { maxCost: "lots", enforcementLevel: "strict" },
        "stack-budget": { maxMonthly: 1 },
        "gpu-memory-cap": { capGiB: { qlora: -1 } },
      }),
    );
    assert.throws(
      () => readPolicyConfig(file),
      (err: unknown) =>
        err instanceof ConfigError &&
        /gpu-memory-cpa: no policy with this id/.test(err.message) &&
        /job-cost-cap › maxCost: expected a number, got string/.test(err.message) &&
        /job-cost-cap › enforcementLevel: expected one of advisory, mandatory, disabled, got "strict"/.test(
          err.message,
        ) &&
        /stack-budget › maxMonthly: unknown setting/.test(err.message) &&
        /gpu-memory-cap › capGiB: qlora: expected at least 0, got -1/.test(err.message),
    );
    assert.throws(
      () => readPolicyConfig(scratch.write("notjson.json", "{")),
      /cannot read the policy config/,
    );
  });
});

describe("runPolicies", () => {
  const exemption = (expires: string) => ({
    policy: "prod-availability",
    resource: "tvfunc_chat_dev",
    reason: "a single replica until the launch in January",
    expires,
  });
  const prodRules = () => {
    const file = scratch.write("rules.json", fs.readFileSync(policyConfigFile("prod"), "utf8"));
    return file;
  };

  it("waives a verdict with an active exemption, lists it, and does not count it", () => {
    const out = runPolicies({
      stack: "dev",
      environment: "dev",
      resources: dev,
      exemptions: [exemption("2026-12-31")],
      raw,
      configFile: prodRules(),
      today: "2026-12-31",
    });
    const v = out.verdicts.find((x) => x.policyId === "prod-availability")!;
    assert.deepEqual(v.exemption, {
      reason: "a single replica until the launch in January",
      expires: "2026-12-31",
    });
    assert.equal(out.exemptions[0]!.status, "active");
    assert.equal(out.verdicts.filter((x) => x.policyId === "prod-availability" && !x.exemption).length, 0);
  });

  it("an expired exemption no longer applies and is reported as expired; an unused one says so", () => {
    const out = runPolicies({
      stack: "dev",
      environment: "dev",
      resources: dev,
      exemptions: [exemption("2026-12-31"), { ...exemption("2027-06-30"), policy: "gpu-memory-fit" }],
      raw,
      configFile: prodRules(),
      today: "2027-01-01",
    });
    const v = out.verdicts.find((x) => x.policyId === "prod-availability")!;
    assert.equal(v.exemption, undefined);
    assert.equal(v.enforcementLevel, "mandatory");
    assert.ok(out.mandatoryViolations >= 1);
    assert.deepEqual(
      out.exemptions.map((e) => e.status),
      ["expired", "unused"],
    );
  });

  it("prints the outcome in the plan's --json report", async () => {
    const plan = await runOfflinePlan(stackFilePath("prod"), "prod");
    const json = JSON.parse(JSON.stringify(plan.report)) as {
      policy: { mandatoryViolations: number; verdicts: unknown[] };
    };
    assert.equal(json.policy.mandatoryViolations, 0);
    assert.deepEqual(plan.policy, plan.report.policy);
  });

  it("the committed dev, staging and prod stacks pass their own environment's policies", async () => {
    for (const env of ["dev", "staging", "prod"]) {
      const plan = await runOfflinePlan(stackFilePath(env), env);
      assert.equal(plan.policy.mandatoryViolations, 0, JSON.stringify(plan.policy.verdicts));
      assert.ok(fs.existsSync(path.join(__dirname, "..", "..", "policies", "config", `${env}.json`)));
    }
  });
});
