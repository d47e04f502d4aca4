import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
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

const base = ["--model", "qwen2.5-7b-instruct", "--method", "lora", "--seq-len", "2048", "--batch-size", "1"];

test("--json prints one object with perGpuGiB, breakdown and fits (cheapest first)", () => {
  const r = run([...base, "--json"]);
  assert.equal(r.code, 0);
  const j = JSON.parse(r.out.join("\n")) as {
    perGpuGiB: number;
    breakdown: { bytes: number }[];
    fits: { hourlyCost?: number }[];
  };
  assert.ok(j.perGpuGiB > 15 && j.perGpuGiB < 30);
  const sum = j.breakdown.reduce((a, i) => a + i.bytes, 0) / 2 ** 30;
  assert.ok(Math.abs(sum - j.perGpuGiB) < 0.01);
  const costs = j.fits.map((f) => f.hourlyCost).filter((c): c is number => c !== undefined);
  assert.deepEqual(
    costs,
    [...costs].sort((a, b) => a - b),
  );
});

test("bad input: one line naming the flag and what was expected, exit 2", () => {
  const cases: [string[], RegExp][] = [
    [
      ["--model", "qwen2.5-7b-instruct", "--method", "lora", "--seq-len", "abc", "--batch-size", "1"],
      /--seq-len: expected a positive integer, got "abc"/,
    ],
    [[...base, "--zero", "4"], /--zero: expected one of 0 \| 1 \| 2 \| 3/],
    [[...base, "--lora-targets", "q,x"], /--lora-targets: expected/],
    [[...base, "--precision", "bf17"], /--precision: expected one of/],
    [
      ["--model", "qwen2.5-7b-instrct", "--method", "lora", "--seq-len", "8", "--batch-size", "1"],
      /--model: unknown model .*did you mean/,
    ],
    [[...base, "--frobnicate"], /--frobnicate: unknown argument/],
    [
      ["--model", "qwen2.5-7b-instruct", "--seq-len", "8", "--batch-size", "1"],
      /--method: expected full \| freeze \| lora \| qlora/,
    ],
    [[...base, "--quant", "nf4"], /--quant: only applies to --method qlora/],
  ];
  for (const [argv, re] of cases) {
    const r = run(argv);
    assert.equal(r.code, 2, argv.join(" "));
    assert.equal(r.err.length, 1);
    assert.match(r.err[0] ?? "", re);
  }
});

test("--arch-file with a Hugging Face config.json gives the same estimate as the catalog entry", () => {
  const dir = mkdtempSync(join(tmpdir(), "size-"));
  const file = join(dir, "config.json");
  writeFileSync(
    file,
    JSON.stringify({
      model_type: "qwen2",
      hidden_size: 3584,
      num_hidden_layers: 28,
      num_attention_heads: 28,
      num_key_value_heads: 4,
      intermediate_size: 18944,
      vocab_size: 152064,
      tie_word_embeddings: false,
    }),
  );
  const a = JSON.parse(run([...base, "--json"]).out.join("")) as { perGpuGiB: number };
  const b = JSON.parse(run(["--arch-file", file, ...base.slice(2), "--json"]).out.join("")) as {
    perGpuGiB: number;
  };
  assert.equal(a.perGpuGiB, b.perGpuGiB);
});

test("inference mode sizes a service", () => {
  const r = run([
    "--model",
    "qwen2.5-7b-instruct",
    "--mode",
    "inference",
    "--context",
    "8192",
    "--concurrency",
    "8",
    "--quant",
    "int4",
    "--json",
  ]);
  assert.equal(r.code, 0);
  const j = JSON.parse(r.out.join("")) as { perGpuGiB: number; breakdown: { name: string }[] };
  assert.ok(j.breakdown.some((i) => i.name === "KV cache"));
  assert.ok(j.perGpuGiB > 5 && j.perGpuGiB < 15);
});

test("the real process exits 2 with no stack trace", () => {
  const r = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "infra/cli/size.ts",
      "--model",
      "nope",
      "--method",
      "lora",
      "--seq-len",
      "1",
      "--batch-size",
      "1",
    ],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  assert.doesNotMatch(r.stderr, /\bat \w/);
});

test("memory-saver switches: same --json shape, each saver's own breakdown line, bad values refused", () => {
  const keys = (argv: string[]) => {
    const r = run([...argv, "--json"]);
    assert.equal(r.code, 0, argv.join(" "));
    return JSON.parse(r.out.join("\n")) as { perGpuGiB: number; breakdown: { name: string }[] };
  };
  const plain = keys(base);
  const shape = Object.keys(plain).sort();
  const liger = keys([...base, "--liger", "on"]);
  assert.deepEqual(Object.keys(liger).sort(), shape);
  assert.ok(liger.breakdown.some((i) => i.name === "fused linear cross-entropy (Liger)"));
  assert.ok(liger.perGpuGiB < plain.perGpuGiB);
  const off = keys([...base, "--activation-offloading", "on"]);
  assert.ok(off.breakdown.some((i) => i.name === "offloaded activations in flight"));
  const paged = keys([
    "--model",
    "qwen2.5-7b-instruct",
    "--method",
    "full",
    "--seq-len",
    "1024",
    "--batch-size",
    "1",
    "--optimizer",
    "paged-adamw-8bit",
  ]);
  assert.ok(paged.breakdown.some((i) => i.name === "paged optimizer states (resident)"));
  const full3 = [
    "--model",
    "qwen-7b-chat",
    "--method",
    "full",
    "--seq-len",
    "512",
    "--batch-size",
    "1",
    "--gpus",
    "2",
    "--zero",
    "3",
  ];
  assert.ok(keys([...full3, "--zero-sub-group", "1e8"]).perGpuGiB < keys(full3).perGpuGiB);
  const cases: [string[], RegExp][] = [
    [[...base, "--liger", "yes"], /--liger: expected one of on \| off, got "yes"/],
    [[...base, "--activation-offloading", "1"], /--activation-offloading: expected one of on \| off/],
    [
      [...base, "--optimizer", "paged-lion"],
      /--optimizer: expected one of adamw \| adamw-8bit \| paged-adamw-8bit \| sgd/,
    ],
    [[...base, "--zero-sub-group", "1e8"], /--zero-sub-group: applies to --zero 3 only/],
    [[...full3, "--zero-sub-group=-5"], /--zero-sub-group: expected a positive element count/],
    [[...full3, "--zero-sub-group", "0"], /--zero-sub-group: expected a positive element count/],
    [[...full3, "--zero-sub-group", "1e99"], /--zero-sub-group: expected a positive element count/],
  ];
  for (const [argv, re] of cases) {
    const r = run(argv);
    assert.equal(r.code, 2, argv.join(" "));
    assert.equal(r.err.length, 1);
    assert.match(r.err[0] ?? "", re);
  }
});
