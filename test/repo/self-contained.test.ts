// The repository stands on its own: no tracked file cites a document users cannot open (the
// private reference notes behind docs/sources.md) or a path on the machine it was written on.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const ROOT = join(__dirname, "..", "..");
// Built from parts so this file does not match itself.
const NOTES = ["pai-openapi", "finetune-memory", "alicloud-gpu-instances", "gpu-prices", "peers"].map(
  (n) => `${n}.md`,
);
const FORBIDDEN: [string, RegExp][] = [
  ...NOTES.map((name): [string, RegExp] => [name, new RegExp(`(^|[^\\w-])${name.replace(/[.-]/g, "\\$&")}`)]),
  ["the shared folder", new RegExp(`\\.\\./${"shared"}\\b`)],
  ["a machine path under /w*rk", new RegExp(`(^|[\\s"'\`(])/${"work"}/`)],
  ["a /home/ or /Users/ machine path", /(^|[\s"'`(])\/(home|Users)\/[A-Za-z]/],
];

function trackedFiles(): string[] {
  return execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    .filter((f) => f && !f.includes("node_modules/") && existsSync(join(ROOT, f)));
}

test("no tracked file cites the private reference notes or a machine path", () => {
  const hits: string[] = [];
  for (const file of trackedFiles()) {
    const text = readFileSync(join(ROOT, file), "utf8");
    if (text.includes("\0")) continue; // binary
    text.split("\n").forEach((line, i) => {
      for (const [what, re] of FORBIDDEN) if (re.test(line)) hits.push(`${file}:${i + 1}: ${what}`);
    });
  }
  assert.deepEqual(hits, []);
});

test("every docs/sources.md#<id> cited in the tree has its anchor", () => {
  const sources = readFileSync(join(ROOT, "docs", "sources.md"), "utf8");
  const missing = new Set<string>();
  for (const file of trackedFiles()) {
    const text = readFileSync(join(ROOT, file), "utf8");
    for (const m of text.matchAll(/docs\/sources\.md#([a-z]+(?:-[0-9]+(?:\.[0-9]+)*)?)/g))
      if (!sources.includes(`id="${m[1]}"`)) missing.add(`${file}: #${m[1]}`);
  }
  assert.deepEqual([...missing], []);
});

test("the detector catches what it must", () => {
  const line = (s: string) => FORBIDDEN.some(([, re]) => re.test(s));
  assert.ok(line(`see ${NOTES[0]} \u00a71.3`));
  assert.ok(line(`(${NOTES[1]})`));
  assert.ok(line(`cat /${"work"}/shared/x`));
  assert.ok(line(`see ../${"shared"}/reference`));
  assert.ok(!line("docs/sources.md#pai-1.3"));
});
