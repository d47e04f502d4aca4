/**
 * Issue 8 tried again from outside: `npm run plan` on hostile input, as a process (exit code, stderr).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { MAX_LISTED_ISSUES } from "../../infra/config/errors";
import { scratchDir } from "../helpers/stack-files";

const ROOT = path.resolve(__dirname, "..", "..");
const scratch = scratchDir();
after(() => scratch.cleanup());

function plan(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "infra/cli/plan.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    // A guard so that a regression fails instead of hanging the suite; not a speed assertion.
    timeout: 120_000,
    env: { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: "", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const STACK_FRAME = /^\s+at .+\(.+:\d+:\d+\)$/m;

describe("plan on hostile input", () => {
  it("a nested flow-map alias bomb: exit 2, the file named, no stack trace", () => {
    let text = 'config: {"alicloud:region": cn-hangzhou, "a0":&a0 {"x":"lol","y":"lol"}';
    for (let i = 1; i <= 9; i++)
      text += `, "a${i}":&a${i} {${Array.from({ length: 9 }, (_, j) => `"k${j}":*a${i - 1}`).join(",")}}`;
    const file = scratch.write("Pulumi.flowbomb.yaml", `${text}}\n`);
    const r = plan("--config", file);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(file), r.stderr);
    assert.doesNotMatch(r.stderr, STACK_FRAME);
  });

  it("the classic billion laughs: exit 2 (not 3), the file named", () => {
    const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i <= 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(",")}]`,
      );
    const file = scratch.write(
      "Pulumi.laughs.yaml",
      `${lines.join("\n")}\nconfig:\n  alicloud:region: cn-hangzhou\n`,
    );
    const r = plan("--config", file);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(file), r.stderr);
  });

  it("a traversal stack name is refused with exit 2 before any file is read", () => {
    const r = plan("--stack", "../../../etc/passwd");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /stack name "\.\.\/\.\.\/\.\.\/etc\/passwd"/);
    assert.doesNotMatch(r.stderr, /root:|Invalid stack config/);
  });

  it("a file with hundreds of problems lists MAX_LISTED_ISSUES of them and says how many more", () => {
    const file = scratch.write(
      "Pulumi.garbage.yaml",
      Array.from({ length: 384 }, (_, i) => `k${i}: a: b`).join("\n"), // 384 syntax errors
    );
    const r = plan("--config", file);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trimEnd().split("\n");
    assert.match(lines[0]!, /\(384 problems\)/);
    assert.equal(lines.length, 1 + MAX_LISTED_ISSUES + 1);
    assert.match(lines.at(-1)!, /and 364 more problems/);
  });

  it("a binary file given as config is a config error (exit 2), not a crash", () => {
    const file = scratch.write("Pulumi.binary.yaml", randomBytes(256 * 1024).toString("latin1"));
    const r = plan("--config", file);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.trimEnd().split("\n").length <= 1 + MAX_LISTED_ISSUES + 1);
    assert.doesNotMatch(r.stderr, STACK_FRAME);
  });
});
