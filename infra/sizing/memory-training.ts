// GPU memory per GPU for fine-tuning: model states (ZeRO paper / DeepSpeed memory.rst), activations
// (Korthikanti et al., SwiGLU variant), logits and loss buffers, framework overhead. Pure functions.
import { embeddingParams, headDim, layerParams, parameterCount, type CatalogModel } from "../catalog";
import {
  ALLOCATOR_OVERHEAD_FACTOR,
  CUDA_CONTEXT_BYTES,
  LOGITS_BYTES_PER_ELEMENT,
  ZERO_REDUCE_BUCKET_ELEMENTS,
} from "./calibration";
import { loraParameterCount, resolveLoraTargets } from "./lora";
import type { MemoryEstimate, MemoryItem, Precision, Quant, TrainingSettings } from "./settings";
import { fmtGiB, fmtParams, GiB } from "./units";

/** Bits per quantised weight, quantisation constants included.
 *  NF4: 4 bits + fp32 absmax per 64-weight block = 4.5; double quantisation stores the absmax in 8 bits
 *  with an fp32 constant per 256 blocks: 4 + 8/64 + 32/(64·256) ≈ 4.127 (saves ~0.37 bit, docs/sources.md#mem-3).
 *  int4 (GPTQ/AWQ, group 128): 4 + (fp16 scale + 4-bit zero)/128 ≈ 4.156. int8: 8 (+ negligible row scales). */
export const QUANT_BITS: Record<Quant, number> = {
  nf4: 4 + 32 / 64,
  "nf4-double": 4 + 8 / 64 + 32 / (64 * 256),
  int4: 4 + 20 / 128,
  int8: 8,
};

/** Bytes of the working (compute) copy of a weight. */
export function weightBytes(p: Precision): number {
  return p === "fp32" ? 4 : 2;
}

const isMixed = (p: Precision): boolean => p.endsWith("-mixed");
/** fp32 state for mixed precision and fp32; the 16-bit type itself for *-true (docs/sources.md#mem-1.5). */
const stateBytes = (p: Precision): number => (p.endsWith("-true") ? 2 : 4);

/** Optimizer state bytes per trainable parameter: AdamW 2 states, SGD momentum 1 state, 8-bit AdamW 2 B
 *  (HF model_memory_anatomy, docs/sources.md#mem-1.1). */
export function optimizerBytesPerParam(s: Pick<TrainingSettings, "optimizer" | "precision">): number {
  if (s.optimizer === "adamw-8bit") return 2;
  if (s.optimizer === "sgd") return stateBytes(s.precision);
  return 2 * stateBytes(s.precision);
}

/** Per-GPU model-state bytes of mixed-precision Adam under ZeRO (ZeRO paper, docs/sources.md#mem-1.2):
 *  stage 0: (2+2+K)Ψ; 1: 4Ψ + KΨ/N; 2: 2Ψ + (2+K)Ψ/N; 3: (2+2+K)Ψ/N, with K = 12. */
export function zeroModelStateBytes(params: number, stage: 0 | 1 | 2 | 3, gpus: number, k = 12): number {
  if (stage === 0) return (4 + k) * params;
  if (stage === 1) return 4 * params + (k * params) / gpus;
  if (stage === 2) return 2 * params + ((2 + k) * params) / gpus;
  return ((4 + k) * params) / gpus;
}

/** Weight-matrix parameters of the transformer blocks (what QLoRA quantises). */
export function linearWeightParams(m: CatalogModel): number {
  const d = headDim(m);
  const q = m.numAttentionHeads * d;
  const kv = m.numKeyValueHeads * d;
  const attn = 2 * m.hiddenSize * q + 2 * m.hiddenSize * kv;
  const mlp = (m.numExperts ?? 1) * 3 * m.hiddenSize * (m.expertIntermediateSize ?? m.intermediateSize);
  return m.numLayers * (attn + mlp);
}

export interface TrainableParams {
  /** Base-model weights made trainable (full, freeze, trainable embeddings). */
  dense: number;
  /** LoRA adapter parameters. */
  adapter: number;
}

