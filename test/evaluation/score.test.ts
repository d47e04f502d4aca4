import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCall, rougeL, score, sentenceBleu4, tokenize } from "../../infra/evaluation/score";

const close = (a: number, b: number, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) < eps, `expected ${b}, got ${a}`);

test("BLEU-4 (nltk sentence_bleu over characters, method3) matches hand-computed values", () => {
  close(sentenceBleu4("abcd", "abcd"), 1);
  // p1..p3 = 1; no 4-gram in a 3-character hypothesis → 1/(2¹×1); brevity e^(1−4/3).
  close(sentenceBleu4("abc", "abcd"), Math.exp(1 - 4 / 3) * 0.5 ** 0.25);
  // p1 = 3/4, p2 = 1/3, p3 = 0/2 → 1/(2×2), p4 = 0/1 → 1/(4×1): (1/64)^¼ = 2^−1.5.
  close(sentenceBleu4("abxd", "abcd"), 2 ** -1.5);
  // No unigram in common: 0 (nltk returns 0 before smoothing).
  assert.equal(sentenceBleu4("xyz", "abc"), 0);
  assert.equal(sentenceBleu4("", "abc"), 0);
  // Characters are code points (one CJK character is one unigram); a 2-character match has no
  // 3- or 4-grams, which method3 smooths to 1/2 and 1/4, as nltk does: (1·1·½·¼)^¼.
  close(sentenceBleu4("关机", "关机"), 0.125 ** 0.25);
});

test("ROUGE-L F uses pltrdy/rouge-chinese's β = P/R weighting", () => {
  // hyp a b c d, ref a c e: LCS 2, R = 2/3, P = 1/2, β = 0.75 → F = 1.5625·(1/3) / (2/3 + 0.28125).
  close(rougeL("a b c d", "a c e"), (1.5625 * (1 / 3)) / (2 / 3 + 0.28125), 1e-9);
  close(rougeL("same words", "same words"), 1, 1e-9);
  assert.equal(rougeL("", "a"), 0);
  assert.equal(rougeL("   ", "a"), 0);
});

test("tokenize follows jieba outside its dictionary: ASCII alnum runs, single other characters, no spaces", () => {
  assert.deepEqual(tokenize('{"function":"set_volume"}'), [
    "{",
    '"',
    "function",
    '"',
    ":",
    '"',
    "set",
    "_",
    "volume",
    '"',
    "}",
  ]);
  assert.deepEqual(tokenize("HDMI 2 打开"), ["HDMI", "2", "打", "开"]);
  assert.deepEqual(tokenize("+5\u3000x"), ["+", "5", "x"]);
});

test("parseCall accepts exactly {function, slots of scalars}", () => {
  assert.deepEqual(parseCall(' {"function":"mute","slots":{"muted":true}}\n'), {
    function: "mute",
    slots: { muted: true },
  });
  assert.deepEqual(parseCall('{"function":"power_off"}'), { function: "power_off", slots: {} });
  for (const bad of [
    "mute",
    "[]",
    "null",
    '{"function":""}',
    '{"function":1}',
    '{"function":"a","slots":[]}',
    '{"function":"a","slots":{"x":{"y":1}}}',
    '{"function":"a","slots":{},"extra":1}',
    '```json\n{"function":"a"}\n```',
  ])
    assert.equal(parseCall(bad), undefined, bad);
});

test("task metrics: JSON validity, function accuracy and micro slot P/R/F1 by hand", () => {
  const ref = (f: string, slots: object) => JSON.stringify({ function: f, slots });
  const r = score([
    // valid, right function, 1 of 1 slot right
    { prediction: ref("set_volume", { level: 20 }), reference: ref("set_volume", { level: 20 }) },
    // valid, right function, 3 slots claimed, 1 right, 2 gold
    {
      prediction: ref("switch_input", { source: "HDMI 2", app: "YouTube", x: true }),
      reference: ref("switch_input", { source: "HDMI 2", app: "Netflix" }),
    },
    // not JSON: invalid, no slots claimed, 0 gold
    { prediction: "好的，电视将关机。", reference: ref("power_off", {}) },
    // valid, wrong function, "true" is not true: 1 claimed, 0 right, 1 gold
    { prediction: ref("unmute", { muted: "true" }), reference: ref("mute", { muted: true }) },
  ]);
  assert.equal(r.examples, 4);
  assert.equal(r.metrics["json-valid"], 75);
  assert.equal(r.metrics["function-accuracy"], 50);
  // tp 2, claimed 5, gold 4
  assert.equal(r.metrics["slot-precision"], 40);
  assert.equal(r.metrics["slot-recall"], 50);
  assert.equal(r.metrics["slot-f1"], Math.round(((2 * 0.4 * 0.5) / 0.9) * 1e6) / 1e4);
  assert.deepEqual(r.notes, []);
});

test("numbers are slot values by value (20 = 20.0), strings and booleans by type", () => {
  const r = score([
    { prediction: '{"function":"v","slots":{"l":20.0}}', reference: '{"function":"v","slots":{"l":20}}' },
  ]);
  assert.equal(r.metrics["slot-f1"], 100);
});

test("references that are not calls leave the task metrics out, with a note", () => {
  const r = score([{ prediction: "hello there", reference: "hello world" }]);
  assert.ok(r.metrics["bleu-4"]! > 0);
  assert.equal(r.metrics["slot-f1"], undefined);
  assert.match(r.notes[0]!, /reference 1 is not a/);
  assert.throws(() => score([]), /nothing to score/);
});
