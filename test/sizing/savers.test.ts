// Memory savers: each one's memory term pinned by hand arithmetic, its time cost, and the right-sizer that
// turns them on checked against brute force over placements × saver combinations.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadCatalog, type InstanceType } from "../../infra/catalog";
import {
  compareFits,
  defaultTrainingSettings,
  estimateTrainingCost,
  estimateTrainingMemory,
  fitsOn,
  GiB,
  ligerLossBytes,
  rightSizeTrainingWithSavers,
  SAVERS,
  saverApplies,
  withSaver,
  zero3StepBytes,
  type FitOption,
  type Saver,
  type TrainingSettings,
} from "../../infra/sizing";

const base = loadCatalog();
const item = (s: TrainingSettings, name: string, m = base.model("qwen2.5-7b-instruct")) =>
  estimateTrainingMemory(m, s).breakdown.find((i) => i.name === name)?.bytes;

test("Liger: one chunk of logits + grad_input + fp32 loss (+ the head's grad_weight when it trains)", () => {
  const m = base.model("qwen2.5-7b-instruct"); // h 3584, V 152064
  const s = defaultTrainingSettings("lora", { seqLen: 4096, microBatchSize: 2, ligerKernel: true });
  const bt = 8192;
  const rows = 256; // next_pow2(ceil(8192 / ceil(152064 / 3584) = 43)) = next_pow2(191)
  const expected = rows * 152064 * 2 + bt * 3584 * 2 + bt * 4;
  assert.equal(ligerLossBytes(m, s, false).bytes, expected);
  assert.equal(ligerLossBytes(m, s, true).bytes, expected + 152064 * 3584 * 2);
  assert.equal(item(s, "fused linear cross-entropy (Liger)"), expected);
  assert.equal(item(s, "logits and loss"), undefined, "no B·T × V logits line with Liger");
  const without = estimateTrainingMemory(m, { ...s, ligerKernel: false }).perGpuBytes;
  assert.ok(estimateTrainingMemory(m, s).perGpuBytes < without - 4 * GiB, "saves the fp32 logits");
});

test("activation offloading: layer inputs leave the GPU, one 2·s·b·h input stays in flight", () => {
  const m = base.model("qwen2.5-7b-instruct");
  const s = defaultTrainingSettings("lora", { seqLen: 2048, microBatchSize: 4 });
  const on = { ...s, activationOffload: true };
  const sbh = 2048 * 4 * 3584;
  assert.equal(item(on, "offloaded activations in flight"), 2 * sbh);
  assert.equal((item(s, "activations") ?? 0) - (item(on, "activations") ?? 0), 28 * 2 * sbh);
  // Without checkpointing there is nothing to offload: the switch is ignored and said so.
  const off = estimateTrainingMemory(m, { ...on, gradientCheckpointing: false });
  assert.ok(off.assumptions.some((a) => a.includes("activation offloading ignored")));
});

test("paged optimizer: only the largest trainable tensor's states stay resident", () => {
  const s = defaultTrainingSettings("full", { optimizer: "adamw-8bit", pagedOptimizer: true });
  assert.equal(item(s, "optimizer states"), undefined);
  assert.equal(item(s, "paged optimizer states (resident)"), 152064 * 3584 * 2); // embedding × 2 B (8-bit m, v)
  // LoRA adapters are tiny tensors: nothing of note stays resident.
  assert.equal(
    item(defaultTrainingSettings("lora", { pagedOptimizer: true }), "paged optimizer states (resident)"),
    undefined,
  );
});

test("ZeRO-3 sub-groups: the step's 16-bit + fp32 gradient copy covers one sub-group (+ one tensor at most)", () => {
  const s = defaultTrainingSettings("full", { zeroStage: 3, gpusPerNode: 2 });
  const z = zero3StepBytes(7.7e9, 6.2e8, 2, s);
  assert.equal(z.elements, 1e9 + 3.1e8);
  assert.equal(z.bytes, (1e9 + 3.1e8) * 6);
  assert.equal(z.subGroups, 4);
  const small = zero3StepBytes(7.7e9, 6.2e8, 2, { ...s, zeroSubGroupSize: 1e8 });
  assert.equal(small.bytes, (1e8 + 3.1e8) * 6);
  // A shard smaller than a sub-group is stepped whole.
  assert.equal(zero3StepBytes(1e8, 1e7, 8, s).elements, 1e8 / 8);
});

test("Qwen-7B full fine-tuning on 2 × 80 GB (run by the Qwen authors) fits once sub-groups are small", () => {
  const m = base.model("qwen-7b-chat");
  const s = defaultTrainingSettings("full", { zeroStage: 3, gpusPerNode: 2, seqLen: 512 });
  const a100 = [...base.instances.values()].find((i) => i.gpuMemoryGiB === 80 && i.gpuCount >= 2);
  assert.ok(a100);
  const est = estimateTrainingMemory(m, s);
  assert.ok(est.breakdown.some((i) => i.name === "ZeRO-3 sub-group step buffer"));
  assert.ok(est.perGpuGiB < 80, `${est.perGpuGiB} GiB fits the card`);
  assert.ok(fitsOn(estimateTrainingMemory(m, { ...s, zeroSubGroupSize: 1e8 }), a100, 0.1));
});

