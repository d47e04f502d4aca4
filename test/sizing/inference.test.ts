// Pins the parts of the inference estimate: KV cache bytes per token (docs/sources.md#mem-7), int4/int8 storage,
// the prefill working set and logits, the legacy tuple cache, the CLI flags, and the docs/sources.md#mem-6.3 fit it produces.
import assert from "node:assert/strict";
import { test } from "node:test";
import { main } from "../../infra/cli/size";
import { parseSizeArgs } from "../../infra/cli/size-args";
import { loadCatalog, parameterCount } from "../../infra/catalog";
import {
  estimateInferenceMemory,
  GiB,
  kvBytesPerElement,
  kvCacheBytes,
  largestMatrixBytes,
  linearWeightParams,
  prefillLogitsBytes,
  servingWeightBytes,
  SERVING_QUANT_BITS,
  type InferenceSettings,
  type MemoryEstimate,
} from "../../infra/sizing";

const catalog = loadCatalog();
const KiB = 1024;
const item = (e: MemoryEstimate, name: string): number =>
  e.breakdown.find((i) => i.name === name)?.bytes ?? 0;
const allocated = (e: MemoryEstimate): number =>
  e.perGpuBytes - item(e, "allocator overhead") - item(e, "CUDA context");
const base: InferenceSettings = { precision: "bf16", contextLength: 4096, concurrency: 1, gpus: 1 };

test("KV cache bytes per token (bf16) match docs/sources.md#mem-7", () => {
  const expected: Record<string, number> = {
    "qwen-7b": 512,
    "qwen1.5-7b": 512,
    "qwen2-7b": 56,
    "qwen2.5-7b": 56,
    "qwen2.5-14b": 192,
    "qwen2.5-32b": 256,
    "qwen2.5-72b": 320,
    "llama-2-7b": 512,
    "llama-2-13b": 800,
    "llama-2-70b": 320,
    "llama-3-8b": 128,
    "llama-3-70b": 320,
  };
  for (const [id, kib] of Object.entries(expected))
    assert.equal(kvCacheBytes(catalog.model(id), 1, 1), kib * KiB, id);
  // Linear in tokens and sequences; int8 halves it plus a 16-bit scale and zero point per head vector.
  const m = catalog.model("qwen2.5-7b-instruct");
  assert.equal(kvCacheBytes(m, 2048, 4), 4 * 2048 * 56 * KiB);
  assert.equal(kvBytesPerElement(m, "int8"), 1 + 4 / 128);
  assert.equal(kvBytesPerElement(m, "bf16"), 2);
  assert.equal(kvBytesPerElement(m, undefined), 2);
});

test("int4/int8 storage: GPTQ/AWQ group-128 bits in block matrices, embeddings and lm_head stay 16-bit", () => {
  assert.equal(SERVING_QUANT_BITS.int4, 4 + 20 / 128); // 4.15625: fp16 scale + 4-bit zero per 128
  assert.equal(SERVING_QUANT_BITS.int8, 8 + 24 / 128); // 8.1875: fp16 scale + 8-bit zero per 128
  const m = catalog.model("qwen2.5-7b-instruct");
  const n = parameterCount(m);
  const lin = linearWeightParams(m);
  const int4 = servingWeightBytes(m, "int4");
  assert.equal(int4, (lin * 4.15625) / 8 + (n - lin) * 2);
  assert.ok(n - lin >= 2 * m.vocabSize * m.hiddenSize, "untied embedding + lm_head are in the 16-bit part");
  assert.ok(Math.abs(int4 / GiB - 5.19) < 0.02, `${int4 / GiB}`);
  assert.equal(servingWeightBytes(m, "bf16"), 2 * n);
  assert.equal(servingWeightBytes(m, "fp16"), 2 * n);
  // Dequantisation scratch: the largest block matrix (MLP 3584 × 18944) in fp16, only for quantised weights.
  assert.equal(largestMatrixBytes(m), 2 * 3584 * 18944);
  assert.equal(item(estimateInferenceMemory(m, base), "dequantisation scratch"), 0);
  assert.equal(
    item(estimateInferenceMemory(m, { ...base, precision: "int4" }), "dequantisation scratch"),
    largestMatrixBytes(m),
  );
});

