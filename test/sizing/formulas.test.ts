import assert from "node:assert/strict";
import { test } from "node:test";
import { loadCatalog, parameterCount } from "../../infra/catalog";
import {
  defaultTrainingSettings,
  estimateTrainingMemory,
  kvCacheBytes,
  loraParameterCount,
  QUANT_BITS,
  zeroModelStateBytes,
  type MemoryEstimate,
} from "../../infra/sizing";

const catalog = loadCatalog();
const item = (e: MemoryEstimate, name: string): number =>
  e.breakdown.find((i) => i.name === name)?.bytes ?? 0;

test("ZeRO paper worked example: Ψ=7.5B, N=64, K=12 → 120 / 31.4 / 16.6 / 1.9 GB", () => {
  const psi = 7.5e9;
  assert.equal(zeroModelStateBytes(psi, 0, 64) / 1e9, 120);
  assert.equal(Number((zeroModelStateBytes(psi, 1, 64) / 1e9).toFixed(1)), 31.4);
  assert.equal(Number((zeroModelStateBytes(psi, 2, 64) / 1e9).toFixed(1)), 16.6);
  assert.equal(Number((zeroModelStateBytes(psi, 3, 64) / 1e9).toFixed(1)), 1.9);
});

test("full fine-tuning model states follow the ZeRO formula at every stage", () => {
  const m = catalog.model("qwen2.5-7b");
  const psi = parameterCount(m);
  for (const stage of [0, 1, 2, 3] as const) {
    const e = estimateTrainingMemory(
      m,
      defaultTrainingSettings("full", { zeroStage: stage, gpusPerNode: 8, nodes: 8 }),
    );
    const states = ["weights", "master weights", "gradients", "optimizer states"].reduce(
      (a, n) => a + item(e, n),
      0,
    );
    assert.ok(Math.abs(states / zeroModelStateBytes(psi, stage, 64) - 1) < 1e-9, `stage ${stage}`);
  }
});

test("LoRA parameter counts match PEFT's printed trainable parameters", () => {
  // Llama-2-7B r=8 on q,v: 32 layers × 2 × 8 × (4096 + 4096) = 4,194,304.
  assert.equal(loraParameterCount(catalog.model("llama-2-7b"), 8, ["q", "v"]), 4_194_304);
  // Llama-3-8B r=8 all-linear: 32 × 8 × (2·8192 + 2·5120 + 3·18432) = 20,971,520.
  assert.equal(loraParameterCount(catalog.model("llama-3-8b"), 8, "all-linear"), 20_971_520);
  // Mixtral: every expert's MLP carries its own adapters.
  const mx = catalog.model("mixtral-8x7b-v0.1");
  assert.equal(loraParameterCount(mx, 8, ["gate"]), 32 * 8 * 8 * (4096 + 14336));
});

test("KV cache: Llama-2-7B fp16 0.5 MiB per token, 2048 tokens ≈ 1.07 GB; GQA uses KV heads", () => {
  const l2 = catalog.model("llama-2-7b");
  assert.equal(kvCacheBytes(l2, 1, 1), 512 * 1024);
  assert.equal(kvCacheBytes(l2, 2048, 1), 1_073_741_824);
  assert.equal(kvCacheBytes(catalog.model("qwen2.5-7b"), 1, 1), 56 * 1024); // docs/sources.md#mem-7
  assert.equal(kvCacheBytes(catalog.model("qwen2.5-7b"), 1000, 4, 1), 2 * 4 * 1000 * 28 * 4 * 128);
});

test("activations: checkpointing keeps layer inputs plus one recomputed layer; flash removes the s² term", () => {
  const m = catalog.model("llama-2-7b");
  const base = { seqLen: 1024, microBatchSize: 1, loraRank: 8 };
  const layer = 1024 * (13 * 4096 + 4 * 4096 + 8 * 11008); // 161,480,704
  const ckpt = estimateTrainingMemory(m, defaultTrainingSettings("lora", base));
  assert.equal(item(ckpt, "activations"), 32 * 2 * 1024 * 4096 + layer);
  const noCkpt = estimateTrainingMemory(
    m,
    defaultTrainingSettings("lora", { ...base, gradientCheckpointing: false }),
  );
  assert.equal(item(noCkpt, "activations"), 32 * layer);
  const eager = estimateTrainingMemory(
    m,
    defaultTrainingSettings("lora", { ...base, gradientCheckpointing: false, flashAttention: false }),
  );
  assert.equal(item(eager, "activations"), 32 * (layer + 5 * 32 * 1024 * 1024));
});

