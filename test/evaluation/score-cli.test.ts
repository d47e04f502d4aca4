/** `npm run score` as a user runs it: exit codes, line-aligned and id-keyed inputs, clear errors. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { main } from "../../infra/cli/score";
import { contentVersionOf } from "../../infra/data/content-version";
import { MetricsRecordSchema } from "../../infra/evaluation/metrics-file";

const FIX = path.join(__dirname, "fixtures");
const PRED = path.join(FIX, "predictions.jsonl");
const REF = path.join(FIX, "references.jsonl");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "score-cli-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

async function score(...args: string[]) {
  let out = "";
  let err = "";
  const code = await main(
    args,
    { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream,
    { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WritableStream,
  );
  return { code, out, err };
}

describe("npm run score", () => {
  it("scores LLaMA-Factory's generated_predictions.jsonl against the dataset's messages, as a table or JSON", async () => {
    const r = await score("--predictions", PRED, "--references", REF);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Scored 4 examples/);
    assert.match(r.out, /slot-f1\s+44\.44/);
    const j = await score("--predictions", PRED, "--references", REF, "--json");
    const parsed = JSON.parse(j.out) as { examples: number; metrics: Record<string, number> };
    assert.equal(parsed.examples, 4);
    assert.equal(parsed.metrics["json-valid"], 75);
    assert.equal(parsed.metrics["function-accuracy"], 50);
  });

  it("prints a metrics.json record naming the artifact and the evaluation set's content version", async () => {
    const r = await score(
      "--predictions",
      PRED,
      "--references",
      REF,
      "--stack",
      "dev",
      "--job",
      "tvfunc-qlora",
      "--artifact",
      "oss://b-models/finetuned/tvfunc-qlora/abc1234567/",
      "--run-hash",
      "abc1234567",
      "--dataset-path",
      "tv-assistant/eval.jsonl",
    );
    assert.equal(r.code, 0, r.err);
    const record = MetricsRecordSchema.parse(JSON.parse(r.out));
    assert.equal(record.dataset.contentVersion, contentVersionOf(fs.readFileSync(REF)));
    assert.equal(record.artifact.runHash, "abc1234567");
    assert.equal(record.metrics["slot-precision"], 40);
    const partial = await score("--predictions", PRED, "--references", REF, "--stack", "dev");
    assert.equal(partial.code, 2);
    assert.match(partial.err, /missing --job, --artifact, --run-hash, --dataset-path/);
  });

  it("pairs by id when every line has one, in any order", async () => {
    const refs = fs
      .readFileSync(REF, "utf8")
      .trim()
      .split("\n")
      .map((l, i) => JSON.stringify({ id: `q${i}`, ...JSON.parse(l) }));
    const preds = fs
      .readFileSync(PRED, "utf8")
      .trim()
      .split("\n")
      .map((l, i) => JSON.stringify({ id: `q${i}`, ...JSON.parse(l) }));
    const r = await score(
      "--predictions",
      file("p-ids.jsonl", preds.reverse().join("\n")),
      "--references",
      file("r-ids.jsonl", refs.join("\n")),
      "--json",
    );
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as { metrics: Record<string, number> }).metrics["slot-f1"], 44.4444);
    const missing = await score(
      "--predictions",
      file("p-miss.jsonl", preds.slice(1).join("\n")),
      "--references",
      file("r-ids2.jsonl", refs.join("\n")),
    );
    assert.equal(missing.code, 2);
    assert.match(missing.err, /r-ids2\.jsonl:\d+: id "q\d" has no prediction/);
    const dup = await score(
      "--predictions",
      file("p-dup.jsonl", [preds[0], preds[0]].join("\n")),
      "--references",
      file("r-ids3.jsonl", refs.join("\n")),
    );
    assert.match(dup.err, /duplicate id/);
  });

  it("refuses mismatched counts, bad lines and missing files with the file and line, exit 2, no stack trace", async () => {
    const cases: [string[], RegExp][] = [
      [
        [
          "--predictions",
          file("short.jsonl", fs.readFileSync(PRED, "utf8").split("\n").slice(0, 2).join("\n")),
          "--references",
          REF,
        ],
        /has 2 predictions but .* has 4 references/,
      ],
      [
        ["--predictions", file("bad.jsonl", '{"predict":"x"}\n{oops\n'), "--references", REF],
        /bad\.jsonl:2: expected one JSON object per line/,
      ],
      [
        ["--predictions", file("arr.jsonl", "[1]\n"), "--references", REF],
        /arr\.jsonl:1: expected a JSON object/,
      ],
      [
        ["--predictions", file("notext.jsonl", '{"answer":"x"}\n'), "--references", REF],
        /notext\.jsonl:1: expected a string "predict" or "prediction"/,
      ],
      [
        ["--predictions", file("empty.jsonl", "\n\n"), "--references", REF],
        /no predictions \(the file is empty\)/,
      ],
      [
        ["--predictions", path.join(dir, "nope.jsonl"), "--references", REF],
        /cannot read the predictions file/,
      ],
      [["--predictions", PRED], /--predictions and --references are both required/],
      [["--predictions", PRED, "--references", REF, "--bogus"], /--bogus: unknown argument/],
    ];
    for (const [args, expect] of cases) {
      const r = await score(...args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.err, expect);
      assert.doesNotMatch(r.err, /^\s+at /m);
    }
  });
});
