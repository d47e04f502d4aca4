import assert from "node:assert/strict";
import { test } from "node:test";
import { loadCatalog, parameterCount, type InstanceType } from "../../infra/catalog";
import {
  defaultTrainingSettings,
  estimateServiceMonthlyCost,
  estimateTrainingCost,
  estimateTrainingMemory,
  fitsOn,
  rightSizeInference,
  rightSizeTraining,
  type FineTuneMethod,
} from "../../infra/sizing";

// Give every instance a deterministic user price so "cheapest" is defined everywhere; keep ties on purpose.
const base = loadCatalog();
const priced: InstanceType[] = [...base.instances.values()].map((t, i) => ({
  ...t,
  price: {
    amount: t.gpuCount * (3 + (i % 4)),
    currency: "CNY",
    per: "hour",
    kind: "user",
    date: "2026-11-28",
    source: "test",
  },
}));
const catalog = loadCatalog({ instances: priced });

test("right-sizing picks the cheapest fitting option (brute force over the catalog, ties by fewer GPUs)", () => {
  const methods: FineTuneMethod[] = ["full", "freeze", "lora", "qlora"];
  let checked = 0;
  for (const id of [
    "qwen2.5-0.5b-instruct",
    "qwen2.5-7b-instruct",
    "llama-2-13b",
    "qwen2.5-32b",
    "mixtral-8x7b-v0.1",
  ])
    for (const method of methods)
      for (const seqLen of [512, 4096])
        for (const zeroStage of [0, 3] as const) {
          const m = catalog.model(id);
          const s = defaultTrainingSettings(method, { seqLen, zeroStage });
          const { gpusPerNode: _g, nodes: _n, ...rest } = s;
          const got = rightSizeTraining(catalog, m, rest, { maxNodes: 2 });
          let best: { cost: number; gpus: number } | undefined;
          for (const t of catalog.instances.values()) {
            if (!t.usage.some((u) => u !== "eas")) continue;
            for (let nodes = 1; nodes <= 2; nodes++) {
              const e = estimateTrainingMemory(m, { ...s, gpusPerNode: t.gpuCount, nodes });
              if (!fitsOn(e, t)) continue;
              const cost = (t.price?.amount ?? Infinity) * nodes;
              const gpus = t.gpuCount * nodes;
              if (!best || cost < best.cost || (cost === best.cost && gpus < best.gpus))
                best = { cost, gpus };
            }
          }
          const first = got[0];
          if (!best) {
            assert.equal(got.length, 0, `${id} ${method}: nothing fits, nothing listed`);
            continue;
          }
          assert.ok(first, `${id} ${method} ${seqLen} z${zeroStage}: brute force found a fit`);
          assert.equal(first.hourlyCost, best.cost, `${id} ${method} ${seqLen} z${zeroStage}`);
          assert.equal(first.gpusUsed * first.instanceCount, best.gpus);
          checked++;
        }
  assert.ok(checked > 40, `checked ${checked} jobs`);
});

test("a quota's GPU type restricts the choice; unpriced instances come last with a warning", () => {
  const m = base.model("qwen2.5-7b-instruct");
  const { gpusPerNode: _g, nodes: _n, ...s } = defaultTrainingSettings("lora");
  const onlyA100 = rightSizeTraining(base, m, s, { gpuModel: "A100-80G" });
  assert.ok(onlyA100.length > 0 && onlyA100.every((f) => f.instance.gpuModel === "A100-80G"));
  const all = rightSizeTraining(base, m, s);
  const firstUnpriced = all.findIndex((f) => f.hourlyCost === undefined);
  assert.ok(firstUnpriced > 0, "priced ones first");
  assert.ok(all.slice(firstUnpriced).every((f) => f.hourlyCost === undefined && f.warnings.length > 0));
});

test("inference right-sizing only uses EAS types and every listed one fits", () => {
  const m = base.model("qwen2.5-72b-instruct");
  const fits = rightSizeInference(base, m, { precision: "bf16", contextLength: 8192, concurrency: 4 });
  assert.ok(fits.length > 0);
  for (const f of fits) {
    assert.ok(f.instance.usage.includes("eas"));
    assert.ok(f.perGpuBytes <= 0.9 * f.instance.gpuMemoryGiB * 2 ** 30);
    assert.ok(
      f.instance.gpuCount * f.instance.gpuMemoryGiB >= 145,
      "72B bf16 cannot fit under 145 GiB of GPUs",
    );
  }
});

