import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { isDeepStrictEqual } from "node:util";
import { parse, parseDocument } from "yaml";
import { loadDataYaml, loadPlainYaml } from "../../infra/config/plain-yaml";
import { readStackFile } from "../../infra/config/load";
import { ConfigError } from "../../infra/config/errors";

const STACKS = path.resolve(__dirname, "..", "..", "stacks");

/** What the authoritative `yaml` road gives. */
function viaYaml(text: string): unknown {
  return parse(text, { uniqueKeys: true }) as unknown;
}

describe("plain YAML fast road", () => {
  it("reads every shipped stack file, and reads it exactly as the yaml package does", () => {
    const files = fs.readdirSync(STACKS).filter((f) => f.endsWith(".yaml"));
    assert.ok(files.length >= 3);
    for (const f of files) {
      const text = fs.readFileSync(path.join(STACKS, f), "utf8");
      const fast = loadPlainYaml(text);
      assert.ok(fast, `${f} should take the fast road (no tags, anchors or directives)`);
      assert.deepStrictEqual(fast.value, viaYaml(text), f);
    }
  });

  it("resolves YAML 1.2 core scalars exactly as the yaml package does", () => {
    const scalars: string[] = [];
    for (const sign of ["", "+", "-"]) {
      for (const body of [
        "0",
        "1",
        "017",
        "0o17",
        "0O17",
        "0x1F",
        "0X1f",
        "0b101",
        "1_000",
        "0.5",
        ".5",
        "5.",
        "1e3",
        "1E3",
        "1e+3",
        "1.5e-3",
        ".inf",
        ".Inf",
        ".INF",
        "inf",
        ".nan",
        ".NaN",
        "NaN",
        "08",
        "09.5",
        "0x",
        "0o",
        "1,000",
        "12:30",
        "2026-11-28",
        "1.2.3",
      ]) {
        scalars.push(sign + body);
      }
    }
    scalars.push(
      "true",
      "True",
      "TRUE",
      "tRUE",
      "false",
      "yes",
      "no",
      "on",
      "off",
      "y",
      "n",
      "~",
      "null",
      "Null",
      "NULL",
      "nULL",
      "",
      "'017'",
      '"\\t1"',
      "|\n  a\n  b",
      ">-\n  a\n  b",
      "[1, 0x10, .5]",
      "{a: 1, b: [x, -0]}",
    );
    for (const v of scalars) {
      const text = `k: ${v}\n`;
      const fast = loadPlainYaml(text);
      assert.ok(fast, `k: ${v} should take the fast road`);
      const got = (fast.value as { k: unknown }).k;
      const want = (viaYaml(text) as { k: unknown }).k;
      if (typeof want === "number" && typeof got === "number") {
        assert.ok(
          Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)),
          `${v}: ${got} vs ${want}`,
        );
      } else {
        assert.deepStrictEqual(got, want, `k: ${v}`);
      }
    }
  });

  it("never accepts what the yaml package refuses, nor reads anything differently (seeded mutations of the stacks)", () => {
    let seed = 20261128;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const bases = ["dev", "staging", "prod"].map((s) =>
      fs.readFileSync(path.join(STACKS, `Pulumi.${s}.yaml`), "utf8"),
    );
    const inserts = [
      ":",
      "-",
      " ",
      "\t",
      '"',
      "'",
      "\n",
      "#",
      "[",
      "]",
      "{",
      "}",
      ",",
      "|",
      ">",
      "x",
      "1",
      ": ",
      "- ",
      "\n  ",
      "\\",
      "@",
      "`",
    ];
    const seen = { fast: 0, refused: 0 };
    for (let i = 0; i < 600; i++) {
      let text = bases[Math.floor(rnd() * bases.length)]!;
      for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) {
        const at = Math.floor(rnd() * text.length);
        text =
          rnd() < 0.4
            ? text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 3))
            : text.slice(0, at) + inserts[Math.floor(rnd() * inserts.length)]! + text.slice(at);
      }
      const doc = parseDocument(text, { uniqueKeys: true });
      const fast = loadPlainYaml(text);
      if (doc.errors.length > 0) {
        assert.equal(fast, undefined, `js-yaml accepted what yaml refuses: ${doc.errors[0]!.message}`);
        seen.refused++;
      } else if (fast) {
        assert.ok(isDeepStrictEqual(fast.value, doc.toJS()), "both accept but read differently");
        seen.fast++;
      }
    }
    // Both branches were exercised, or the test proves nothing.
    assert.ok(seen.fast > 100 && seen.refused > 100, JSON.stringify(seen));
  });

  it("leaves quoted scalars and flow collections that run past their line to the yaml package", () => {
    // js-yaml takes these continuations at any indentation; yaml refuses the under-indented ones.
    const refusedByYaml = [
      'config:\n  a: "one\ntwo"\n',
      "config:\n  a: 'it''s\nb'\n",
      "config:\n  a: [1,\n2]\n",
      "config:\n  a: {x: 1,\n y: 2}\n",
      'config:\n  a: {"k":[1,\n2]}\n',
    ];
    for (const text of refusedByYaml) {
      assert.ok(parseDocument(text, { uniqueKeys: true }).errors.length > 0, text);
      assert.equal(loadPlainYaml(text), undefined, text);
    }
    // One-line ones stay on the fast road, including quotes and brackets inside quotes, `it's`
    // in plain text and a `#` that is not a comment.
    const oneLine =
      'config:\n  a: "x [y"\n  b: [a, "b, c", \'d]\']\n  c: it\'s fine\n  d: {k: 1}  # note [\n  e: a#b\n';
    const fast = loadPlainYaml(oneLine);
    assert.ok(fast, "one-line quotes and flows take the fast road");
    assert.deepEqual(fast.value, parseDocument(oneLine).toJS());
  });

  it("leaves tags, anchors, aliases, directives, complex keys and errors to the yaml package", () => {
    for (const text of [
      "k: !!str 12\n",
      "a: &x {n: 1}\nb: *x\n",
      "%YAML 1.2\n---\nk: 1\n",
      "? [a, b]\n: 1\n",
      "k: 1\nk: 2\n", // duplicate key
      "k: [1, 2\n", // syntax error
      "a: 1\n---\nb: 2\n", // two documents
    ]) {
      assert.equal(loadPlainYaml(text), undefined, JSON.stringify(text));
    }
  });

  it("a stack file with a duplicate key still fails with its line, through the yaml road", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plain-yaml-"));
    const file = path.join(dir, "Pulumi.dup.yaml");
    fs.writeFileSync(file, "config:\n  pai-finetune:environment: dev\n  pai-finetune:environment: prod\n");
    try {
      assert.throws(
        () => readStackFile(file),
        (err: unknown) =>
          err instanceof ConfigError &&
          /line 3|:3/.test(err.message) &&
          /unique|duplicate/i.test(err.message),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("anchors still work in a stack file (through the yaml road)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plain-yaml-"));
    const file = path.join(dir, "Pulumi.anchor.yaml");
    fs.writeFileSync(file, "config:\n  a: &d {x: 1}\n  b: *d\n");
    try {
      assert.deepStrictEqual(readStackFile(file).values, { a: { x: 1 }, b: { x: 1 } });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("data YAML (the catalog's reader)", () => {
  it("reads the catalog files exactly as the yaml package does with merge keys", () => {
    const dir = path.resolve(__dirname, "..", "..", "infra", "catalog");
    for (const f of ["models.yaml", "instances.yaml"]) {
      const text = fs.readFileSync(path.join(dir, f), "utf8");
      assert.deepStrictEqual(loadDataYaml(text), parse(text, { merge: true }), f);
    }
  });

  it("merges a shared mapping and lets the entry override a key", () => {
    const text = "base: &b {h: 1, l: 2}\nm:\n  <<: *b\n  l: 3\n";
    assert.deepStrictEqual(loadDataYaml(text), { base: { h: 1, l: 2 }, m: { h: 1, l: 3 } });
  });
});
