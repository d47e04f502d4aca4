// Training and inference settings, their defaults, and the memory-estimate result shape.

export type FineTuneMethod = "full" | "freeze" | "lora" | "qlora";
/** `*-mixed`: 16-bit compute, fp32 master weights and optimizer states; `*-true`: everything in that type. */
export type Precision = "bf16-mixed" | "fp16-mixed" | "bf16-true" | "fp16-true" | "fp32";
/** Base-weight quantisation for QLoRA: bitsandbytes NF4 (± double quantisation), LLM.int8, GPTQ/AWQ int4. */
export type Quant = "nf4" | "nf4-double" | "int8" | "int4";
export type Optimizer = "adamw" | "adamw-8bit" | "sgd";
export type LoraModule = "q" | "k" | "v" | "o" | "gate" | "up" | "down";
export type LoraTargets = "all-linear" | "attention" | LoraModule[];

export interface TrainingSettings {
  method: FineTuneMethod;
  /** Default bf16-mixed (HF Trainer `bf16: true`, LLaMA-Factory / ms-swift / Qwen scripts). */
  precision: Precision;
  /** QLoRA base-weight format; default nf4-double for method qlora (bitsandbytes double quantisation is the default
   *  of LLaMA-Factory, ms-swift, axolotl, unsloth and the QLoRA paper; torchao NF4 in torchtune always quantises its
   *  scales), ignored otherwise. */
  quant?: Quant;
  /** Default adamw. */
  optimizer: Optimizer;
  /** Tokens per sample (padded or packed length). */
  seqLen: number;
  /** Samples per GPU per forward pass; default 1. */
  microBatchSize: number;
  /** Default true (Qwen scripts, ms-swift, torchtune, axolotl all default it on; docs/sources.md#mem-2). */
  gradientCheckpointing: boolean;
  /** Default true (FlashAttention/SDPA: no s² attention-score activations). */
  flashAttention: boolean;
  /**
   * Which kernel a memory-efficient attention runs (with flashAttention): FlashAttention-2, or PyTorch
   * SDPA on GPUs FlashAttention-2 does not support (Volta, Turing; gpu-capabilities.ts). SDPA's
   * memory-efficient kernel keeps no per-layer s² scores either, but Hugging Face models hand it an
   * explicit b×1×s×s additive mask when a batch is padded (`_prepare_4d_causal_attention_mask_for_sdpa`
   * in transformers' modeling_attn_mask_utils.py), one tensor shared by every layer. Default "fa2".
   */
  attention?: "fa2" | "sdpa";
  /** LoRA rank r; default 8 (LLaMA-Factory, ms-swift defaults; docs/sources.md#mem-4.1, docs/sources.md#mem-5.4). */
  loraRank: number;
  /** Default all-linear (q,k,v,o,gate,up,down). */
  loraTargets: LoraTargets;
  /** Default 1. */
  gpusPerNode: number;
  /** Default 1. */
  nodes: number;
  /** DeepSpeed ZeRO stage; default 0 (plain data parallel / single GPU). */
  zeroStage: 0 | 1 | 2 | 3;
  /** CPU offload: stage 1/2 offload optimizer states (and gradients); stage 3 also parameters. Default false. */
  offload: boolean;
  /** Method freeze: how many last layers are trainable; default 2 (LLaMA-Factory freeze_trainable_layers). */
  freezeTrainableLayers: number;
  /** Embedding and output head fully trainable (Qwen "LoRA (emb)", PEFT modules_to_save); default false. */
  trainableEmbeddings: boolean;
  /** Fuse the optimizer step into backward (torchtune optimizer_in_bwd): no full set of gradients is held.
   *  Default false. */
  optimizerInBackward: boolean;
  /** Paged optimizer (bitsandbytes Paged*): states live in CUDA unified memory that the driver evicts to the
   *  host, so they are not counted in the GPU peak. Default false. */
  pagedOptimizer: boolean;
  /** Chunked cross-entropy (torchtune CEWithChunkedOutputLoss, 8 chunks): only one fp32 chunk of logits at a
   *  time. Default false. */
  chunkedLoss: boolean;
  /** Offload checkpointed activations to CPU (torchtune enable_activation_offloading). Default false. */
  activationOffload: boolean;
}

