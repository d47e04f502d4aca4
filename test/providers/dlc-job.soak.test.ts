// Fault soak: 100 job lifecycles (create, then delete) under 20% injected faults (throttling, 5xx,
// dropped connections after the action ran) end with exactly 100 jobs, all deleted, no duplicates.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { type DlcJobInputs, dlcJobProvider as provider } from "../../components/providers/dlc-job";
import { type PaiEmulator } from "../emulator";
import { startProviderEmulator, createWithOutputs } from "./setup";

const LIFECYCLES = 100;
const CONCURRENCY = 10;

let emu: PaiEmulator;
before(async () => {
  emu = await startProviderEmulator({ seed: 20240611 });
  process.env.PAI_RETRY_MAX_ATTEMPTS = "10";
});
after(() => emu.close());

const inputs = (i: number): DlcJobInputs => ({
  region: "cn-hangzhou",
  workspaceId: "ws-soak",
  displayName: `soak-${String(i).padStart(3, "0")}`,
  jobType: "PyTorchJob",
  image: "registry.cn-hangzhou.aliyuncs.com/pai/llm:1",
  userCommand: `python train.py --seed ${i}`,
  podCount: 1,
  ecsSpec: "ecs.gn7i-c8g1.2xlarge",
  outputUri: `oss://bucket/soak/${i}/`,
  waitFor: i % 2 === 0 ? "submitted" : "running",
});

async function lifecycle(i: number): Promise<void> {
  const created = await createWithOutputs(provider, inputs(i));
  await provider.delete!(created.id, created.outs);
}

void it(`${LIFECYCLES} job lifecycles under 20% faults: no duplicates, no orphans`, async () => {
  emu.faults.setRandom(0.2, ["throttle", "http500", "http503", "drop-after-action", "drop-before-action"]);
  const failures: string[] = [];
  for (let start = 0; start < LIFECYCLES; start += CONCURRENCY) {
    const batch = Array.from({ length: Math.min(CONCURRENCY, LIFECYCLES - start) }, (_, k) => start + k);
    const results = await Promise.allSettled(batch.map(lifecycle));
    results.forEach((r, k) => {
      if (r.status === "rejected") failures.push(`#${batch[k]}: ${String((r.reason as Error).message)}`);
    });
  }
  emu.faults.clear();

  const jobs = emu.jobs();
  const byName = new Map<string, number>();
  for (const job of jobs) byName.set(job.DisplayName, (byName.get(job.DisplayName) ?? 0) + 1);
  const created = jobs.length;
  const deleted = jobs.filter((j) => j.deleted).length;
  const duplicates = [...byName.values()].filter((n) => n > 1).reduce((sum, n) => sum + n - 1, 0);
  const orphans = jobs.filter((j) => !j.deleted).length;
  const injected = Object.entries(emu.faults.injected)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  console.log(
    `created=${created} deleted=${deleted} duplicates=${duplicates} orphans=${orphans} (faults injected: ${injected})`,
  );

  assert.deepEqual(failures, [], "every lifecycle completed");
  assert.ok(Object.values(emu.faults.injected).reduce((a, b) => a + b, 0) > 0, "faults were injected");
  assert.equal(created, LIFECYCLES);
  assert.equal(deleted, LIFECYCLES);
  assert.equal(duplicates, 0);
  assert.equal(orphans, 0);
});