/** Which parameters train, by method. */
export function trainableParams(m: CatalogModel, s: TrainingSettings): TrainableParams {
  const emb = s.trainableEmbeddings ? embeddingParams(m) : 0;
  switch (s.method) {
    case "full":
      return { dense: parameterCount(m), adapter: 0 };
    case "freeze":
      return { dense: Math.min(s.freezeTrainableLayers, m.numLayers) * layerParams(m) + emb, adapter: 0 };
    case "lora":
    case "qlora":
      return { dense: emb, adapter: loraParameterCount(m, s.loraRank, s.loraTargets) };
  }
}

/** Activation bytes of one transformer layer without recomputation, 16-bit (Korthikanti et al. 2022,
 *  docs/sources.md#mem-2): norms 4sbh + attention 6sbh + 4sb·kv_dim (GQA-aware Q/K/V, output) + SwiGLU MLP
 *  3sbh + 8sb·I (per token, experts-per-token times for MoE); without flash attention + 5·a·s²·b. */
export function layerActivationBytes(m: CatalogModel, seqLen: number, batch: number, flash: boolean): number {
  const sb = seqLen * batch;
  const kvDim = m.numKeyValueHeads * headDim(m);
  const ff = (m.expertIntermediateSize ?? m.intermediateSize) * (m.numExpertsPerToken ?? 1);
  const linearPart = sb * (13 * m.hiddenSize + 4 * kvDim + 8 * ff);
  const scores = flash ? 0 : 5 * m.numAttentionHeads * seqLen * seqLen * batch;
  return linearPart + scores;
}

/** Layers whose activations autograd keeps: for freeze (no trainable embeddings) only the trainable tail. */
function layersWithActivations(m: CatalogModel, s: TrainingSettings): number {
  if (s.method === "freeze" && !s.trainableEmbeddings) return Math.min(s.freezeTrainableLayers, m.numLayers);
  return m.numLayers;
}

/** Model families whose causal-LM loss runs on the logits' own dtype (no `.float()`): Qwen v1 remote code
 *  (QWenLMHeadModel.forward: CrossEntropyLoss(shift_logits, …)). Modern transformers models upcast. */
const LOSS_WITHOUT_UPCAST_FAMILIES: readonly string[] = ["qwen"];
/** 16-bit loss: logits 2 + shifted contiguous copy 2 + log-softmax saved 2 + its gradient 2. */
const LOGITS_16BIT_BYTES_PER_ELEMENT = 8;

