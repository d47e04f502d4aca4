// GPU memory for serving (PAI-EAS): weights at the serving precision, KV cache, prefill working set, overhead.
// The estimate is what the model *needs*; engines that pre-allocate (vLLM gpu_memory_utilization 0.9) reserve
// more, and the fit check compares this need against that fraction of the GPU (right-size.ts).
import { headDim, parameterCount, type CatalogModel } from "../catalog";
import { ALLOCATOR_OVERHEAD_FACTOR, CUDA_CONTEXT_BYTES } from "./calibration";
import { linearWeightParams, QUANT_BITS } from "./memory-training";
import type { InferenceSettings, MemoryEstimate, MemoryItem } from "./settings";
import { fmtParams, GiB } from "./units";

/** Stored bits per weight of the serving quantisations (GPTQ / AWQ, group size 128, the Qwen releases' setting):
 *  the packed values plus a 16-bit scale and a packed zero point of the same width per group of 128.
 *  int4: 4 + (16 + 4)/128 ≈ 4.156 (= QUANT_BITS.int4); int8: 8 + (16 + 8)/128 ≈ 8.19. Embeddings, lm_head,
 *  norms and biases stay 16-bit (servingWeightBytes). */
export const SERVING_QUANT_BITS = { int4: QUANT_BITS.int4, int8: 8 + 24 / 128 } as const;

/** Bytes per KV-cache element: bf16/fp16 2; int8 1 plus a 16-bit scale and zero point per head vector. */
export function kvBytesPerElement(m: CatalogModel, precision: InferenceSettings["kvCachePrecision"]): number {
  return precision === "int8" ? 1 + 4 / headDim(m) : 2;
}

/** KV cache bytes = 2 (K and V) × sequences × tokens × layers × kv_heads × head_dim × bytes/element
 *  (docs/sources.md#mem-6.1; KV heads, not query heads, for grouped-query attention). */
export function kvCacheBytes(
  m: CatalogModel,
  tokens: number,
  sequences: number,
  bytesPerElement = 2,
): number {
  return 2 * sequences * tokens * m.numLayers * m.numKeyValueHeads * headDim(m) * bytesPerElement;
}

/** Weight bytes at a serving precision: block matrices quantised, embeddings/lm_head/norms/biases kept 16-bit. */
export function servingWeightBytes(m: CatalogModel, precision: InferenceSettings["precision"]): number {
  const total = parameterCount(m);
  if (precision === "bf16" || precision === "fp16") return total * 2;
  const lin = linearWeightParams(m);
  return (lin * SERVING_QUANT_BITS[precision]) / 8 + (total - lin) * 2;
}

/** The largest block matrix in fp16: the dequantisation scratch of int4/int8 kernels (AutoGPTQ exllama
 *  temp_dq buffer; AutoAWQ dequantises the whole matrix for long inputs), one matrix at a time. */
export function largestMatrixBytes(m: CatalogModel): number {
  const d = headDim(m);
  const ff = m.expertIntermediateSize ?? m.intermediateSize;
  return 2 * m.hiddenSize * Math.max(ff, m.numAttentionHeads * d, m.numKeyValueHeads * d);
}

/** Live buffers of one layer while a prefill of `tokens` runs: gated MLP (activated gate, up and their
 *  product: 3 × tokens × width, MoE: the routed experts' widths summed) plus ~4 hidden-size tensors
 *  (residual, normed input, attention output, q/k/v), all 16-bit. FlashAttention/SDPA: no tokens² scores. */
export function prefillLayerBytes(m: CatalogModel, tokens: number): number {
  const ff = (m.expertIntermediateSize ?? m.intermediateSize) * (m.numExpertsPerToken ?? 1);
  return tokens * (3 * ff + 4 * m.hiddenSize) * 2;
}

/** Logits the prefill materialises: last position only (fp32, per sequence), or every prompt position
 *  (16-bit lm_head output + fp32 upcast alive together: 6 B per element). */
export function prefillLogitsBytes(
  m: CatalogModel,
  mode: "last" | "all",
  prefillTokens: number,
  sequences: number,
): number {
  return mode === "all" ? prefillTokens * m.vocabSize * 6 : sequences * m.vocabSize * 4;
}