/** Defaults that match what the common frameworks do; see each field's comment. */
export function defaultTrainingSettings(
  method: FineTuneMethod,
  overrides: Partial<TrainingSettings> = {},
): TrainingSettings {
  return {
    method,
    precision: "bf16-mixed",
    quant: method === "qlora" ? "nf4-double" : undefined,
    optimizer: "adamw",
    seqLen: 2048,
    microBatchSize: 1,
    gradientCheckpointing: true,
    flashAttention: true,
    loraRank: 8,
    loraTargets: "all-linear",
    gpusPerNode: 1,
    nodes: 1,
    zeroStage: 0,
    offload: false,
    freezeTrainableLayers: 2,
    trainableEmbeddings: false,
    optimizerInBackward: false,
    pagedOptimizer: false,
    chunkedLoss: false,
    activationOffload: false,
    ...overrides,
  };
}

export interface InferenceSettings {
  /** Serving weight format: bf16/fp16, int8 (GPTQ-Int8 / LLM.int8), int4 (GPTQ-Int4 / AWQ). */
  precision: "bf16" | "fp16" | "int8" | "int4";
  /** Tokens per sequence held in the KV cache (prompt + generated). */
  contextLength: number;
  /** Sequences served at once (each holds a full-context KV cache). */
  concurrency: number;
  /** GPUs the model is split over (tensor parallel); default 1. */
  gpus: number;
  /** Default bf16. int8: uint8 values plus a 16-bit scale and zero point per token and head (Qwen v1
   *  use_cache_quantization; docs/sources.md#mem-6.2). */
  kvCachePrecision?: "bf16" | "int8";
  /** Tokens one prefill forward pass processes (all prompts of the batch together). Default: contextLength —
   *  one prompt filling the whole context, the worst case a service must survive (vLLM without chunked prefill
   *  profiles max_model_len tokens). HF `generate` on a batch of b prompts of p tokens: b × p. */
  prefillTokens?: number;
  /** Which prompt positions the prefill turns into logits. "last" (default): only the last one (transformers
   *  ≥ 4.45 `num_logits_to_keep`, vLLM, SGLang). "all": every prompt position, in 16 bit plus the fp32 upcast
   *  (transformers < 4.45, e.g. 4.38 in docs/sources.md#mem-6.4) — 6 B × prompt tokens × vocab. */
  prefillLogits?: "last" | "all";
  /** Legacy tuple past_key_values (Qwen v1 remote code, transformers < 4.36): every step rebuilds each layer's
   *  cache with torch.cat while generate still holds the previous tuple, so two full caches coexist at the
   *  peak. Default false (DynamicCache grows layer by layer; vLLM pages). */
  legacyKvCache?: boolean;
}

/** One line of a memory breakdown. */
export interface MemoryItem {
  name: string;
  bytes: number;
  /** How the figure was derived, e.g. "AdamW fp32 m+v, 8 B × 40.0M trainable / 1 GPU". */
  note: string;
}

export interface MemoryEstimate {
  /** Estimated peak per GPU, bytes (= sum of breakdown). */
  perGpuBytes: number;
  /** perGpuBytes in GiB (2^30 bytes). */
  perGpuGiB: number;
  breakdown: MemoryItem[];
  /** Conditions and choices the estimate rests on, in words. */
  assumptions: string[];
}

/**
 * Breakdown items that PyTorch's allocator statistics do not count: the CUDA context and the
 * allocator's reserve. They must fit on the GPU, but `torch.cuda.max_memory_allocated` (what the
 * published inference tables report, docs/sources.md#mem-6.2–6.4) leaves them out.
 */
export const DEVICE_RESERVE_ITEMS: readonly string[] = ["CUDA context", "allocator overhead"];

/** Peak memory of live tensors: the estimate less the device reserve (see DEVICE_RESERVE_ITEMS). */
export function allocatedPeakBytes(est: MemoryEstimate): number {
  return est.breakdown.filter((i) => !DEVICE_RESERVE_ITEMS.includes(i.name)).reduce((a, i) => a + i.bytes, 0);
}