test("training time counts the GPUs the job runs on, not every GPU of the rented instance", () => {
  // Offline-plan case: qwen1.5-7b-chat LoRA on 1 of the 8 GPUs of a GU108 instance came out 8× too fast.
  const m = base.model("qwen1.5-7b-chat");
  const gu108 = base.instance("ml.gu7xf.8xlarge-gu108");
  const work = { examples: 4800, avgTokensPerExample: 320, epochs: 3 };
  const one = defaultTrainingSettings("lora", { seqLen: 2048, microBatchSize: 4, gpusPerNode: 1 });
  const r1 = estimateTrainingCost(m, one, work, gu108, 1);
  assert.equal(r1.hours.inputs.gpus, 1);
  const flops = 6 * parameterCount(m) + 6 * 32 * 2048 * 4096; // 2N fwd + 2N bwd + 2N recompute, + attention
  const hours = (4800 * 320 * 3 * flops) / (312e12 * 0.35) / 3600;
  assert.ok(Math.abs(r1.hours.value / hours - 1) < 1e-9, `${r1.hours.value} vs ${hours}`);
  assert.ok(r1.hours.value > 0.4, "≈0.56 h, not 0.07 h");
  assert.match(r1.warnings.join(" "), /uses 1 of the 8 rented GPUs/);
  if (gu108.price) assert.equal(r1.cost?.value, r1.hours.value * gu108.price.amount, "whole instance paid");
  const eight = estimateTrainingCost(m, { ...one, gpusPerNode: 8 }, work, gu108, 1);
  assert.ok(Math.abs(r1.hours.value / eight.hours.value - 8) < 1e-9, "8 ranks are 8× faster than 1");
});

test("training time and cost carry their inputs; missing prices warn instead of costing zero", () => {
  const m = base.model("qwen2.5-7b-instruct");
  const s = defaultTrainingSettings("lora", { seqLen: 1024, gradientCheckpointing: false });
  const a10 = base.instance("ecs.gn7i-c8g1.2xlarge");
  const r = estimateTrainingCost(
    m,
    s,
    { examples: 1000, avgTokensPerExample: 1000, epochs: 3, mfu: 0.5 },
    a10,
    1,
  );
  const flops = 4 * 7_615_616_512 + 6 * 28 * 1024 * 28 * 128; // frozen base: 2N fwd + 2N bwd, + attention
  const hours = (3e6 * flops) / (125e12 * 0.5) / 3600;
  assert.ok(Math.abs(r.hours.value / hours - 1) < 0.01, `${r.hours.value} vs ${hours}`);
  assert.equal(r.hours.inputs.tokens, 3e6);
  // The catalog's default region is cn-hangzhou: the A10's list price there, with its provenance.
  assert.equal(r.cost?.value, r.hours.value * 9.5326);
  assert.equal(r.priceKind, "official-list");
  assert.equal(r.price?.region, "cn-hangzhou");
  assert.equal(r.cost?.inputs.priceRegion, "cn-hangzhou");
  // Another region, another price: the estimate picks the catalog region's.
  const ulanqab = estimateTrainingCost(
    m,
    s,
    { examples: 1000, avgTokensPerExample: 1000, epochs: 3, mfu: 0.5 },
    loadCatalog({ region: "cn-wulanchabu" }).instance("ecs.gn7i-c8g1.2xlarge"),
    1,
  );
  assert.equal(ulanqab.cost?.value, r.hours.value * 8.5794);
  assert.equal(ulanqab.price?.region, "cn-wulanchabu");
  const unpriced = estimateTrainingCost(
    m,
    s,
    { examples: 1, avgTokensPerExample: 1, epochs: 1 },
    base.instance("ecs.gn7-c12g1.3xlarge"), // priced in Beijing, Shanghai and Ulanqab only
    1,
  );
  assert.equal(unpriced.cost, undefined);
  assert.match(unpriced.warnings.join(" "), /no price for ecs\.gn7-c12g1\.3xlarge in this region/);
  const shanghai = loadCatalog({ region: "cn-shanghai" });
  const svc = estimateServiceMonthlyCost(shanghai.instance("ml.gu7i.c8m30.1-gu30"), { min: 1, max: 3 });
  assert.equal(svc.monthlyMax?.value, 3 * 8 * 730);
  assert.match(svc.warnings.join(" "), /upper bound/);
  assert.equal(
    estimateServiceMonthlyCost(base.instance("ml.gu7i.c8m30.1-gu30"), { min: 1, max: 1 }).monthlyMax,
    undefined,
    "an upper bound for Shanghai is no price in Hangzhou",
  );
});