test("savers' time: offloading adds the copy time compute does not hide, Liger and sub-groups add none", () => {
  const m = base.model("qwen2.5-7b-instruct");
  const a10 = base.instance("ecs.gn7i-c8g1.2xlarge");
  const w = { examples: 1000, avgTokensPerExample: 512, epochs: 1, gradientAccumulationSteps: 4 };
  const s = defaultTrainingSettings("lora", { seqLen: 2048, microBatchSize: 4 });
  const plain = estimateTrainingCost(m, s, w, a10, 1);
  assert.equal(plain.saverHours?.value, 0);
  assert.equal(estimateTrainingCost(m, { ...s, ligerKernel: true }, w, a10, 1).saverHours?.value, 0);
  // At the default MFU the copies hide behind the compute (as torchtune measured): nothing added.
  assert.equal(estimateTrainingCost(m, { ...s, activationOffload: true }, w, a10, 1).saverHours?.value, 0);
  // An absurdly fast GPU (MFU 100) leaves the copies exposed: 250 micro-steps × 2 directions × 28 layers ×
  // 2·2048·4·3584 B ÷ 16 GB/s, less the compute time.
  const fast = { ...w, mfu: 100 };
  const plainFast = estimateTrainingCost(m, s, fast, a10, 1);
  const off = estimateTrainingCost(m, { ...s, activationOffload: true }, fast, a10, 1);
  const copies = (250 * 2 * 28 * 2 * 2048 * 4 * 3584) / 16e9 / 3600;
  const expected = copies - plainFast.hours.value;
  assert.ok(expected > 0);
  assert.ok(Math.abs((off.saverHours?.value ?? 0) - expected) < 1e-12);
  assert.ok(Math.abs(off.hours.value - plainFast.hours.value - expected) < 1e-9);
});

// ---- the right-sizer with savers, against brute force ----
const priced: InstanceType[] = [...base.instances.values()].map((t, i) => ({
  ...t,
  price: {
    amount: t.gpuCount * (2 + (i % 5)),
    currency: "CNY",
    per: "hour",
    kind: "user",
    date: "2026-11-30",
    source: "test",
  },
}));
const catalog = loadCatalog({ instances: priced });

function bruteForce(model: string, s: TrainingSettings, allowed: readonly Saver[], headroom = 0.1) {
  const m = catalog.model(model);
  const candidates = SAVERS.filter((v) => allowed.includes(v) && saverApplies(s, v));
  let best: { savers: Saver[]; option: FitOption } | undefined;
  for (let mask = 0; mask < 1 << candidates.length; mask++) {
    const savers = candidates.filter((_, i) => mask & (1 << i));
    for (const inst of catalog.instances.values()) {
      if (!inst.usage.includes("dlc")) continue;
      let t = { ...s, gpusPerNode: inst.gpuCount, nodes: 1 };
      for (const v of savers) t = withSaver(t, v);
      const est = estimateTrainingMemory(m, t);
      if (!fitsOn(est, inst, headroom)) continue;
      const option: FitOption = {
        instance: inst,
        gpusUsed: inst.gpuCount,
        instanceCount: 1,
        perGpuBytes: est.perGpuBytes,
        headroomBytes: 0,
        hourlyCost: inst.price?.amount,
        currency: inst.price?.currency,
        warnings: [],
      };
      const better =
        !best ||
        compareFits(option, best.option) < 0 ||
        (compareFits(option, best.option) === 0 && savers.length < best.savers.length);
      if (better) best = { savers, option };
    }
  }
  return best;
}

const CASES: [string, TrainingSettings][] = [
  ["qwen2.5-7b-instruct", defaultTrainingSettings("lora", { seqLen: 2048, microBatchSize: 4 })],
  ["qwen2.5-7b-instruct", defaultTrainingSettings("lora", { seqLen: 8192, microBatchSize: 1 })],
  ["qwen2.5-7b-instruct", defaultTrainingSettings("qlora", { seqLen: 4096, microBatchSize: 4 })],
  ["qwen2.5-14b-instruct", defaultTrainingSettings("qlora", { seqLen: 4096, microBatchSize: 2 })],
  ["qwen-7b-chat", defaultTrainingSettings("full", { seqLen: 1024, zeroStage: 3 })],
  [
    "qwen2.5-7b-instruct",
    defaultTrainingSettings("full", { seqLen: 2048, zeroStage: 3, optimizer: "adamw-8bit" }),
  ],
  ["llama-3.1-8b-instruct", defaultTrainingSettings("lora", { seqLen: 4096, microBatchSize: 2 })],
];

test("right-sizer with savers = brute force over placements × saver combinations (fewest savers on the cheapest)", () => {
  for (const [model, s] of CASES) {
    for (const allowed of [SAVERS, ["ligerKernel"] as Saver[], [] as Saver[]]) {
      const { gpusPerNode: _g, nodes: _n, ...free } = s;
      const got = rightSizeTrainingWithSavers(catalog, catalog.model(model), free, allowed, {
        usage: "dlc",
        maxNodes: 1,
      }).best;
      const want = bruteForce(model, s, allowed);
      const label = `${model} ${s.method} seq ${s.seqLen} allowed ${allowed.join(",") || "none"}`;
      assert.equal(got?.option.instance.id, want?.option.instance.id, label);
      assert.equal(got?.option.hourlyCost, want?.option.hourlyCost, label);
      assert.deepEqual(got?.savers, want?.savers, label);
    }
  }
});

test("the right-sizer turns on a saver only when the cheaper placement needs it", () => {
  const m = catalog.model("qwen2.5-0.5b-instruct");
  const { gpusPerNode: _g, nodes: _n, ...s } = defaultTrainingSettings("lora", { seqLen: 512 });
  const r = rightSizeTrainingWithSavers(catalog, m, s, SAVERS, { usage: "dlc", maxNodes: 1 });
  assert.deepEqual(r.best?.savers, []);
  assert.equal(r.best?.option.instance.id, r.withoutSavers?.instance.id);
});
