/**
 * The committed TV-assistant dataset is exactly what its generator writes, holds the contract's
 * format (COMMON contract: system/user/assistant messages; the answer is compact JSON with a string
 * `function` and scalar `slots`), keeps evaluation apart from training, and validates clean.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { loadCatalog } from "../../infra/catalog";
import { validateDataset } from "../../infra/data/validate";
import { llamaFactoryTemplate } from "../../infra/resolve/command";
import { EVAL_EXAMPLES, TRAIN_EXAMPLES, generate } from "../../stacks/datasets/tv-assistant/generate";

const DIR = path.resolve(__dirname, "..", "..", "stacks", "datasets", "tv-assistant");
const read = (name: string) => fs.readFileSync(path.join(DIR, name), "utf8");

interface Line {
  messages: { role: string; content: string }[];
}

describe("TV-assistant dataset", () => {
  it("the committed files are byte for byte what the generator writes", () => {
    const { train, eval: held } = generate();
    assert.equal(read("train.jsonl"), train);
    assert.equal(read("eval.jsonl"), held);
  });

  it("≥ 2,000 training and 200 evaluation examples in the contract's format, no request in both", () => {
    const parse = (name: string) =>
      read(name)
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as Line);
    const train = parse("train.jsonl");
    const held = parse("eval.jsonl");
    assert.ok(train.length >= 2000 && train.length === TRAIN_EXAMPLES);
    assert.equal(held.length, EVAL_EXAMPLES);
    const functions = new Set<string>();
    for (const ex of [...train, ...held]) {
      assert.deepEqual(
        ex.messages.map((m) => m.role),
        ["system", "user", "assistant"],
      );
      const answer = ex.messages[2]!.content;
      const parsed = JSON.parse(answer) as { function: unknown; slots: Record<string, unknown> };
      assert.equal(JSON.stringify(parsed), answer, "compact JSON");
      assert.deepEqual(Object.keys(parsed), ["function", "slots"]);
      assert.equal(typeof parsed.function, "string");
      for (const v of Object.values(parsed.slots))
        assert.ok(["string", "number", "boolean"].includes(typeof v));
      functions.add(parsed.function as string);
    }
    assert.ok(functions.size >= 12, [...functions].join(", "));
    const trainUsers = new Set(train.map((e) => e.messages[1]!.content));
    assert.equal(trainUsers.size, train.length);
    assert.deepEqual(
      held.filter((e) => trainUsers.has(e.messages[1]!.content)),
      [],
    );
  });

  it("validates clean for the dev stack's model", () => {
    const model = loadCatalog().models.get("qwen1.5-7b-chat")!;
    for (const name of ["train.jsonl", "eval.jsonl"]) {
      const r = validateDataset(path.join(DIR, name), {
        model,
        template: llamaFactoryTemplate(model),
        seqLen: 1024,
      });
      assert.deepEqual(r.problems, [], name);
      assert.equal(r.examples, name === "train.jsonl" ? TRAIN_EXAMPLES : EVAL_EXAMPLES);
    }
  });
});