/** Estimated peak GPU memory per GPU for a fine-tuning run, with a breakdown that sums to the total. */
export function estimateTrainingMemory(m: CatalogModel, s: TrainingSettings): MemoryEstimate {
  validateTraining(m, s);
  const n = s.gpusPerNode * s.nodes;
  const assumptions: string[] = [];
  const total = parameterCount(m);
  const train = trainableParams(m, s);
  const trainable = train.dense + train.adapter;
  const z = s.zeroStage;
  const offloadOpt = s.offload && z >= 1;
  if (s.offload && z === 0) assumptions.push("--offload ignored: CPU offload needs ZeRO stage ≥ 1");
  const shard = (stageNeeded: number): number => (z >= stageNeeded ? n : 1);

  // ---- weights: 16-bit (or fp32) working copy; QLoRA quantises the blocks' weight matrices ----
  const w = weightBytes(s.precision);
  let weightBytesTotal: number;
  let weightNote: string;
  if (s.method === "qlora") {
    const quant = s.quant ?? "nf4-double";
    const lin = linearWeightParams(m);
    weightBytesTotal = (lin * QUANT_BITS[quant]) / 8 + (total - lin) * w;
    weightNote = `${fmtParams(lin)} block weights at ${QUANT_BITS[quant].toFixed(3)} bit (${quant}) + ${fmtParams(total - lin)} embeddings/norms/biases at ${w} B`;
  } else {
    weightBytesTotal = total * w;
    weightNote = `${w} B × ${fmtParams(total)} params`;
  }
  const paramsOffloaded = offloadOpt && z === 3;
  const weightsGpu = paramsOffloaded ? 0 : weightBytesTotal / shard(3);
  weightNote += paramsOffloaded ? " — offloaded to CPU (ZeRO-3)" : z === 3 ? ` / ${n} GPUs (ZeRO-3)` : "";

  // ---- trainable states: adapters, master copies, gradients, optimizer states ----
  const adapterW = isMixed(s.precision) ? 4 : w; // PEFT keeps adapters in fp32 under AMP (autocast_adapter_dtype)
  const adapterWeights = (train.adapter * adapterW) / shard(3);
  // Embeddings trained next to LoRA are PEFT modules_to_save: a trainable *copy* in the loaded weight dtype,
  // with no fp32 master (only LoRA adapters are upcast), so its optimizer states follow that dtype too.
  const savedModules = s.method === "lora" || s.method === "qlora" ? train.dense : 0;
  const baseTrainable = train.dense - savedModules;
  const copies = savedModules * w;
  const master = isMixed(s.precision) ? (baseTrainable * 4) / shard(1) : 0; // fp32 master of 16-bit weights
  const gradBytes = train.dense * (s.precision === "fp32" ? 4 : 2) + train.adapter * adapterW;
  // Optimizer-in-backward frees each gradient right after its update: no full gradient set is held.
  const gradsHeld = !s.optimizerInBackward;
  const gradsGpu = !gradsHeld || (offloadOpt && z >= 2) ? 0 : gradBytes / shard(2);
  const optPer = optimizerBytesPerParam(s);
  const savedOptPer = optimizerBytesPerParam({
    optimizer: s.optimizer,
    precision: w === 4 ? "fp32" : "bf16-true",
  });
  const optBytes = (trainable - savedModules) * optPer + savedModules * savedOptPer;
  const optGpu = offloadOpt || s.pagedOptimizer ? 0 : optBytes / shard(1);
  const masterGpu = offloadOpt ? 0 : master;
  // DDP without ZeRO keeps a flat gradient bucket copy (PyTorch default gradient_as_bucket_view=False).
  const ddpBuckets = z === 0 && n > 1 && gradsHeld ? gradBytes : 0;
  // ZeRO-3 gathers the largest layer's 16-bit params and grads: 4 × largest_layer_params (DeepSpeed memory.rst).
  const largest = Math.max(m.vocabSize * m.hiddenSize, m.hiddenSize * m.intermediateSize);
  const zero3Gather = z === 3 ? 4 * largest : 0;
  // ZeRO-1/2 (DeepSpeed stage_1_and_2) with contiguous_gradients allocates the gradient-reduction (ipg) bucket at
  // its full configured size whatever the model size, twice with overlap_comm: Qwen's and ms-swift's
  // ds_config_zero2.json set reduce_bucket_size 2e8 and overlap_comm true → 2 × 2e8 × 2 B = 0.8 GB.
  const zeroBuckets = z === 1 || z === 2 ? ZERO_REDUCE_BUCKET_ELEMENTS * 2 * 2 : 0;
  // Optimizer step: fp32 gradients for the update (DeepSpeed memory.rst: "grads converted to fp32 before the
  // update") / foreach temporaries in torch AdamW: one state-typed copy of the (sharded) trainable params.
  const stepBuffer = offloadOpt || !gradsHeld ? 0 : (trainable * stateBytes(s.precision)) / shard(1);
  // QLoRA dequantises one weight to 16 bit for each matmul (forward, and again in backward for the input
  // gradient) and frees it right after: one largest block matrix in 16 bit is alive at a time.
  const dequant = s.method === "qlora" ? 2 * m.hiddenSize * m.intermediateSize : 0;

  // ---- activations and logits (per GPU: each data-parallel rank holds its own micro-batch) ----
  const sbh = s.seqLen * s.microBatchSize * m.hiddenSize;
  const actLayers = layersWithActivations(m, s);
  const oneLayer = layerActivationBytes(m, s.seqLen, s.microBatchSize, s.flashAttention);
  const checkpointed = s.activationOffload ? 0 : actLayers * 2 * sbh; // offloaded inputs live in CPU RAM
  // SDPA (no FlashAttention-2 on the GPU): one b×1×s×s mask in the compute dtype, shared by every layer.
  const sdpaMask =
    s.flashAttention && s.attention === "sdpa"
      ? s.seqLen * s.seqLen * s.microBatchSize * (s.precision === "fp32" ? 4 : 2)
      : 0;
  const activations = (s.gradientCheckpointing ? checkpointed + oneLayer : actLayers * oneLayer) + sdpaMask;
  // Loss precision. HF models upcast the logits to fp32 for the loss (12 B/element, see calibration), and so does
  // torch autocast (cross_entropy runs in fp32). Under DeepSpeed (ZeRO ≥ 1) the engine casts the model to 16 bit
  // and HF/accelerate turn autocast off; a model whose own loss code does not upcast (Qwen v1's remote
  // modeling_qwen.py: CrossEntropyLoss on the raw 16-bit logits) then keeps every loss buffer in 16 bit.
  const loss16 = z >= 1 && LOSS_WITHOUT_UPCAST_FAMILIES.includes(m.family) && s.precision !== "fp32";
  const fullLogitBytes = loss16 ? LOGITS_16BIT_BYTES_PER_ELEMENT : LOGITS_BYTES_PER_ELEMENT;
  // Chunked loss keeps the 16-bit logits (2 B) and one of 8 fp32 chunks of the rest at a time.
  const logitBytes = s.chunkedLoss ? 2 + (fullLogitBytes - 2) / 8 : fullLogitBytes;
  if (loss16)
    assumptions.push(
      `loss in 16 bit: DeepSpeed runs without autocast and ${m.family} model code does not upcast logits`,
    );
  const logitsFull = s.seqLen * s.microBatchSize * m.vocabSize * logitBytes;
  // With checkpointing the loss buffers and the recomputed layer are not alive together: the loss's forward and
  // backward run (and free the logits and their gradient) before the last layer is recomputed. So only the part
  // of the loss buffers above one recomputed layer adds to the peak. Without checkpointing every layer's
  // activations are alive at the loss, and the two add up.
  const logits = s.gradientCheckpointing ? Math.max(0, logitsFull - oneLayer) : logitsFull;

  const copiesGpu = copies / shard(3);
  const states =
    weightsGpu +
    copiesGpu +
    adapterWeights +
    masterGpu +
    gradsGpu +
    optGpu +
    ddpBuckets +
    zero3Gather +
    zeroBuckets;
  const backwardPeak = states + dequant + activations + logits;
  const stepPeak = states + stepBuffer;
  const stepIsPeak = stepPeak > backwardPeak;

  const gpus = (stage: number): string => (z >= stage && n > 1 ? ` / ${n} GPUs (ZeRO-${z})` : "");
  const items: MemoryItem[] = [
    { name: "weights", bytes: weightsGpu, note: weightNote },
    {
      name: "trainable adapters",
      bytes: adapterWeights,
      note: `LoRA r=${s.loraRank} on ${resolveLoraTargets(s.loraTargets).join(",")}: ${fmtParams(train.adapter)} params × ${adapterW} B${gpus(3)}`,
    },
    {
      name: "modules_to_save copies",
      bytes: copiesGpu,
      note: `trainable copy of embedding/output head: ${fmtParams(savedModules)} × ${w} B${gpus(3)}`,
    },
    {
      name: "master weights",
      bytes: masterGpu,
      note: isMixed(s.precision)
        ? `fp32 copy of ${fmtParams(baseTrainable)} trainable base weights${offloadOpt ? " — offloaded to CPU" : gpus(1)}`
        : "none (no mixed precision)",
    },
    {
      name: "gradients",
      bytes: gradsGpu,
      note: `${fmtParams(trainable)} trainable params${offloadOpt && z >= 2 ? " — offloaded to CPU" : gpus(2)}`,
    },
    {
      name: "optimizer states",
      bytes: optGpu,
      note: `${s.optimizer} ${optPer} B × ${fmtParams(trainable - savedModules)} trainable${savedModules ? ` + ${savedOptPer} B × ${fmtParams(savedModules)} saved modules` : ""}${offloadOpt ? " — offloaded to CPU" : s.pagedOptimizer ? " — paged to unified memory, not counted" : gpus(1)}`,
    },
  ];
  if (ddpBuckets)
    items.push({ name: "DDP gradient buckets", bytes: ddpBuckets, note: "flat copy of gradients" });
  if (zero3Gather)
    items.push({
      name: "ZeRO-3 gathered layer",
      bytes: zero3Gather,
      note: `4 B × ${fmtParams(largest)} largest layer`,
    });
  if (zeroBuckets)
    items.push({
      name: "ZeRO-1/2 reduce buckets",
      bytes: zeroBuckets,
      note: `2 × reduce_bucket_size ${ZERO_REDUCE_BUCKET_ELEMENTS.toExponential(0)} × 2 B (contiguous_gradients + overlap_comm)`,
    });
  if (stepIsPeak) {
    items.push({
      name: "optimizer step buffer",
      bytes: stepBuffer,
      note: `${stateBytes(s.precision)} B × trainable shard; the step is the peak phase (activations freed), backward phase would need ${fmtGiB(backwardPeak)}`,
    });
  } else {
    if (dequant)
      items.push({
        name: "dequantisation buffers",
        bytes: dequant,
        note: "one largest block matrix dequantised to 16 bit (one matmul at a time)",
      });
    items.push({
      name: "activations",
      bytes: activations,
      note:
        (s.gradientCheckpointing
          ? `checkpointing: ${s.activationOffload ? "inputs offloaded to CPU" : `${actLayers} layer inputs × 2·s·b·h`} + one layer recomputed (${fmtGiB(oneLayer)})`
          : `${actLayers} layers × ${fmtGiB(oneLayer)}${s.flashAttention ? "" : " incl. s² attention scores"}`) +
        (sdpaMask ? `; SDPA attention mask b×s×s (${fmtGiB(sdpaMask)})` : ""),
    });
    items.push({
      name: "logits and loss",
      bytes: logits,
      note: `${logitBytes} B × seq ${s.seqLen} × batch ${s.microBatchSize} × vocab ${m.vocabSize} = ${fmtGiB(logitsFull)}${s.gradientCheckpointing ? ", less the recomputed layer it never coexists with" : ""}`,
    });
  }
  const live = items.reduce((a, it) => a + it.bytes, 0);
  items.push({
    name: "allocator overhead",
    bytes: live * (ALLOCATOR_OVERHEAD_FACTOR - 1),
    note: `${Math.round((ALLOCATOR_OVERHEAD_FACTOR - 1) * 100)} % of live tensors (fragmentation, workspaces, buckets)`,
  });
  items.push({
    name: "CUDA context",
    bytes: CUDA_CONTEXT_BYTES,
    note: "context and kernels (HF anatomy: 1343 MB)",
  });

  assumptions.push(
    `${n} GPU(s) (${s.nodes} node(s) × ${s.gpusPerNode}), ZeRO stage ${z}${s.offload ? " with CPU offload" : ""}`,
    `${s.precision}; gradient checkpointing ${s.gradientCheckpointing ? "on" : "off"}; flash attention ${s.flashAttention ? (s.attention === "sdpa" ? "on (SDPA)" : "on") : "off"}`,
  );
  assumptions.push(
    gradsHeld
      ? "gradients are held through the forward pass (gradient accumulation > 1 or not set-to-none)"
      : "optimizer step fused into backward: gradients freed as they are applied",
  );
  if (m.numExperts)
    assumptions.push(
      `MoE: all ${m.numExperts} experts resident; activations for ${m.numExpertsPerToken} per token`,
    );
  const perGpuBytes = items.reduce((a, it) => a + it.bytes, 0);
  return {
    perGpuBytes,
    perGpuGiB: perGpuBytes / GiB,
    breakdown: items.filter((i) => i.bytes > 0),
    assumptions,
  };
}

function validateTraining(m: CatalogModel, s: TrainingSettings): void {
  const positive: [string, number][] = [
    ["seqLen", s.seqLen],
    ["microBatchSize", s.microBatchSize],
    ["gpusPerNode", s.gpusPerNode],
    ["nodes", s.nodes],
  ];
  for (const [k, v] of positive)
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${k}: expected a positive integer, got ${v}`);
  if ((s.method === "lora" || s.method === "qlora") && (!Number.isInteger(s.loraRank) || s.loraRank <= 0))
    throw new RangeError(`loraRank: expected a positive integer, got ${s.loraRank}`);
  if (m.numLayers <= 0) throw new RangeError(`${m.id}: numLayers must be positive`);
}
