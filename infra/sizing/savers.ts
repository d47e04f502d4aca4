// Memory savers that do not change what the model learns: Liger's fused linear + cross-entropy, activation
// offloading to CPU, paged optimizer states, and DeepSpeed ZeRO-3 sub-groups. Each one's memory term (used by
// memory-training.ts) and time cost (used by time-cost.ts) lives here, with its source.
import type { CatalogModel } from "../catalog";
import { DEFAULT_ZERO_SUB_GROUP_SIZE, type TrainingSettings } from "./settings";

/** The savers the right-sizer may turn on: none changes the method, the precision or the numerics of the update. */
export type Saver = "ligerKernel" | "activationOffload" | "pagedOptimizer" | "zeroSubGroup";
export const SAVERS: readonly Saver[] = [
  "ligerKernel",
  "activationOffload",
  "pagedOptimizer",
  "zeroSubGroup",
];

/** The smaller `sub_group_size` the right-sizer tries: DeepSpeed updates one sub-group at a time
 *  (docs/_pages/config-json.md), so a smaller one shrinks the step's buffers; 1e8, an order of magnitude below the
 *  default, is our choice (more, smaller optimizer launches; no change to the update). */
export const SMALL_ZERO_SUB_GROUP_SIZE = 1e8;

/** Host↔GPU copy bandwidth assumed for offloaded activations and paged optimizer states: 16 GB/s, a
 *  conservative effective figure for PCIe 4.0 x16 (32 GB/s per direction on paper). A stated assumption. */
export const HOST_LINK_BYTES_PER_SECOND = 16e9;

/** The settings with one saver on. */
export function withSaver(s: TrainingSettings, saver: Saver): TrainingSettings {
  switch (saver) {
    case "ligerKernel":
      return { ...s, ligerKernel: true };
    case "activationOffload":
      return { ...s, activationOffload: true };
    case "pagedOptimizer":
      return { ...s, pagedOptimizer: true };
    case "zeroSubGroup":
      return { ...s, zeroSubGroupSize: SMALL_ZERO_SUB_GROUP_SIZE };
  }
}

/** Whether a saver means anything for these settings (sub-groups are ZeRO-3 only, offloading needs
 *  checkpointing, paging needs an optimizer state on the GPU). */
export function saverApplies(s: TrainingSettings, saver: Saver): boolean {
  switch (saver) {
    case "ligerKernel":
      return true;
    case "activationOffload":
      return s.gradientCheckpointing;
    case "pagedOptimizer":
      // bitsandbytes pages AdamW (32- and 8-bit) states; CPU-offloaded states are not on the GPU anyway.
      return s.optimizer !== "sgd" && !s.optimizerInBackward && !(s.offload && s.zeroStage >= 1);
    case "zeroSubGroup":
      return s.zeroStage === 3 && !s.offload;
  }
}

/** Whether the settings already have the saver on. */
export function saverOn(s: TrainingSettings, saver: Saver): boolean {
  switch (saver) {
    case "ligerKernel":
      return s.ligerKernel === true;
    case "activationOffload":
      return s.activationOffload;
    case "pagedOptimizer":
      return s.pagedOptimizer;
    case "zeroSubGroup":
      return (s.zeroSubGroupSize ?? DEFAULT_ZERO_SUB_GROUP_SIZE) <= SMALL_ZERO_SUB_GROUP_SIZE;
  }
}

const nextPow2 = (x: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, x)));

/**
 * GPU bytes of Liger's fused linear + cross-entropy (linkedin/Liger-Kernel
 * src/liger_kernel/ops/fused_linear_cross_entropy.py, `fused_linear_cross_entropy_forward`): the B·T tokens are
 * split into chunks of next_pow2(⌈B·T / ⌈V/H⌉⌉) rows so one chunk's logits are about the size of the hidden
 * states; per chunk the logits (16 bit) are computed, overwritten in place by their gradient, and multiplied back
 * into `grad_input` (B·T × H, the hidden states' dtype) and, when the output head trains, `grad_weight` (V × H,
 * the head's gradient dtype). A fp32 loss per token is kept. Nothing of size B·T × V outlives one chunk.
 */
export function ligerLossBytes(
  m: CatalogModel,
  s: TrainingSettings,
  headTrains: boolean,
): { bytes: number; note: string } {
  const bt = s.seqLen * s.microBatchSize;
  const act = s.precision === "fp32" ? 4 : 2;
  const chunkRows = Math.min(bt, nextPow2(Math.ceil(bt / Math.ceil(m.vocabSize / m.hiddenSize))));
  const chunk = chunkRows * m.vocabSize * act;
  const gradInput = bt * m.hiddenSize * act;
  const gradWeight = headTrains ? m.vocabSize * m.hiddenSize * (s.precision === "fp32" ? 4 : 2) : 0;
  const loss = bt * 4;
  return {
    bytes: chunk + gradInput + gradWeight + loss,
    note: `Liger fused linear cross-entropy: one ${chunkRows}-token chunk of logits + grad_input (B·T × H)${headTrains ? " + output-head grad_weight (V × H)" : ""} + fp32 loss per token; no B·T × V logits`,
  };
}

/**
 * ZeRO-3's optimizer step, per sub-group (deepspeedai/DeepSpeed deepspeed/runtime/zero/stage3.py,
 * `_prepare_fp32_grad_for_sub_group`: `self.flatten(self.averaged_gradients[i]).to(fp32)`): a flat 16-bit copy
 * of the sub-group's gradients and its fp32 conversion coexist, then the fp32 copy is held through that
 * sub-group's update and dropped. `_create_fp16_sub_groups` adds this rank's parameter partitions to a sub-group
 * until it holds at least sub_group_size elements, so the largest sub-group is below sub_group_size plus one
 * tensor's partition: the transient is (grad bytes + 4) × min(trainable / GPUs, sub_group_size + largest / GPUs).
 */
export function zero3StepBytes(
  trainable: number,
  largestTensor: number,
  gpus: number,
  s: TrainingSettings,
): { bytes: number; elements: number; subGroups: number; note: string } {
  const shard = trainable / gpus;
  const size = s.zeroSubGroupSize ?? DEFAULT_ZERO_SUB_GROUP_SIZE;
  const elements = Math.min(shard, size + largestTensor / gpus);
  const grad = s.precision === "fp32" ? 4 : 2;
  const fp32 = 4;
  return {
    bytes: elements * (grad + fp32),
    elements,
    subGroups: Math.max(1, Math.ceil(shard / size)),
    note: `ZeRO-3 sub_group_size ${size.toExponential(0)}: flat ${grad} B + fp32 4 B gradient copy of one sub-group (${(elements / 1e6).toFixed(0)}M of the ${(shard / 1e6).toFixed(0)}M-element shard)`,
  };
}

/** Offloaded activations in flight: in the forward pass the layer input stays on the GPU until its
 *  non-blocking copy to pinned host memory completes, next to the layer being computed — one 2·s·b·h input
 *  (LLaMA-Factory's Unsloth-style checkpointing: `hidden_states.to("cpu", non_blocking=True)`). In backward the
 *  input copied back is the recomputed layer's own input, already in its activations. */
export function offloadInFlightBytes(m: CatalogModel, s: TrainingSettings): number {
  return 2 * s.seqLen * s.microBatchSize * m.hiddenSize;
}