test("prefill: layer buffers by default, all-position logits in 16 bit + fp32 when asked", () => {
  const m = catalog.model("qwen2-7b-instruct");
  const s: InferenceSettings = { ...base, contextLength: 30720 + 2048, prefillTokens: 30720 };
  const last = item(estimateInferenceMemory(m, s), "prefill working set");
  // One layer: 3 × tokens × 18944 (gate act, up, product) + 4 × tokens × 3584, 2 B each.
  assert.equal(last, 30720 * (3 * 18944 + 4 * 3584) * 2);
  const all = item(estimateInferenceMemory(m, { ...s, prefillLogits: "all" }), "prefill working set");
  assert.equal(all, prefillLogitsBytes(m, "all", 30720, 1));
  assert.equal(all, 30720 * 152064 * 6);
  // Default prefill = the whole context (a prompt filling it).
  const dflt = item(estimateInferenceMemory(m, { ...base, contextLength: 8192 }), "prefill working set");
  assert.equal(dflt, 8192 * (3 * 18944 + 4 * 3584) * 2);
  assert.throws(() => estimateInferenceMemory(m, { ...s, prefillTokens: 0 }), RangeError);
});

test("legacy tuple KV cache counts two copies; GPUs split weights and KV, not one layer's buffers", () => {
  const m = catalog.model("qwen-7b-chat");
  const one = item(estimateInferenceMemory(m, base), "KV cache");
  assert.equal(item(estimateInferenceMemory(m, { ...base, legacyKvCache: true }), "KV cache"), 2 * one);
  const tp = estimateInferenceMemory(m, { ...base, gpus: 2 });
  assert.equal(item(tp, "KV cache"), one / 2);
  assert.equal(item(tp, "weights"), item(estimateInferenceMemory(m, base), "weights") / 2);
  assert.equal(
    item(tp, "prefill working set"),
    item(estimateInferenceMemory(m, base), "prefill working set"),
  );
});

test("measured points (allocated bytes) are reproduced: docs/sources.md#mem-6.3 Qwen2.5-7B, docs/sources.md#mem-6.4 Qwen2-0.5B, docs/sources.md#mem-6.2 Qwen-72B", () => {
  const q25 = estimateInferenceMemory(catalog.model("qwen2.5-7b-instruct"), {
    ...base,
    contextLength: 30720 + 2048,
    prefillTokens: 30720,
  });
  assert.ok(Math.abs(allocated(q25) / GiB / 19.97 - 1) < 0.05, `${allocated(q25) / GiB}`);
  const q2 = estimateInferenceMemory(catalog.model("qwen2-0.5b-instruct"), {
    ...base,
    contextLength: 30720 + 2048,
    prefillTokens: 30720,
    prefillLogits: "all",
  });
  assert.ok(Math.abs(allocated(q2) / GiB / 27.61 - 1) < 0.05, `${allocated(q2) / GiB}`);
  const q1 = estimateInferenceMemory(catalog.model("qwen-72b-chat"), {
    ...base,
    precision: "int4",
    contextLength: 2049,
    prefillTokens: 1,
    legacyKvCache: true,
  });
  assert.ok(Math.abs(allocated(q1) / GiB / 48.86 - 1) < 0.05, `${allocated(q1) / GiB}`);
});

test("CLI: inference flags parse with their defaults and reject bad values", () => {
  const argv = ["--model", "qwen2.5-7b-instruct", "--mode", "inference", "--context", "4096"];
  const d = parseSizeArgs(argv).inference;
  assert.equal(d.prefillTokens, undefined);
  assert.equal(d.prefillLogits, "last");
  assert.equal(d.legacyKvCache, false);
  const f = parseSizeArgs([
    ...argv,
    "--prefill-tokens",
    "512",
    "--prefill-logits",
    "all",
    "--legacy-kv-cache",
  ]).inference;
  assert.deepEqual([f.prefillTokens, f.prefillLogits, f.legacyKvCache], [512, "all", true]);
  const err: string[] = [];
  assert.equal(
    main(
      [...argv, "--prefill-logits", "some"],
      () => undefined,
      (s) => err.push(s),
    ),
    2,
  );
  assert.match(err.join(""), /--prefill-logits: expected one of last \| all/);
  assert.equal(
    main(
      [...argv, "--prefill-tokens", "0"],
      () => undefined,
      (s) => err.push(s),
    ),
    2,
  );
});
