/**
 * Alias bombs and garbage files (issue 8, defects 2 and 9): every road that reads YAML caps alias
 * expansion, the refusal is a ConfigError naming the file, and a file with hundreds of problems
 * lists a readable number of them.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ConfigError, MAX_LISTED_ISSUES } from "../../infra/config/errors";
import { readStackFile } from "../../infra/config/load";
import {
  AliasExpansionError,
  assertBoundedExpansion,
  loadDataYaml,
  loadPlainYaml,
} from "../../infra/config/plain-yaml";
import { scratchDir } from "../helpers/stack-files";

const scratch = scratchDir();
after(() => scratch.cleanup());

/** ~1 KB: nine levels of flow maps, each key's value an alias to the level below (`"k":*a`). */
function nestedFlowMapBomb(): string {
  let s = 'config: {"alicloud:region": cn-hangzhou, "a0":&a0 {"x":"lol","y":"lol","z":"lol"}';
  for (let i = 1; i <= 9; i++) {
    const keys = Array.from({ length: 9 }, (_, j) => `"k${j}":*a${i - 1}`).join(",");
    s += `, "a${i}":&a${i} {${keys}}`;
  }
  return `${s}}\n`;
}

/** The classic billion laughs, in block style. */
function classicBomb(): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= 9; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(",")}]`,
    );
  return `${lines.join("\n")}\nconfig:\n  alicloud:region: cn-hangzhou\n`;
}

describe("YAML alias bombs", () => {
  it("the fast road hands anchors and aliases written right after a flow-map key to the capped reader", () => {
    for (const text of ['{"a":&x {"n":1}, "b":*x}\n', 'k: {"a":&x 1,"b":*x}\n', "k: [&x 1, *x]\n"]) {
      assert.equal(loadPlainYaml(text), undefined, JSON.stringify(text));
    }
    // A '&' inside a word is no anchor: the shipped dev stack's "Q&A" comment stays on the fast road.
    assert.deepEqual(loadPlainYaml("k: Q&A # and R&D\n")?.value, { k: "Q&A" });
  });

  for (const [name, text] of [
    ["a nested flow-map bomb", nestedFlowMapBomb()],
    ["the classic billion laughs", classicBomb()],
  ] as const) {
    it(`${name} is refused as a config error naming the file`, () => {
      assert.ok(text.length < 1500, "the bomb is small");
      const file = scratch.write(`Pulumi.bomb-${name.length}.yaml`, text);
      assert.throws(
        () => readStackFile(file),
        (err: unknown) =>
          err instanceof ConfigError && err.message.includes(file) && /alias/i.test(err.message),
      );
    });
  }

  it("the catalog's reader (js-yaml with merge keys) caps expansion too", () => {
    assert.throws(() => loadDataYaml(classicBomb()), AliasExpansionError);
    assert.throws(() => loadDataYaml(nestedFlowMapBomb()), AliasExpansionError);
  });

  it("counts a shared node once per use, and refuses a cycle", () => {
    const leaf = { a: 1, b: 2 }; // 3 values
    assert.doesNotThrow(() => assertBoundedExpansion([leaf, leaf], 7)); // 1 + 2 × 3
    assert.throws(() => assertBoundedExpansion([leaf, leaf], 6), AliasExpansionError);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    assert.throws(() => assertBoundedExpansion(cyclic), AliasExpansionError);
  });
});

describe("a garbage file", () => {
  it("lists at most MAX_LISTED_ISSUES problems and says how many more there are", () => {
    const issues = Array.from({ length: 384 }, (_, i) => ({
      path: [],
      message: `problem ${i}`,
      line: i + 1,
    }));
    const message = new ConfigError("garbage.bin", issues).message;
    const lines = message.split("\n");
    assert.equal(lines.length, 1 + MAX_LISTED_ISSUES + 1);
    assert.match(lines[0]!, /garbage\.bin \(384 problems\)/);
    assert.match(lines.at(-1)!, /and 364 more problems/);
  });
});
