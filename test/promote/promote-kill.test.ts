// A promotion killed (SIGKILL) at random points leaves the target file either exactly as it was or
// exactly as a complete promotion writes it: never a mix, never invalid YAML. The write is slowed
// by the test-only PAI_FINETUNE_TEST_WRITE_DELAY_MS hook (infra/promote/atomic.ts) so that kills
// also land while the temporary file is being written, not only before and after.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, it } from "node:test";
import { parse } from "yaml";
import { REPO, workspace, writeMetrics, type Workspace } from "./helpers";

const CLI = path.join(REPO, "infra", "cli", "promote.ts");
const spaces: Workspace[] = [];
after(() => spaces.forEach((w) => w.cleanup()));

function startPromotion(ws: Workspace, metrics: string) {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      CLI,
      "--from",
      "dev",
      "--to",
      "staging",
      "--metrics",
      metrics,
      "--yes",
      "--stacks-dir",
      ws.dir,
    ],
    {
      cwd: REPO,
      env: { ...process.env, PAI_FINETUNE_TEST_WRITE_DELAY_MS: "4" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let onWriting: () => void = () => {};
  const writing = new Promise<void>((resolve) => (onWriting = resolve));
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.includes("atomic-write: start")) onWriting();
  });
  const done = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, done, writing, out: () => out };
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

it("a promotion killed at random points leaves the target old or new, never broken", async () => {
  // The complete run: what "new" is, and how long a run takes on this machine.
  const ref = workspace();
  spaces.push(ref);
  const oldText = ref.read("staging");
  const t0 = Date.now();
  const full = startPromotion(ref, writeMetrics(ref, "dev"));
  assert.equal(await full.done, 0, full.out());
  const duration = Date.now() - t0;
  const newText = ref.read("staging");
  assert.notEqual(newText, oldText);

  // Half of the kills land anywhere in the run; the others inside the write window, which the child
  // announces (about 50 chunks × 4 ms, then fsync and rename).
  const random = rng(12);
  const outcomes = { old: 0, new: 0 };
  let midWrite = 0;
  const runs = 8;
  for (let i = 0; i < runs; i++) {
    const ws = workspace();
    spaces.push(ws);
    const metrics = writeMetrics(ws, "dev");
    const p = startPromotion(ws, metrics);
    let at: number;
    if (i % 2 === 0) {
      at = random() * duration;
      await new Promise((r) => setTimeout(r, at));
    } else {
      await Promise.race([p.writing, p.done]);
      at = random() * 250;
      await new Promise((r) => setTimeout(r, at));
    }
    p.child.kill("SIGKILL");
    await p.done;
    const text = ws.read("staging");
    assert.ok(
      text === oldText || text === newText,
      `run ${i} (kill at ${Math.round(at)} ms): the target is neither old nor new`,
    );
    assert.doesNotThrow(() => parse(text), `run ${i}: valid YAML`);
    outcomes[text === oldText ? "old" : "new"]++;
    if (fs.readdirSync(ws.dir).some((f) => f.endsWith(".tmp"))) midWrite++;
    // A killed run may leave its temporary file behind; it never has the target's name.
    for (const f of fs.readdirSync(ws.dir))
      assert.ok(
        !/^Pulumi\..*\.yaml$/.test(f) ||
          ["Pulumi.dev.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"].includes(f),
        f,
      );
  }
  assert.equal(outcomes.old + outcomes.new, runs);
  // The aimed kills do land inside the write: their temporary files are left behind.
  assert.ok(
    midWrite >= 1,
    `no kill landed inside the write (${JSON.stringify({ duration, ...outcomes, midWrite })})`,
  );
});
