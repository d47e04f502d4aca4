/** The evaluation in the stack: config rules, its placement and cost in the plan, the EvaluationJob's DLC job, a promoted artifact. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { ConfigError } from "../../infra/config/errors";
import { contentVersionOf } from "../../infra/data/content-version";
import { runOfflinePlan } from "../../infra/plan";
import { resolveStackFile } from "../../infra/resolve/stack";
import { artifactOf, workspace, type Workspace } from "../promote/helpers";

const REPO = path.resolve(__dirname, "..", "..");
const DLC = "pulumi-nodejs:dynamic/pai:DlcJob";
const spaces: Workspace[] = [];
const ws = () => {
  const w = workspace();
  spaces.push(w);
  return w;
};
after(() => spaces.forEach((w) => w.cleanup()));

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  assert.fail("expected a ConfigError");
}

describe("evaluation in the stack", () => {
  it("npm run plan -- --stack staging lists the evaluation job with its placement and cost", () => {
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(REPO, "infra/cli/plan.ts"), "--stack", "staging", "--json"],
      {
        cwd: REPO,
        encoding: "utf8",
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { evaluations: Record<string, unknown>[] };
    assert.equal(report.evaluations.length, 1);
    const e = report.evaluations[0]!;
    assert.equal(e.name, "tvfunc-lora-eval");
    assert.match(String(e.placement), /^quota ml\.gu7xf\.8xlarge-gu108/);
    assert.deepEqual(e.gpus, { perNode: 1, nodes: 1, model: "GU108" });
    assert.equal(e.fits, true);
    assert.equal(e.maxHours, 2);
    const text = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(REPO, "infra/cli/plan.ts"), "--stack", "dev"],
      {
        cwd: REPO,
        encoding: "utf8",
      },
    ).stdout;
    // dev's evaluation is right-sized pay-as-you-go and priced: the cost column shows money.
    assert.match(
      text,
      /tvfunc-qlora-eval\s+tvfunc-qlora\s+tv-assistant\/eval\.jsonl\s+\S+\s+pay-as-you-go \S+ \(right-sized\).*\d+ CNY/,
    );
  });

  it("the EvaluationJob is a DLC job after the fine-tune job: predict, score, metrics.json next to the model", async () => {
    const w = ws();
    const version = contentVersionOf(fs.readFileSync(path.join(w.dir, "datasets/tv-assistant/eval.jsonl")));
    const { resources, report } = await runOfflinePlan(w.file("dev"), "dev");
    assert.equal(report.ok, true, report.errors.join("\n"));
    const jobs = resources.filter((r) => r.type === DLC);
    const train = jobs.find((r) => !("pai-finetune-evaluation" in (r.inputs.tags as object)))!;
    const evalJob = jobs.find((r) => "pai-finetune-evaluation" in (r.inputs.tags as object))!;
    assert.ok(evalJob, "an evaluation DlcJob");
    const spec = resolveStackFile(w.file("dev"), "dev");
    const job = spec.jobs[0]!;
    assert.equal(job.evaluation!.dataset.version, version);
    assert.equal(evalJob.inputs.waitFor, "succeeded");
    const mounts = (evalJob.inputs.dataSources as { uri: string; mountPath: string }[]).map((d) => [
      d.mountPath,
      d.uri,
    ]);
    const m = new Map(mounts as [string, string][]);
    assert.deepEqual([...m.keys()].sort(), ["/mnt/base-model", "/mnt/data", "/mnt/model", "/mnt/output"]);
    // The evaluated model is exactly the fine-tune job's output; scores go beside it.
    assert.equal(m.get("/mnt/model"), train.inputs.outputUri);
    assert.match(
      m.get("/mnt/output")!,
      new RegExp(`/finetuned/tvfunc-qlora/${job.runHash}/evaluation/${version.slice(0, 16)}/$`),
    );
    const cmd = String(evalJob.inputs.userCommand);
    assert.match(cmd, /--do_predict true/);
    assert.match(cmd, /--predict_with_generate true/);
    assert.match(cmd, /--adapter_name_or_path \/mnt\/model/);
    assert.match(cmd, new RegExp(`--expect-version ${version}`));
    assert.match(cmd, new RegExp(`--run-hash ${job.runHash}`));
    assert.match(cmd, /--out \/mnt\/output\/metrics\.json/);
    assert.ok(
      cmd.includes(fs.readFileSync(path.join(REPO, "infra/evaluation/score.py"), "utf8").trimEnd()),
      "the scorer ships verbatim",
    );
    // A right-sized pay-as-you-go placement that fits.
    assert.equal(typeof evalJob.inputs.ecsSpec, "string");
  });

  it("the evaluation set is uploaded to its path in the datasets bucket: project-relative source, its MD5", async () => {
    const w = ws();
    const bytes = fs.readFileSync(path.join(w.dir, "datasets/tv-assistant/eval.jsonl"));
    const { resources } = await runOfflinePlan(w.file("staging"), "staging");
    const objects = resources.filter(
      (r) =>
        r.type === "alicloud:oss/bucketObject:BucketObject" && r.inputs.key === "tv-assistant/eval.jsonl",
    );
    assert.equal(objects.length, 1, "one upload of the evaluation set");
    const o = objects[0]!.inputs;
    assert.match(String(o.bucket), /-datasets$/);
    assert.equal(o.contentMd5, createHash("md5").update(bytes).digest("hex"));
    assert.ok(!path.isAbsolute(String(o.source)) && !String(o.source).startsWith(".."), String(o.source));
    assert.ok(String(o.source).endsWith("datasets/tv-assistant/eval.jsonl"), String(o.source));
    assert.ok(!JSON.stringify(o).includes(w.dir), "no machine path in the upload");
  });

  it("the job's own command runs: a bash script whose heredocs close (bash -n)", () => {
    const job = resolveStackFile(path.join(REPO, "stacks/Pulumi.dev.yaml"), "dev").jobs[0]!;
    const r = spawnSync("bash", ["-n"], { input: job.evaluation!.command, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  });

  it("config rules: waitFor, pinned version vs file, gates with one threshold, artifact run hash", () => {
    const w = ws();
    const dev = w.read("dev");
    w.write(
      "dev",
      dev
        .replace("      waitFor: succeeded\n", "      waitFor: running\n")
        .replace(/\n {2}pai-finetune:services:[\s\S]*$/, "\n"),
    );
    assert.match(
      configError(() => resolveStackFile(w.file("dev"), "dev")),
      /waitFor: an evaluation scores the finished model/,
    );
    w.write(
      "dev",
      dev.replace(
        "file: datasets/tv-assistant/eval.jsonl #",
        `version: "${"0".repeat(64)}"\n          file: datasets/tv-assistant/eval.jsonl #`,
      ),
    );
    assert.match(
      configError(() => resolveStackFile(w.file("dev"), "dev")),
      /pinned 0{64}, but datasets\/tv-assistant\/eval\.jsonl has content version [0-9a-f]{64}/,
    );
    const staging = w.read("staging");
    w.write("staging", staging.replace("        min: 95\n", "        min: 95\n        max: 99\n"));
    assert.match(
      configError(() => resolveStackFile(w.file("staging"), "staging")),
      /set exactly one of min or max/,
    );
    w.write(
      "staging",
      staging.replace(
        "      priority: 5\n",
        '      priority: 5\n      artifact:\n        stack: dev\n        job: tvfunc-qlora\n        uri: oss://tvmaker-tvfunc-dev-models/finetuned/tvfunc-qlora/0123456789/\n        runHash: "0123456789"\n',
      ),
    );
    assert.match(
      configError(() => resolveStackFile(w.file("staging"), "staging")),
      /artifact › runHash: the promoted artifact is run 0123456789, but this job's model-defining fields .* hash to [0-9a-f]{10}/,
    );
  });

  it("a promoted job is not trained again: its service and evaluation read the artifact, the role stays within the stack's buckets", async () => {
    const w = ws();
    const dev = artifactOf(w, "dev");
    const { main } = await import("../../infra/cli/promote");
    const { writeMetrics } = await import("../promote/helpers");
    const sink = { write: () => true } as unknown as NodeJS.WritableStream;
    const code = await main(
      [
        "--from",
        "dev",
        "--to",
        "staging",
        "--metrics",
        writeMetrics(w, "dev"),
        "--yes",
        "--stacks-dir",
        w.dir,
      ],
      { out: sink, err: sink },
    );
    assert.equal(code, 0);
    const { resources, report } = await runOfflinePlan(w.file("staging"), "staging");
    assert.equal(report.ok, true, report.errors.join("\n"));
    const jobs = resources.filter((r) => r.type === DLC);
    assert.equal(jobs.length, 1, "only the evaluation job: no training");
    const mounts = new Map(
      (jobs[0]!.inputs.dataSources as { uri: string; mountPath: string }[]).map((d) => [d.mountPath, d.uri]),
    );
    assert.equal(
      mounts.get("/mnt/model"),
      dev.uri.replace(
        "oss://tvmaker-tvfunc-dev-models/",
        "oss://tvmaker-tvfunc-dev-models.oss-cn-wulanchabu-internal.aliyuncs.com/",
      ),
    );
    const svc = resources.find((r) => r.type === "alicloud:pai/service:Service")!;
    const storage = (
      JSON.parse(String(svc.inputs.serviceConfig)) as {
        storage: { mount_path: string; oss: { path: string } }[];
      }
    ).storage;
    assert.equal(storage.find((s) => s.mount_path === "/mnt/adapter")!.oss.path, dev.uri);
    // The job role stays within the stack's buckets (job-role-least-privilege): no grant on the source.
    const policy = resources.find((r) => r.type === "alicloud:ram/policy:Policy")!;
    assert.doesNotMatch(String(policy.inputs.policyDocument), /tvfunc-dev-models/);
  });
});
