// GPU memory for serving (PAI-EAS): weights at the serving precision, KV cache, working buffers, overhead.
import { headDim, parameterCount, type ModelSpec } from "../catalog";
import { ALLOCATOR_OVERHEAD_FACTOR, CUDA_CONTEXT_BYTES } from "./calibration";
import { linearWeightParams, QUANT_BITS } from "./memory-training";
import type { InferenceSettings, MemoryEstimate, MemoryItem } from "./settings";
import { fmtParams, GiB } from "./units";

/** KV cache bytes = 2 (K and V) × sequences × tokens × layers × kv_heads × head_dim × bytes/element
 *  (finetune-memory.md §6.1; KV heads, not query heads, for grouped-query attention). */
export function kvCacheBytes(m: ModelSpec, tokens: number, sequences: number, bytesPerElement = 2): number {
  return 2 * sequences * tokens * m.numLayers * m.numKeyValueHeads * headDim(m) * bytesPerElement;
}

/** Weight bytes at a serving precision: block matrices quantised, embeddings/norms/biases kept 16-bit. */
export function servingWeightBytes(m: ModelSpec, precision: InferenceSettings["precision"]): number {
  const total = parameterCount(m);
  if (precision === "bf16" || precision === "fp16") return total * 2;
  const lin = linearWeightParams(m);
  const bits = precision === "int8" ? QUANT_BITS.int8 : QUANT_BITS.int4;
  return (lin * bits) / 8 + (total - lin) * 2;
}

/** Estimated peak GPU memory per GPU of an inference replica split over `gpus` GPUs (tensor parallel). */
export function estimateInferenceMemory(m: ModelSpec, s: InferenceSettings): MemoryEstimate {
  for (const [k, v] of [
    ["contextLength", s.contextLength],
    ["concurrency", s.concurrency],
    ["gpus", s.gpus],
  ] as const)
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${k}: expected a positive integer, got ${v}`);
  const kvBytes = s.kvCachePrecision === "int8" ? 1 : 2;
  const weights = servingWeightBytes(m, s.precision) / s.gpus;
  const kv = kvCacheBytes(m, s.contextLength, s.concurrency, kvBytes) / s.gpus;
  // Prefill working set of one layer for the longest prompt: MLP intermediates (3 × s × I in 16 bit) and
  // q/k/v/attention output; only the last position's logits (fp32) per sequence (transformers ≥ 4.45).
  const ff = (m.expertIntermediateSize ?? m.intermediateSize) * (m.numExpertsPerToken ?? 1);
  const prefill = (s.contextLength * (3 * ff + 4 * m.hiddenSize) * 2) / s.gpus;
  const lastLogits = s.concurrency * m.vocabSize * 4;
  const items: MemoryItem[] = [
    {
      name: "weights",
      bytes: weights,
      note: `${fmtParams(parameterCount(m))} params at ${s.precision} / ${s.gpus} GPU(s)`,
    },
    {
      name: "KV cache",
      bytes: kv,
      note: `2 × ${s.concurrency} seq × ${s.contextLength} tok × ${m.numLayers} layers × ${m.numKeyValueHeads} kv heads × ${headDim(m)} × ${kvBytes} B / ${s.gpus} GPU(s)`,
    },
    {
      name: "prefill working set",
      bytes: prefill + lastLogits,
      note: "one layer's MLP/attention buffers for the prompt + last-token logits",
    },
  ];
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
      `${s.concurrency} concurrent sequence(s) each holding ${s.contextLength} tokens of KV cache (${s.kvCachePrecision ?? "bf16"})`,
      "engines that pre-allocate (vLLM gpu_memory_utilization 0.9) take more than this; the estimate is what the model needs",
    ],
  };
}
