import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { parse } from "yaml";
import { main, type PromoteIo } from "../../infra/cli/promote";
import { currentPromotion, readPromotionHistory } from "../../infra/promote/history";
import { resolveStackFile } from "../../infra/resolve/stack";
import { artifactOf, FIXTURES, snapshot, workspace, writeMetrics, type Workspace } from "./helpers";

function io(extra: Partial<PromoteIo> = {}): PromoteIo & { stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  return {
    out: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream,
    err: { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WritableStream,
    stdout: () => out,
    stderr: () => err,
    ...extra,
  };
}

const run = (ws: Workspace, args: string[], extra: Partial<PromoteIo> = {}) => {
  const x = io(extra);
  return main([...args, "--stacks-dir", ws.dir], x).then((code) => ({
    code,
    out: x.stdout(),
    err: x.stderr(),
  }));
};

const commentLines = (text: string) => text.split("\n").filter((l) => l.trimStart().startsWith("#"));
/** The text outside the first job's block: everything before `pai-finetune:jobs:` and from `pai-finetune:services:` on. */
const outsideJobs = (text: string) => [
  text.slice(0, text.indexOf("  pai-finetune:jobs:")),
  text.slice(text.indexOf("  pai-finetune:services:")),
];
const jobOf = (text: string) =>
  (parse(text) as { config: { "pai-finetune:jobs": Record<string, unknown>[] } }).config[
    "pai-finetune:jobs"
  ][0]!;

const wsList: Workspace[] = [];
const fresh = () => {
  const ws = workspace();
  wsList.push(ws);
  return ws;
};
after(() => wsList.forEach((w) => w.cleanup()));

describe("promote dev → staging → prod on copies of the committed stacks", () => {
  it("carries the exact artifact and the model fields, keeps the target's placements, comments and other keys", async () => {
    const ws = fresh();
    const dev = artifactOf(ws, "dev");
    const stagingBefore = ws.read("staging");
    const stagingSpecBefore = resolveStackFile(ws.file("staging"), "staging");

    const r1 = await run(ws, [
      "--from",
      "dev",
      "--to",
      "staging",
      "--metrics",
      writeMetrics(ws, "dev"),
      "--yes",
    ]);
    assert.equal(r1.code, 0, r1.err);
    assert.match(r1.out, /^\+ {7}artifact:$/m);
    const staging = ws.read("staging");
    const [headBefore, tailBefore] = outsideJobs(stagingBefore);
    const [head, tail] = outsideJobs(staging);
    assert.equal(head, headBefore, "everything above the jobs survives byte for byte");
    assert.equal(tail, tailBefore, "services, promotion gates and their comments survive byte for byte");
    for (const c of commentLines(stagingBefore)) assert.ok(staging.includes(c), `comment kept: ${c}`);

    const spec = resolveStackFile(ws.file("staging"), "staging");
    const job = spec.jobs[0]!;
    assert.equal(job.name, "tvfunc-lora", "the target keeps its job name (its services refer to it)");
    assert.deepEqual(job.artifact, { stack: "dev", job: "tvfunc-qlora", uri: dev.uri, runHash: dev.runHash });
    assert.equal(job.runHash, dev.runHash, "the model fields were copied: they hash to the artifact's run");
    assert.equal(job.config.method, "qlora");
    assert.deepEqual(
      job.config.resources,
      stagingSpecBefore.jobs[0]!.config.resources,
      "placement stays staging's",
    );
    assert.equal(job.placement.kind, "quota");
    assert.equal(job.config.priority, 5);
    assert.deepEqual(job.config.evaluation, stagingSpecBefore.jobs[0]!.config.evaluation);
    assert.deepEqual(
      spec.config.services,
      stagingSpecBefore.config.services,
      "replicas, autoscaling stay staging's",
    );
    assert.equal(spec.services[0]!.modelUri, dev.uri, "the service serves the promoted bytes");

    // staging evaluated the promoted artifact on its own placement: promote it on to prod.
    const prodBefore = ws.read("prod");
    const r2 = await run(ws, [
      "--from",
      "staging",
      "--to",
      "prod",
      "--metrics",
      writeMetrics(ws, "staging"),
      "--yes",
    ]);
    assert.equal(r2.code, 0, r2.err);
    const prod = ws.read("prod");
    assert.deepEqual(outsideJobs(prod), outsideJobs(prodBefore));
    for (const c of commentLines(prodBefore)) assert.ok(prod.includes(c), `comment kept: ${c}`);
    assert.match(prod, /learningRate: 1\.0e-5|\n {6}hyperparameters:/);
    const prodSpec = resolveStackFile(ws.file("prod"), "prod");
    assert.equal(prodSpec.jobs[0]!.artifact!.uri, dev.uri, "prod serves the very bytes trained in dev");
    assert.equal(prodSpec.jobs[0]!.artifact!.runHash, dev.runHash);
    assert.equal(prodSpec.jobs[0]!.config.resources.gpusPerNode, 8, "prod keeps its placement");
    assert.equal(prodSpec.services[0]!.replicas.min, 2);
    assert.equal(jobOf(prod).name, "tvfunc-full");
    // prod's training options that are placement, not model (ZeRO stage and its comment), stay.
    assert.match(prod, /zeroStage: 3 # parameters, gradients and optimizer states sharded over the 8 GPUs/);

    const history = readPromotionHistory(ws.dir, "prod");
    assert.equal(history.length, 1);
    assert.equal(history[0]!.from, "staging");
    assert.equal(history[0]!.artifact.uri, dev.uri);
    assert.equal(history[0]!.metrics!.values["slot-f1"], 100);
    assert.equal(history[0]!.gates.length, 3);
    assert.ok(history[0]!.gates.every((g) => g.value !== undefined));
    assert.equal(currentPromotion(ws.dir, "staging")!.artifact.runHash, dev.runHash);
  });

  it("--dry-run prints the diff and writes nothing", async () => {
    const ws = fresh();
    const metrics = writeMetrics(ws, "dev");
    const before = snapshot(ws.dir);
    const r = await run(ws, ["--from", "dev", "--to", "staging", "--metrics", metrics, "--dry-run"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Dry run/);
    assert.match(r.out, /^- {7}method: lora$/m);
    assert.match(r.out, /^\+ {7}method: qlora$/m);
    const afterSnap = snapshot(ws.dir);
    // The metrics file was written by the test before the snapshot; nothing else appears.
    assert.deepEqual([...afterSnap.keys()].sort(), [...before.keys()].sort());
    for (const [k, v] of before) assert.equal(afterSnap.get(k), v, k);
  });

  it("without --yes and without a terminal it refuses and writes nothing; a 'no' writes nothing", async () => {
    const ws = fresh();
    const metrics = writeMetrics(ws, "dev");
    const before = snapshot(ws.dir);
    const r = await run(ws, ["--from", "dev", "--to", "staging", "--metrics", metrics]);
    assert.equal(r.code, 2);
    assert.match(r.err, /not a terminal and no --yes/);
    const r2 = await run(ws, ["--from", "dev", "--to", "staging", "--metrics", metrics], {
      ask: () => Promise.resolve(false),
    });
    assert.equal(r2.code, 1);
    assert.deepEqual(snapshot(ws.dir), before);
    const r3 = await run(ws, ["--from", "dev", "--to", "staging", "--metrics", metrics], {
      ask: () => Promise.resolve(true),
    });
    assert.equal(r3.code, 0, r3.err);
    assert.notEqual(ws.read("staging"), before.get("Pulumi.staging.yaml"));
  });
});

describe("refusals leave the target byte-identical", () => {
  async function refused(
    ws: Workspace,
    args: string[],
    expect: RegExp,
    extra: Partial<PromoteIo> = {},
    code = 1,
  ): Promise<void> {
    const before = snapshot(ws.dir);
    const r = await run(ws, args, extra);
    assert.equal(r.code, code, `${r.out}\n${r.err}`);
    assert.match(r.err, expect);
    assert.deepEqual(snapshot(ws.dir), before, "nothing written");
  }

  it("a metric below its gate, naming the metric, its value and the threshold", async () => {
    const ws = fresh();
    const metrics = writeMetrics(ws, "dev", { predictions: path.join(FIXTURES, "predictions.jsonl") });
    await refused(
      ws,
      ["--from", "dev", "--to", "staging", "--metrics", metrics, "--yes"],
      /slot-f1 = 44\.4444 is below the gate's min 85/,
    );
  });

  it("metrics computed on another evaluation set (same path, other bytes)", async () => {
    const ws = fresh();
    const other = path.join(ws.dir, "other-eval.jsonl");
    fs.writeFileSync(
      other,
      fs.readFileSync(path.join(FIXTURES, "references.jsonl"), "utf8").split("\n").slice(0, 2).join("\n") +
        "\n",
    );
    const metrics = writeMetrics(ws, "dev", { datasetFile: other });
    await refused(
      ws,
      ["--from", "dev", "--to", "staging", "--metrics", metrics, "--yes"],
      /was computed on tv-assistant\/eval\.jsonl @ [0-9a-f]{16}, the gate requires tv-assistant\/eval\.jsonl @ /,
    );
  });

  it("metrics of another artifact", async () => {
    const ws = fresh();
    const metrics = writeMetrics(ws, "dev", { patch: (r) => void (r.artifact.runHash = "0123456789") });
    await refused(
      ws,
      ["--from", "dev", "--to", "staging", "--metrics", metrics, "--yes"],
      /scores artifact .* \(run 0123456789\), not the one being promoted/,
    );
  });

  it("a target that would violate a mandatory policy", async () => {
    const ws = fresh();
    const metrics = writeMetrics(ws, "dev");
    const plan = () =>
      Promise.resolve({
        report: { ok: true, errors: [] } as never,
        policy: {
          verdicts: [
            {
              policyId: "gpu-memory-fit",
              enforcementLevel: "mandatory" as const,
              message: "job tvfunc-lora would run out of memory",
            },
          ],
          exemptions: [],
          mandatoryViolations: 1,
        },
      });
    await refused(
      ws,
      ["--from", "dev", "--to", "staging", "--metrics", metrics, "--yes"],
      /1 mandatory policy violation\(s\) in staging after the change: gpu-memory-fit: job tvfunc-lora would run out of memory/,
      { plan },
    );
  });

  it("a target whose plan fails after the change (the promoted method does not fit the target's placement)", async () => {
    const ws = fresh();
    // dev trains full-parameter on a big instance; staging pins one 24 GB A10: a 7B full fine-tune cannot fit.
    ws.write(
      "dev",
      ws
        .read("dev")
        .replace("method: qlora #", "method: full #")
        .replace("        loraRank: 64\n        loraAlpha: 16\n", "")
        .replace(
          "instanceType: ecs.gn7i-c8g1.2xlarge",
          "instanceType: ecs.gn7i-c8g1.2xlarge\n        gpusPerNode: 1",
        ),
    );
    ws.write(
      "staging",
      ws
        .read("staging")
        .replace(
          "        useQuota: true # the fewest GPUs of a quota node that fit; the rest stay free",
          "        instanceType: ecs.gn7i-c8g1.2xlarge",
        ),
    );
    const metrics = writeMetrics(ws, "dev");
    await refused(
      ws,
      ["--from", "dev", "--to", "staging", "--metrics", metrics, "--yes"],
      /plan of staging after the change: job tvfunc-lora needs .* GiB per GPU/,
    );
  });

  it("outputs that disagree with the source file, a wrong source stack, bad inputs", async () => {
    const ws = fresh();
    const metrics = writeMetrics(ws, "dev");
    const outputs = path.join(ws.dir, "dev-outputs.json");
    fs.writeFileSync(
      outputs,
      JSON.stringify({
        jobs: {
          "tvfunc-qlora": {
            outputUri:
              "oss://tvmaker-tvfunc-dev-models.oss-cn-wulanchabu-internal.aliyuncs.com/finetuned/tvfunc-qlora/abcdef0123/",
          },
        },
      }),
    );
    await refused(
      ws,
      ["--from", "dev", "--to", "staging", "--metrics", metrics, "--outputs", outputs, "--yes"],
      /outputs say job tvfunc-qlora trained .* \(run abcdef0123\)/,
    );
    await refused(
      ws,
      ["--from", "staging", "--to", "prod", "--metrics", metrics, "--yes"],
      /scores artifact/,
    );
    await refused(
      ws,
      ["--from", "dev", "--to", "prod", "--metrics", metrics, "--yes"],
      /prod promotes from staging/,
      {},
      2,
    );
    fs.writeFileSync(path.join(ws.dir, "bad.json"), "{nope");
    await refused(
      ws,
      ["--from", "dev", "--to", "staging", "--metrics", path.join(ws.dir, "bad.json"), "--yes"],
      /bad\.json: not valid JSON/,
      {},
      2,
    );
    await refused(ws, ["--to", "staging", "--from", "dev"], /--from and --metrics are required/, {}, 2);
    await refused(
      ws,
      ["--to", "../etc", "--rollback"],
      /--to: stack name "..\/etc": Pulumi allows only/,
      {},
      2,
    );
  });

  it("outputs that agree with the source file are accepted", async () => {
    const ws = fresh();
    const dev = artifactOf(ws, "dev");
    const outputs = path.join(ws.dir, "dev-outputs.json");
    const dlcForm = dev.uri.replace(
      /^oss:\/\/([^/]+)\//,
      "oss://$1.oss-cn-wulanchabu-internal.aliyuncs.com/",
    );
    fs.writeFileSync(outputs, JSON.stringify({ jobs: { "tvfunc-qlora": { outputUri: dlcForm } } }));
    const r = await run(ws, [
      "--from",
      "dev",
      "--to",
      "staging",
      "--metrics",
      writeMetrics(ws, "dev"),
      "--outputs",
      outputs,
      "--dry-run",
    ]);
    assert.equal(r.code, 0, r.err);
  });
});

describe("rollback", () => {
  it("returns the exact previous artifact, then the target's own model, through the same checks", async () => {
    const ws = fresh();
    const original = ws.read("staging");
    const first = artifactOf(ws, "dev");
    assert.equal(
      (await run(ws, ["--from", "dev", "--to", "staging", "--metrics", writeMetrics(ws, "dev"), "--yes"]))
        .code,
      0,
    );
    const afterFirst = ws.read("staging");
    // A new dev run (one more epoch): another run hash, promoted on top.
    ws.write(
      "dev",
      ws
        .read("dev")
        .replace("        epochs: 3\n        seqLen: 1024", "        epochs: 4\n        seqLen: 1024"),
    );
    const second = artifactOf(ws, "dev");
    assert.notEqual(second.runHash, first.runHash);
    assert.equal(
      (await run(ws, ["--from", "dev", "--to", "staging", "--metrics", writeMetrics(ws, "dev"), "--yes"]))
        .code,
      0,
    );
    assert.equal(artifactOf(ws, "staging").runHash, second.runHash);

    const dry = await run(ws, ["--to", "staging", "--rollback", "--dry-run"]);
    assert.equal(dry.code, 0, dry.err);
    assert.equal(artifactOf(ws, "staging").runHash, second.runHash, "dry run wrote nothing");

    const r1 = await run(ws, ["--to", "staging", "--rollback", "--yes"]);
    assert.equal(r1.code, 0, r1.err);
    const restored = artifactOf(ws, "staging");
    assert.deepEqual([restored.uri, restored.runHash], [first.uri, first.runHash]);
    assert.equal(ws.read("staging"), afterFirst, "the file is exactly what the first promotion wrote");

    const r2 = await run(ws, ["--to", "staging", "--rollback", "--yes"]);
    assert.equal(r2.code, 0, r2.err);
    assert.match(r2.out, /own training run, never promoted/);
    assert.equal(resolveStackFile(ws.file("staging"), "staging").jobs[0]!.artifact, undefined);
    assert.equal(ws.read("staging"), original, "back to the committed file, byte for byte");

    const before = snapshot(ws.dir);
    const r3 = await run(ws, ["--to", "staging", "--rollback", "--yes"]);
    assert.equal(r3.code, 1);
    assert.match(r3.err, /no promotion of staging in force to roll back/);
    assert.deepEqual(snapshot(ws.dir), before);
    const kinds = readPromotionHistory(ws.dir, "staging").map((e) => e.kind);
    assert.deepEqual(kinds, ["promotion", "promotion", "rollback", "rollback"]);
  });

  it("a corrupt history is an error naming the file and line, and nothing is written", async () => {
    const ws = fresh();
    fs.mkdirSync(path.join(ws.dir, "promotions"));
    fs.writeFileSync(path.join(ws.dir, "promotions", "staging.jsonl"), '{"kind":"promotion"}\nnot json\n');
    const before = snapshot(ws.dir);
    const r = await run(ws, ["--to", "staging", "--rollback", "--yes"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /promotions\/staging\.jsonl:1: not a promotion entry/);
    assert.deepEqual(snapshot(ws.dir), before);
  });

  it("refuses when the target was edited by hand since the last promotion", async () => {
    const ws = fresh();
    assert.equal(
      (await run(ws, ["--from", "dev", "--to", "staging", "--metrics", writeMetrics(ws, "dev"), "--yes"]))
        .code,
      0,
    );
    const dev = artifactOf(ws, "dev");
    ws.write("staging", ws.read("staging").replace(dev.runHash, "ffffffffff"));
    const before = snapshot(ws.dir);
    const r = await run(ws, ["--to", "staging", "--rollback", "--yes"]);
    assert.ok(r.code === 1 || r.code === 2, r.err);
    assert.deepEqual(snapshot(ws.dir), before);
  });
});