test("logits buffer scales with seq × batch × vocab (12 B per element); with checkpointing only its excess over the recomputed layer adds", () => {
  const m = catalog.model("qwen2.5-7b");
  const logits = 4096 * 2 * 152064 * 12;
  const layer = 4096 * 2 * (13 * 3584 + 4 * 512 + 8 * 18944);
  const noCkpt = estimateTrainingMemory(
    m,
    defaultTrainingSettings("lora", { seqLen: 4096, microBatchSize: 2, gradientCheckpointing: false }),
  );
  assert.equal(item(noCkpt, "logits and loss"), logits);
  // The loss runs forward and backward (freeing logits and their gradient) before the last layer is recomputed.
  const ckpt = estimateTrainingMemory(
    m,
    defaultTrainingSettings("lora", { seqLen: 4096, microBatchSize: 2 }),
  );
  assert.equal(item(ckpt, "logits and loss"), logits - layer);
  const short = estimateTrainingMemory(
    catalog.model("llama-2-7b"),
    defaultTrainingSettings("lora", { seqLen: 1024, microBatchSize: 1 }),
  );
  assert.equal(item(short, "logits and loss"), 1024 * 32000 * 12 - 1024 * (13 * 4096 + 4 * 4096 + 8 * 11008));
  const tiny = estimateTrainingMemory(
    catalog.model("llama-2-7b"),
    defaultTrainingSettings("lora", { seqLen: 1024, chunkedLoss: true }),
  );
  assert.equal(
    item(tiny, "logits and loss"),
    0,
    "chunked 32k-vocab loss buffers hide under the recomputed layer",
  );
});

test("NF4 bits: 4.5; double quantisation saves ≈0.37 bit/param (QLoRA paper)", () => {
  assert.equal(QUANT_BITS.nf4, 4.5);
  assert.ok(Math.abs(QUANT_BITS.nf4 - QUANT_BITS["nf4-double"] - 0.373) < 0.001);
  const m = catalog.model("llama-2-70b");
  const w = (q: "nf4" | "nf4-double"): number =>
    item(estimateTrainingMemory(m, defaultTrainingSettings("qlora", { quant: q })), "weights");
  assert.ok(w("nf4") - w("nf4-double") > 2.9e9, "≈3 GB saved on a 65-70B model");
});

test("breakdown sums to the total; MoE keeps every expert but activates two", () => {
  const mx = catalog.model("mixtral-8x7b-v0.1");
  const e = estimateTrainingMemory(mx, defaultTrainingSettings("qlora", { seqLen: 1024 }));
  const sum = e.breakdown.reduce((a, i) => a + i.bytes, 0);
  assert.ok(Math.abs(sum - e.perGpuBytes) < 1);
  assert.equal(
    e.breakdown.find((i) => i.name === "weights")?.note.includes("nf4-double"),
    true,
    "default quant",
  );
  assert.ok(item(e, "weights") > (46e9 * QUANT_BITS["nf4-double"]) / 8 - 1e9, "all 8 experts resident");
  const dense = catalog.model("mistral-7b-v0.1");
  const act = (m: typeof mx): number =>
    item(
      estimateTrainingMemory(
        m,
        defaultTrainingSettings("lora", { seqLen: 1024, gradientCheckpointing: false }),
      ),
      "activations",
    );
  assert.equal(act(mx) - act(dense), 32 * 1024 * 8 * 14336, "one extra expert's MLP intermediates per layer");
});

test("offload: ZeRO-2 keeps only 16-bit weights of the model states (DeepSpeed memory.rst)", () => {
  const m = catalog.model("qwen2.5-7b");
  const e = estimateTrainingMemory(
    m,
    defaultTrainingSettings("full", { zeroStage: 2, offload: true, gpusPerNode: 8 }),
  );
  assert.equal(item(e, "optimizer states") + item(e, "gradients") + item(e, "master weights"), 0);
  assert.equal(item(e, "weights"), 2 * parameterCount(m));
});

test("Qwen v1 under DeepSpeed keeps its loss in 16 bit (no autocast, no upcast in its model code); HF models do not", () => {
  const q = catalog.model("qwen-7b-chat");
  const s = { seqLen: 4096, gradientCheckpointing: false, loraRank: 64 };
  const logits = (m: typeof q, zeroStage: 0 | 2): number =>
    item(estimateTrainingMemory(m, defaultTrainingSettings("qlora", { ...s, zeroStage })), "logits and loss");
  assert.equal(logits(q, 0), 4096 * 151936 * 12, "no DeepSpeed: autocast runs cross_entropy in fp32");
  assert.equal(logits(q, 2), 4096 * 151936 * 8, "DeepSpeed fp16/bf16 engine: 16-bit loss buffers");
  const hf = catalog.model("qwen2.5-7b-instruct");
  assert.equal(logits(hf, 2), 4096 * 152064 * 12, "transformers' loss upcasts the logits itself");
});
