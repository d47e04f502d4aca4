// Issue 8, defect 4: the size CLI refuses impossible numbers, non-object architecture files and
// lengths beyond the model's context (the plan's rule), each in one line with exit 2.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadCatalog, contextLengthProblem } from "../../infra/catalog";
import { main } from "../../infra/cli/size";

function run(argv: string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(
    argv,
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { code, out, err };
}

function refused(argv: string[], re: RegExp): void {
  const r = run(argv);
  assert.equal(r.code, 2, `${argv.join(" ")} → exit ${r.code}: ${r.out.slice(0, 1).join("")}`);
  assert.deepEqual(r.out, []);
  assert.equal(r.err.length, 1);
  assert.doesNotMatch(r.err[0]!, /\n|\bat \w+ \(/, "one line, no stack trace");
  assert.match(r.err[0]!, re);
}

const training = (model: string, seqLen: string) => [
  "--model",
  model,
  "--method",
  "lora",
  "--seq-len",
  seqLen,
  "--batch-size",
  "1",
];

test("integers that are not exact safe integers are refused, not rounded", () => {
  for (const bad of ["99999999999999999999999", "9007199254740993", "1e3", "0x10", "2.0", "+5", "0", " "])
    refused(training("qwen2.5-7b-instruct", bad), /^size: --seq-len: expected a positive integer/);
  refused(training("qwen2.5-7b-instruct", "-1"), /^size: --seq-len: expected a value/);
  refused(
    [...training("qwen2.5-7b-instruct", "2048"), "--gpus", "99999999999999999999"],
    /--gpus: expected a positive integer/,
  );
});

test("a length past the model's context is refused with the plan's message", () => {
  const model = loadCatalog().model("llama-3-8b-instruct");
  assert.equal(model.maxPositionEmbeddings, 8192);
  const expected = contextLengthProblem(model, 100_000);
  assert.ok(expected);
  refused(
    training(model.id, "100000"),
    new RegExp(`^size: --seq-len: ${expected.replace(/[()]/g, "\\$&")}$`),
  );
  refused(
    ["--model", model.id, "--mode", "inference", "--context", "8193"],
    /^size: --context: expected at most 8192 \(the context length of llama-3-8b-instruct\), got 8193$/,
  );
  // At the context length itself the estimate runs.
  assert.equal(run(training(model.id, "8192")).code, 0);
});

test("--arch-file holding null, a non-object or garbage is refused in one line", () => {
  const dir = mkdtempSync(join(tmpdir(), "size-arch-"));
  const cases: [string, string | Buffer, RegExp][] = [
    ["null.json", "null", /expected a JSON object \(a Hugging Face config\.json\), got null/],
    ["array.json", "[1,2]", /expected a JSON object.*got an array/],
    ["number.json", "42", /expected a JSON object.*got number/],
    ["string.json", '"config"', /expected a JSON object.*got string/],
    ["garbage.json", Buffer.from([0xff, 0x00, 0x7b, 0x0a, 0x22, 0x1b]), /not valid JSON/],
    ["empty.json", "", /not valid JSON/],
    [
      "infinite.json",
      '{"hidden_size": 1e400, "num_attention_heads": 32, "intermediate_size": 11008, "num_hidden_layers": 32, "vocab_size": 32000}',
      /hiddenSize/,
    ],
  ];
  for (const [name, content, re] of cases) {
    const file = join(dir, name);
    writeFileSync(file, content);
    refused(["--arch-file", file, "--method", "lora", "--seq-len", "8", "--batch-size", "1"], re);
  }
  refused(["--arch-file", dir, "--method", "lora", "--seq-len", "8", "--batch-size", "1"], /EISDIR/);
});

test("usage mistakes are one line: unknown option, missing value, value on a switch, positional", () => {
  const base = training("qwen2.5-7b-instruct", "2048");
  refused([...base, "--frobnicate"], /^size: --frobnicate: unknown argument/);
  refused(["--model", "qwen2.5-7b-instruct", "--method", "lora", "--seq-len"], /--seq-len: expected a value/);
  refused([...base, "--json=yes"], /--json: takes no value/);
  refused([...base, "extra"], /unexpected argument extra/);
  refused([...base, "--headroom", ""], /--headroom: expected a number in \[0, 1\)/);
});
