/**
 * Stacks written from scratch, as a team outside this project would write them, each hiding one or
 * more policy violations: `npm run plan -- --config <file>` exits 1 and names every violated policy
 * id; clean stacks (prod with a user price included) exit 0. Most run the CLI's `main` in-process
 * (the same function the script runs); one runs the real process for its exit code.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { main } from "../../infra/cli/plan";
import { scratchDir } from "../helpers/stack-files";

const ROOT = path.resolve(__dirname, "..", "..");
const scratch = scratchDir();
after(() => scratch.cleanup());

const IMAGES = `
  pai-finetune:defaults:
    trainingImage: registry.example.com/llama-factory:0.9.3
    servingImage: registry.example.com/vllm:0.8.5`;

/** A small stack file of one environment: the parts each case changes are passed in as YAML text. */
function stack(env: string, body: string): string {
  return `config:
  alicloud:region: cn-beijing
  pai-finetune:environment: ${env}
  pai-finetune:workspace:
    name: outside_${env}
  pai-finetune:storage:
    bucketPrefix: outside-team-${env}${env === "prod" ? "\n    encryption: KMS" : ""}
${IMAGES}
${body}
`;
}

const JOB = (extra: string) => `  pai-finetune:jobs:
    - name: assistant
      baseModel: qwen2.5-7b-instruct
      dataset:
        path: assistant/train.jsonl
${extra}`;