/** Estimated peak GPU memory per GPU of an inference replica split over `gpus` GPUs. */
export function estimateInferenceMemory(m: CatalogModel, s: InferenceSettings): MemoryEstimate {
  const prefillTokens = s.prefillTokens ?? s.contextLength;
  for (const [k, v] of [
    ["contextLength", s.contextLength],
    ["concurrency", s.concurrency],
    ["gpus", s.gpus],
    ["prefillTokens", prefillTokens],
  ] as const)
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${k}: expected a positive integer, got ${v}`);
  const logitsMode = s.prefillLogits ?? "last";
  const kvCopies = s.legacyKvCache ? 2 : 1;
  const kvBytes = kvBytesPerElement(m, s.kvCachePrecision);
  const weights = servingWeightBytes(m, s.precision) / s.gpus;
  const kv = (kvCopies * kvCacheBytes(m, s.contextLength, s.concurrency, kvBytes)) / s.gpus;
  // Per GPU, a layer's prefill buffers and the logits are not divided: with a layer split (HF device_map)
  // every GPU runs whole layers and the last one holds the logits; under tensor parallelism this is an upper
  // bound. The layer buffers are freed before lm_head runs, so the peak is the larger of the two.
  const layer = prefillLayerBytes(m, prefillTokens);
  const logits = prefillLogitsBytes(m, logitsMode, prefillTokens, s.concurrency);
  const quantBits =
    s.precision === "int4" || s.precision === "int8" ? SERVING_QUANT_BITS[s.precision] : undefined;
  const quantised = quantBits !== undefined;
  const items: MemoryItem[] = [
    {
      name: "weights",
      bytes: weights,
      note: `${fmtParams(parameterCount(m))} params at ${s.precision}${quantBits !== undefined ? ` (${quantBits.toFixed(3)} bits/weight in block matrices, embeddings 16-bit)` : ""} / ${s.gpus} GPU(s)`,
    },
    {
      name: "KV cache",
      bytes: kv,
      note: `${kvCopies > 1 ? "2 copies (tuple cache rebuilt by torch.cat) × " : ""}2 × ${s.concurrency} seq × ${s.contextLength} tok × ${m.numLayers} layers × ${m.numKeyValueHeads} kv heads × ${headDim(m)} × ${kvBytes.toFixed(3)} B / ${s.gpus} GPU(s)`,
    },
    {
      name: "prefill working set",
      bytes: Math.max(layer, logits),
      note: `max(one layer's MLP/attention buffers for ${prefillTokens} prompt tokens, ${logitsMode === "all" ? `logits of all ${prefillTokens} positions (16-bit + fp32)` : "last-position fp32 logits"})`,
    },
  ];
  if (quantised)
    items.push({
      name: "dequantisation scratch",
      bytes: largestMatrixBytes(m),
      note: "largest block matrix in fp16 (GPTQ/AWQ kernels dequantise one matrix at a time)",
    });
  const live = items.reduce((a, i) => a + i.bytes, 0);
  items.push(
    {
      name: "allocator overhead",
      bytes: live * (ALLOCATOR_OVERHEAD_FACTOR - 1),
      note: "fragmentation, workspaces",
    },
    { name: "CUDA context", bytes: CUDA_CONTEXT_BYTES, note: "context and kernels (HF anatomy: 1343 MB)" },
  );
  const perGpuBytes = items.reduce((a, i) => a + i.bytes, 0);
  return {
    perGpuBytes,
    perGpuGiB: perGpuBytes / GiB,
    breakdown: items,
    assumptions: [
      `${s.concurrency} concurrent sequence(s) each holding ${s.contextLength} tokens of KV cache (${s.kvCachePrecision ?? "bf16"})${s.legacyKvCache ? ", two copies at the peak (legacy tuple cache)" : ""}`,
      `one prefill pass of ${prefillTokens} tokens with FlashAttention/SDPA (no tokens² scores), ${logitsMode === "all" ? "logits for every prompt position" : "logits for the last position only"}`,
      "engines that pre-allocate (vLLM gpu_memory_utilization 0.9) take more than this; the estimate is what the model needs",
    ],
  };
}
