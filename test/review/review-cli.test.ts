/**
 * `npm run review` as a user runs it: a real process, its exit code, stdout, stderr and --out file;
 * `--base <rev>` against a scratch git repository (so the test does not depend on this repository's
 * history), `--base-config`, and every usage and config error.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { checkoutAtRevision } from "../../infra/review/base";
import { readStackYaml, scratchDir } from "../helpers/stack-files";
import { devChanged, devOutOfMemory } from "./fixtures";
import { stringify } from "yaml";

const ROOT = path.resolve(__dirname, "..", "..");
const scratch = scratchDir();
after(() => scratch.cleanup());

function review(args: string[]) {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "infra/cli/review.ts"), ...args],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: "", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "" },
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;
const baseCopies = () =>
  fs
    .readdirSync(os.tmpdir())
    .filter((n) => n.startsWith("pai-review-base-"))
    .sort();

/** A scratch git repository holding a dev stack file at two commits. */
function gitRepo() {
  const dir = path.join(scratch.dir, "repo");
  fs.mkdirSync(path.join(dir, "stacks"), { recursive: true });
  const git = (...args: string[]) =>
    execFileSync(
      "git",
      ["-c", "user.name=t", "-c", "user.email=t@e", "-c", "commit.gpgsign=false", ...args],
      {
        cwd: dir,
        stdio: "pipe",
      },
    );
  git("init", "-q");
  const file = path.join(dir, "stacks", "Pulumi.dev.yaml");
  fs.writeFileSync(file, stringify(readStackYaml("dev")));
  // The dev stack trains on a file beside it: the base is planned with the revision's own copy.
  const data = path.join("stacks", "datasets", "tv-assistant", "train.jsonl");
  fs.mkdirSync(path.dirname(path.join(dir, data)), { recursive: true });
  fs.copyFileSync(path.join(__dirname, "..", "..", data), path.join(dir, data));
  fs.copyFileSync(path.join(__dirname, "..", "..", "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  git("add", "-A");
  git("commit", "-qm", "base");
  fs.writeFileSync(file, devChanged());
  git("commit", "-qam", "head");
  return { dir, file, git };
}

describe("npm run review", () => {
  it("Markdown of the dev stack on stdout: summary table first, details folded, exit 0", () => {
    const r = review(["--stack", "dev"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const lines = r.stdout.split("\n");
    assert.match(lines[0]!, /^## ✅ pai-finetune review of stack <code>dev<\/code>$/);
    const summary = lines.findIndex((l) => l.startsWith("| Monthly total |"));
    const firstDetails = lines.indexOf("<details>");
    assert.ok(summary > 0 && summary < firstDetails, "summary table before the folded details");
    assert.match(
      r.stdout,
      /\| job \| tvfunc-qlora \| qlora \| qwen1\.5-7b-chat \| pay-as-you-go ecs\.gn7i-c8g1\.2xlarge/,
    );
    assert.match(r.stdout, /<code>█+░*<\/code> 18\.69 \/ 21\.6 GiB \(87 %\)/);
    assert.match(r.stdout, /8\.5794 CNY\/h \| official-list \| cn-wulanchabu \| 2024-12-30/);
  });

  it("--base <rev> diffs against the same file at that revision, with a clean temp copy; errors are clear", () => {
    const repo = gitRepo();
    const before = baseCopies();
    const r = review(["--config", repo.file, "--base", "HEAD~1", "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      stack: string;
      base: { label: string; changes: { change: string; name: string }[] };
    };
    assert.equal(json.stack, "dev");
    assert.equal(json.base.label, "HEAD~1:stacks/Pulumi.dev.yaml");
    assert.deepEqual(
      json.base.changes.map((c) => `${c.change} ${c.name}`),
      ["changed tvfunc-qlora", "added tvfunc_chat_dev_b"],
    );
    assert.deepEqual(baseCopies(), before, "the temp copy is removed");
    assert.ok(!r.stdout.includes("pai-review-base-"), "no temp copy path in the report");

    const same = review(["--config", repo.file, "--base", "HEAD"]);
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout, /\*\*±0 CNY\*\* \(0 added, 0 removed, 0 changed\)/);

    const noRev = review(["--config", repo.file, "--base", "no-such-branch"]);
    assert.equal(noRev.code, 2);
    assert.match(noRev.stderr, /^--base no-such-branch: no such git revision in .*repo\n$/);
    const opt = review(["--config", repo.file, "--base=--output=/tmp/x"]);
    assert.equal(opt.code, 2);
    assert.match(opt.stderr, /^--base: "--output=\/tmp\/x" is not a git revision\n$/);
    // An option-shaped revision never reaches git, whatever the flag parser lets through.
    assert.throws(
      () => checkoutAtRevision(repo.file, "--output=/tmp/x"),
      /"--output=\/tmp\/x" is not a git revision/,
    );

    const fresh = path.join(repo.dir, "stacks", "Pulumi.new.yaml");
    fs.copyFileSync(repo.file, fresh);
    const noFile = review(["--config", fresh, "--base", "HEAD"]);
    assert.equal(noFile.code, 2);
    assert.equal(noFile.stderr, "--base HEAD: stacks/Pulumi.new.yaml does not exist at revision HEAD\n");

    const outside = scratch.write("Pulumi.outside.yaml", devChanged());
    const notGit = review(["--config", outside, "--base", "HEAD"]);
    assert.equal(notGit.code, 2);
    assert.match(notGit.stderr, /is not in a git repository/);
    assert.deepEqual(baseCopies(), before);
    for (const x of [noRev, opt, noFile, notGit]) assert.doesNotMatch(x.stderr, STACK_FRAME);
  });

  it("--base-config diffs against another file; a broken base names the base, exit 2", () => {
    const head = scratch.write("Pulumi.dev-b.yaml", devChanged());
    const r = review(["--config", head, "--base-config", "stacks/Pulumi.dev.yaml"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Changes against <code>stacks\/Pulumi\.dev\.yaml<\/code> \(2\)/);

    const broken = scratch.write("Pulumi.broken.yaml", "config:\n  pai-finetune:environment: moon\n");
    const b = review(["--stack", "dev", "--base-config", broken]);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /^base .*Pulumi\.broken\.yaml: Invalid stack config/);
    assert.doesNotMatch(b.stderr, STACK_FRAME);
  });

  it("a plan that fails (out of GPU memory) still writes the report and exits 1, saying why", () => {
    const file = scratch.write("Pulumi.oom.yaml", devOutOfMemory());
    const out = path.join(scratch.dir, "oom.html");
    const r = review(["--config", file, "--format", "html", "--out", out]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, "");
    // The pack flags the same job too (gpu-memory-fit): both are counted.
    assert.match(
      r.stderr,
      /^review: stack oom has 1 plan error and \d+ mandatory policy violations? \(listed in the report\)\n$/,
    );
    const html = fs.readFileSync(out, "utf8");
    assert.match(html, /<span class="badge bad">plan errors<\/span>/);
    assert.match(html, /would run out of memory/);
    assert.match(html, /does not fit/);
  });

  it("usage and config errors exit 2 with one clear message and no stack trace", () => {
    const cases: [string[], RegExp][] = [
      [[], /give exactly one of --stack or --config/],
      [["--stack", "dev", "--config", "x.yaml"], /give exactly one of --stack or --config/],
      [["--stack", "dev", "--format", "pdf"], /--format: expected one of md \| html \| json, got "pdf"/],
      [["--stack", "dev", "--base", "HEAD", "--base-config", "x"], /at most one of --base or --base-config/],
      [["--stack", "dev", "--colour"], /--colour: unknown argument/],
      [["--config", "/nonexistent/Pulumi.x.yaml"], /nonexistent/],
      [
        ["--stack", "dev", "--out", "/nonexistent/dir/r.md"],
        /cannot write --out \/nonexistent\/dir\/r\.md: ENOENT/,
      ],
    ];
    for (const [args, want] of cases) {
      const r = review(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, want);
      assert.doesNotMatch(r.stderr, STACK_FRAME);
    }
    const bad = scratch.write("Pulumi.bad.yaml", "config:\n  pai-finetune:jobs: 3\n");
    const r = review(["--config", bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Invalid stack config .*Pulumi\.bad\.yaml/);
  });
});