async function plan(file: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = (chunk: string) => ((out += chunk), true);
  process.stderr.write = (chunk: string) => ((err += chunk), true);
  try {
    const code = await main(["--config", file]);
    return { code, out, err };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

/** The policy ids the plan counts as mandatory violations (from its FAILED line). */
const violated = (out: string) =>
  (/mandatory policy violation\(s\): (.+)$/m.exec(out)?.[1] ?? "").split(", ").filter(Boolean).sort();

describe("npm run plan -- --config: policy violations in stacks from outside", () => {
  it("a full fine-tune of a 7B model on one 24 GB GPU: gpu-memory-fit", async () => {
    const file = scratch.write(
      "full-7b-a10.yaml",
      stack(
        "dev",
        JOB(`        examples: 3000
        avgTokensPerExample: 400
      method: full
      resources:
        instanceType: ecs.gn7i-c8g1.2xlarge
      maxRunningHours: 12`),
      ),
    );
    const r = await plan(file);
    assert.equal(r.code, 1, r.err);
    assert.ok(violated(r.out).includes("gpu-memory-fit"), r.out);
    assert.match(
      r.out,
      /\[MANDATORY\] gpu-memory-fit platform-job-assistant: job assistant needs [\d.]+ GiB per GPU/,
    );
  });

  it("a dev QLoRA job on eight 80 GB GPUs: gpu-memory-cap (and the advisory overprovisioning)", async () => {
    const file = scratch.write(
      "qlora-8xa100.yaml",
      stack(
        "dev",
        JOB(`        examples: 3000
        avgTokensPerExample: 400
      method: qlora
      resources:
        instanceType: ecs.gn7e-c16g1.32xlarge
      maxRunningHours: 12`),
      ),
    );
    const r = await plan(file);
    assert.equal(r.code, 1, r.err);
    assert.ok(violated(r.out).includes("gpu-memory-cap"), r.out);
    assert.match(r.out, /reserves 640 GiB of GPU memory .* the cap for qlora here is 48 GiB/);
    assert.match(r.out, /\[ADVISORY\] gpu-overprovisioning platform-job-assistant/);
  });

  it("a one-replica prod service: prod-availability", async () => {
    const file = scratch.write(
      "prod-one-replica.yaml",
      stack(
        "prod",
        `  pai-finetune:services:
    - name: assistant_chat
      model:
        path: served/qwen2.5-7b-instruct/
        baseModel: qwen2.5-7b-instruct
      instanceType: ecs.gn7i-c8g1.2xlarge
      maxContextTokens: 2048
      concurrency: 4`,
      ),
    );
    const r = await plan(file);
    assert.equal(r.code, 1, r.err);
    assert.deepEqual(violated(r.out), ["prod-availability"]);
    assert.match(r.out, /service assistant_chat keeps 1 replica\(s\); this environment requires at least 2/);
  });

  it("a job far over its environment's cost cap: job-cost-cap (and the stack's budget holds)", async () => {
    const file = scratch.write(
      "expensive.yaml",
      stack(
        "dev",
        JOB(`        examples: 150000
        avgTokensPerExample: 1000
      method: full
      training:
        zeroStage: 3
      resources:
        instanceType: ecs.gn7e-c16g1.16xlarge
      maxRunningHours: 24`) +
          `
  pai-finetune:catalog:
    instances:
      # An example of a negotiated price, not a published one.
      - { id: ecs.gn7e-c16g1.16xlarge, gpuModel: A100-80G, gpuMemoryGiB: 80, peakTflops16: 312, gpuCount: 4, vcpu: 64, memoryGiB: 500, usage: [dlc, eas], source: "team contract", price: { amount: 140, currency: CNY, per: hour, kind: user, date: "2026-11-30", source: "example contract price" } }`,
      ),
    );
    const r = await plan(file);
    assert.equal(r.code, 1, r.err);
    assert.deepEqual(violated(r.out), ["job-cost-cap"]);
    assert.match(
      r.out,
      /job assistant would cost about [\d,.]+ CNY \([\d.]+ h on 1 × ecs\.gn7e-c16g1\.16xlarge, user price\), over the 1,000 CNY cap per job/,
    );
  });

  it("a job that cannot finish within its run-time limit: max-run-time", async () => {
    const file = scratch.write(
      "too-short.yaml",
      stack(
        "dev",
        JOB(`        examples: 20000
        avgTokensPerExample: 600
      method: qlora
      resources:
        instanceType: ecs.gn7i-c8g1.2xlarge
      maxRunningHours: 1`),
      ),
    );
    const r = await plan(file);
    assert.equal(r.code, 1, r.err);
    assert.deepEqual(violated(r.out), ["max-run-time"]);
    assert.match(r.out, /its limit is 1 h: it would be stopped unfinished and the money spent lost/);
  });

  it("a dataset of 40 examples: dataset-min-examples", async () => {
    const file = scratch.write(
      "tiny-dataset.yaml",
      stack(
        "dev",
        JOB(`        examples: 40
        avgTokensPerExample: 300
      method: lora
      resources:
        instanceType: ecs.gn7e-c16g1.4xlarge
      maxRunningHours: 4`),
      ),
    );
    const r = await plan(file);
    assert.equal(r.code, 1, r.err);
    assert.deepEqual(violated(r.out), ["dataset-min-examples"]);
  });

  it("an overridden command training a Qwen model with the Llama 3 template: chat-template-match", async () => {
    const file = scratch.write(
      "wrong-template.yaml",
      stack(
        "dev",
        JOB(`        examples: 3000
        avgTokensPerExample: 400
      method: qlora
      resources:
        instanceType: ecs.gn7i-c8g1.2xlarge
      command: llamafactory-cli train --stage sft --model_name_or_path /mnt/base-model --template llama3 --finetuning_type lora
      maxRunningHours: 12`),
      ),
    );
    const r = await plan(file);
    assert.equal(r.code, 1, r.err);
    assert.deepEqual(violated(r.out), ["chat-template-match"]);
    assert.match(r.out, /with --template llama3, but its family's template is qwen/);
  });

  it("an expired exemption no longer applies and is reported; an active one waives the verdict", async () => {
    const body = (expires: string) => `  pai-finetune:services:
    - name: assistant_chat
      model:
        path: served/qwen2.5-7b-instruct/
        baseModel: qwen2.5-7b-instruct
      instanceType: ecs.gn7i-c8g1.2xlarge
      publicEndpoint: true
      replicas:
        min: 2
      maxContextTokens: 2048
      concurrency: 4
  pai-finetune:exemptions:
    - policy: service-access
      resource: assistant_chat
      reason: partner demo reached over the internet until the VPC peering is live
      expires: "${expires}"`;
    const expired = await plan(scratch.write("expired.yaml", stack("prod", body("2024-01-31"))));
    assert.equal(expired.code, 1, expired.err);
    assert.deepEqual(violated(expired.out), ["service-access"]);
    assert.match(expired.out, /service-access on assistant_chat: EXPIRED on 2024-01-31, no longer applies/);
    const active = await plan(scratch.write("active.yaml", stack("prod", body("2999-12-31"))));
    assert.equal(active.code, 0, active.out);
    assert.match(active.out, /\[exempted mandatory\] service-access platform-svc-assistant_chat-endpoints/);
    assert.match(active.out, /service-access on assistant_chat: until 2999-12-31, active/);
  });

  it("an exemption that names no resource, or no policy, is a config error (exit 2, file and key path)", async () => {
    const file = scratch.write(
      "bad-exemption.yaml",
      stack(
        "dev",
        `  pai-finetune:exemptions:
    - policy: service-acess
      resource: nothing-here
      reason: a typo in the policy id and a resource that does not exist
      expires: "2999-01-01"`,
      ),
    );
    const r = await plan(file);
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /bad-exemption\.yaml:\d+: pai-finetune:exemptions › \[0\] › policy: no policy "service-acess"/,
    );
    assert.match(
      r.err,
      /pai-finetune:exemptions › \[0\] › resource: names no resource of this stack: "nothing-here"/,
    );
  });

  it("an exemption without a reason or with an impossible date is a config error", async () => {
    const file = scratch.write(
      "bad-date.yaml",
      stack(
        "dev",
        `  pai-finetune:exemptions:
    - policy: service-access
      resource: stack
      reason: short
      expires: "2026-02-30"`,
      ),
    );
    const r = await plan(file);
    assert.equal(r.code, 2);
    assert.match(r.err, /pai-finetune:exemptions › \[0\] › reason: expected a value ≥ 10 characters/);
    assert.match(r.err, /pai-finetune:exemptions › \[0\] › expires: a real calendar date YYYY-MM-DD/);
  });

  it("a clean prod stack with a user price exits 0 with no mandatory violation (real process)", () => {
    const file = scratch.write(
      "clean-prod.yaml",
      stack(
        "prod",
        `  pai-finetune:services:
    - name: assistant_chat
      model:
        path: served/qwen2.5-7b-instruct/
        baseModel: qwen2.5-7b-instruct
      instanceType: ecs.gn8is.2xlarge
      replicas:
        min: 2
        max: 4
      autoscaling:
        metric: qps
        target: 10
      maxContextTokens: 4096
      concurrency: 8
  pai-finetune:catalog:
    instances:
      # An example of a negotiated price, not a published one.
      - { id: ecs.gn8is.2xlarge, gpuModel: L20, gpuMemoryGiB: 48, peakTflops16: 119, gpuCount: 1, vcpu: 8, memoryGiB: 64, usage: [dlc, eas], source: "team contract", price: { amount: 20, currency: CNY, per: hour, kind: user, date: "2026-11-30", source: "example contract price" } }`,
      ),
    );
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "infra/cli/plan.ts"), "--config", file],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /Policies \(policies\/config\/prod\.json\): \d+ verdict\(s\), 0 mandatory violation\(s\)/,
    );
    assert.match(r.stdout, /Plan OK/);
  });
});
