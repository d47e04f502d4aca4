// The evaluation job scores with infra/evaluation/score.py (its image has Python, not Node); this
// test runs it and the TypeScript definition on the same inputs and requires the same numbers.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { pairUp } from "../../infra/evaluation/read";
import { score } from "../../infra/evaluation/score";

const PY = path.join(__dirname, "../../infra/evaluation/score.py");
const FIX = path.join(__dirname, "fixtures");
const python = spawnSync("python3", ["--version"]).status === 0;

function runPython(preds: string, refs: string): { metrics: Record<string, number>; examples: number } {
  const r = spawnSync("python3", [PY, "--predictions", preds, "--references", refs], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { metrics: Record<string, number>; examples: number };
}

test(
  "score.py computes exactly what score.ts computes (fixtures)",
  { skip: !python && "python3 not installed" },
  () => {
    const preds = path.join(FIX, "predictions.jsonl");
    const refs = path.join(FIX, "references.jsonl");
    const ts = score(pairUp(preds, refs));
    const py = runPython(preds, refs);
    assert.equal(py.examples, ts.examples);
    assert.deepEqual(py.metrics, ts.metrics);
  },
);

test(
  "score.py agrees with score.ts on hostile text: unicode spaces, CJK, emoji, numbers, bad JSON",
  { skip: !python && "python3 not installed" },
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), "parity-"));
    const cases: [string, string][] = [
      ['{"function":"set_volume","slots":{"level":20.0}}', '{"function":"set_volume","slots":{"level":20}}'],
      ["音量\u3000调到 20\u00a0\u2003好", "把音量调到20"],
      ["🎬 play 🎬 movie", "play movie 🎬"],
      ['{"function":"a","slots":{"x":NaN}}', '{"function":"a","slots":{"x":1}}'],
      ['{"function":"a","slots":{"x":1e400}}', '{"function":"a","slots":{"x":true}}'],
      ['{"function":"a","function":"b","slots":{}}', '{"function":"b","slots":{}}'],
      ["\u001c\u001fx\u0085y", "x y"],
      ["", '{"function":"c"}'],
      ["a".repeat(300), "a".repeat(200) + "b"],
    ];
    const preds = path.join(dir, "p.jsonl");
    const refs = path.join(dir, "r.jsonl");
    writeFileSync(preds, cases.map(([p]) => JSON.stringify({ predict: p })).join("\n") + "\n");
    writeFileSync(refs, cases.map(([, r]) => JSON.stringify({ label: r })).join("\n") + "\n");
    const ts = score(pairUp(preds, refs));
    assert.deepEqual(runPython(preds, refs).metrics, ts.metrics);
  },
);
