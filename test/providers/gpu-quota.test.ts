// GPU quota provider lifecycle against the emulator: create (wait usable), read, scale in place,
// update labels in place, replace on nodeSpec, delete; no quota left behind.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import {
  type GpuQuotaInputs,
  type GpuQuotaOutputs,
  gpuQuotaProvider as provider,
} from "../../components/providers/gpu-quota";
import { type PaiEmulator } from "../emulator";
import { liveQuotas, startProviderEmulator, createWithOutputs } from "./setup";

let emu: PaiEmulator;
before(async () => {
  emu = await startProviderEmulator();
});
afterEach(() => assert.deepEqual(liveQuotas(emu), [], "no quota left behind"));
after(() => emu.close());

const base = (over: Partial<GpuQuotaInputs> = {}): GpuQuotaInputs => ({
  region: "cn-hangzhou",
  quotaName: "ft-lingjun",
  resourceType: "Lingjun",
  nodeSpec: "ml.gu7xf.8xlarge-gu108",
  nodeCount: 2,
  resourceGroupIds: ["rg-lingjun-1"],
  labels: { team: "ml" },
  ...over,
});
const quotaRecord = (id: string) => emu.quotas().find((q) => q.QuotaId === id);
const actionsSince = (from: number) =>
  emu
    .requests()
    .slice(from)
    .map((r) => r.action);

void describe("GpuQuota provider", () => {
  void it("check names bad properties", async () => {
    assert.deepEqual((await provider.check!(base(), base())).failures, []);
    const bad = await provider.check!(
      base(),
      base({ nodeCount: 0, quotaName: "", resourceType: "ECS" as never }),
    );
    const props = (bad.failures ?? []).map((f) => f.property);
    for (const p of ["nodeCount", "quotaName", "resourceType"])
      assert.ok(props.includes(p), `${p} in ${props.join()}`);
  });

  void it("diff: count, groups, labels, description, queue in place; spec, type, name, region replace", async () => {
    const olds = { ...base(), quotaId: "q", status: "Ready" } as GpuQuotaOutputs;
    for (const over of [
      { nodeCount: 4 },
      { labels: { team: "nlp" } },
      { description: "x" },
      { queueStrategy: "PaiStrategyBalance" },
    ]) {
      const d = await provider.diff!("q", olds, base(over));
      assert.equal(d.changes, true);
      assert.deepEqual(d.replaces, [], JSON.stringify(over));
    }
    for (const [key, value] of [
      ["nodeSpec", "ml.gu8xf.8xlarge-gu108"],
      ["quotaName", "other"],
      ["region", "cn-wulanchabu"],
    ] as const) {
      assert.deepEqual((await provider.diff!("q", olds, { ...base(), [key]: value })).replaces, [key]);
    }
  });

  void it("create → read → scale in place → update labels in place → replace → delete", async () => {
    const created = await createWithOutputs(provider, base());
    assert.equal(created.outs.status, "Ready");
    assert.equal(created.outs.quotaId, created.id);

    const read = await provider.read!(created.id, created.outs);
    assert.equal(read.id, created.id);
    assert.equal(read.props?.nodeCount, 2);

    let from = emu.requests().length;
    const scaled = await provider.update!(created.id, created.outs, base({ nodeCount: 4 }));
    assert.deepEqual(
      actionsSince(from).filter((a) => a !== "GetQuota"),
      ["ScaleQuota"],
    );
    assert.equal(
      (await provider.read!(created.id, scaled.outs)).props?.nodeCount,
      4,
      "the API reports 4 nodes",
    );

    from = emu.requests().length;
    const relabeled = await provider.update!(
      created.id,
      scaled.outs!,
      base({ nodeCount: 4, labels: { team: "nlp" } }),
    );
    assert.deepEqual(
      actionsSince(from).filter((a) => a !== "GetQuota"),
      ["UpdateQuota"],
    );
    const labels = quotaRecord(created.id)?.Labels as { Key: string; Value: string }[];
    assert.ok(labels.some((l) => l.Key === "team" && l.Value === "nlp"));

    // Replace (create before delete, same name): the old quota must not be adopted.
    const next = base({ nodeCount: 4, labels: { team: "nlp" }, nodeSpec: "ml.gu8xf.8xlarge-gu108" });
    assert.deepEqual((await provider.diff!(created.id, relabeled.outs!, next)).replaces, ["nodeSpec"]);
    const replacement = await createWithOutputs(provider, next);
    assert.notEqual(replacement.id, created.id);
    await provider.delete!(created.id, relabeled.outs!);
    assert.equal((await provider.read!(created.id, relabeled.outs)).id, "", "old quota gone");
    await provider.delete!(replacement.id, replacement.outs);
    await provider.delete!(replacement.id, replacement.outs); // twice is fine
  });

  void it("a dropped CreateQuota response does not make a second quota", async () => {
    const before = emu.quotas().length;
    emu.faults.inject({ kind: "drop-after-action", action: "CreateQuota" });
    const created = await createWithOutputs(provider, base({ quotaName: "ft-dropped" }));
    assert.equal(emu.quotas().length - before, 1);
    await provider.delete!(created.id, created.outs);
  });
});
