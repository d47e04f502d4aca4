/**
 * `npm run plan` as a user runs it: a real process, its exit code, stdout and stderr.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { mutatedStack, scratchDir } from "../helpers/stack-files";

const ROOT = path.resolve(__dirname, "..", "..");
const scratch = scratchDir();
after(() => scratch.cleanup());

function plan(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "infra/cli/plan.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: "", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A line that looks like a JavaScript stack frame. */
const STACK_FRAME = /^\s+at .+\(.+:\d+:\d+\)$/m;

describe("npm run plan", () => {
  it("plans the dev stack offline: exit 0, a table of resources and the fit of each job and service", () => {
    const r = plan("--stack", "dev");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Offline plan of stack "dev"/);
    assert.match(r.stdout, /alicloud:pai\/workspaceWorkspace:WorkspaceWorkspace/);
    assert.match(r.stdout, /pulumi-nodejs:dynamic\/pai:DlcJob/);
    assert.match(r.stdout, /tvfunc-qlora\s+qlora\s+qwen1\.5-7b-chat/);
    assert.match(r.stdout, /Plan OK/);
  });

  it("prints the same plan as JSON with --json", () => {
    const r = plan("--stack", "staging", "--json");
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as {
      stack: string;
      ok: boolean;
      jobs: { perGpuGiB: number; fits: boolean }[];
      resources: unknown[];
    };
    assert.equal(report.stack, "staging");
    assert.equal(report.ok, true);
    assert.ok(report.jobs[0]!.perGpuGiB > 0);
    assert.ok(report.resources.length > 10);
  });

  it("refuses a bad config with exit 2, the file, line and key path, and no stack trace", () => {
    const file = scratch.write(
      "Pulumi.typo.yaml",
      mutatedStack("dev", (c) => {
        c["pai-finetune:jobs"][0].hyperparameters.epochs = "three";
      }),
    );
    const r = plan("--config", file);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /Pulumi\.typo\.yaml:\d+: pai-finetune:jobs › \[0\] › hyperparameters › epochs: expected a number, got "three"/,
    );
    assert.doesNotMatch(r.stderr, STACK_FRAME);
  });

  it("exits 1 when a job would run out of GPU memory, and says which", () => {
    const file = scratch.write(
      "Pulumi.oom.yaml",
      mutatedStack("dev", (c) => {
        const job = c["pai-finetune:jobs"][0];
        job.method = "full";
        for (const k of ["loraRank", "loraAlpha"]) delete job.hyperparameters[k];
      }),
    );
    const r = plan("--config", file);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /Plan FAILED/);
    assert.match(
      r.stdout,
      /job tvfunc-qlora needs [\d.]+ GiB per GPU, but pay-as-you-go ecs\.gn7i-c8g1\.2xlarge offers/,
    );
  });

  it("rejects bad usage with exit 2", () => {
    assert.equal(plan().code, 2);
    assert.equal(plan("--stack", "dev", "--config", "x.yaml").code, 2);
    const r = plan("--stak", "dev");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--stak: unknown argument/);
    assert.match(plan("--stack", "nope").stderr, /file not found/);
  });
});
