// Time the memory savers add to a training run (savers.ts has their memory terms).
import type { CatalogModel, InstanceType } from "../catalog";
import { estimateTrainingMemory, optimizerBytesPerParam, trainableParams } from "./memory-training";
import { HOST_LINK_BYTES_PER_SECOND } from "./savers";
import type { TrainingSettings } from "./settings";
import type { Figure, TrainingWorkload } from "./time-cost";
import { GiB } from "./units";

/** Extra hours of the savers that are on. Liger's fused loss computes the logits once, with their gradient, in
 *  the forward pass (no extra FLOPs; its paper's speed-ups are not credited) and ZeRO-3 sub-groups only split
 *  the optimizer step into more launches (no extra FLOPs or copies): both add 0. Activation offloading copies
 *  each checkpointed layer input to the host and back every micro-step on a side stream, overlapped with the
 *  layers' compute, so only copy time beyond the compute time shows (torchtune's ablation, README "Optimization
 *  flags", measured 7,309 → 7,301 tokens/s). A paged optimizer moves the states that do not fit out and back
 *  once per optimizer step, when nothing else runs: counted in full. `computeHours`: the run's compute time. */
export function saverHours(
  m: CatalogModel,
  s: TrainingSettings,
  w: TrainingWorkload,
  instance: InstanceType,
  computeHours: number,
): Figure {
  const gpus = s.gpusPerNode * s.nodes;
  const samplesPerGpu = (w.examples * w.epochs) / gpus;
  const microSteps = samplesPerGpu / s.microBatchSize;
  const optimizerSteps = microSteps / (w.gradientAccumulationSteps ?? 1);
  let offloadSeconds = 0;
  if (s.activationOffload && s.gradientCheckpointing) {
    const perLayer = 2 * s.seqLen * s.microBatchSize * m.hiddenSize;
    const copySeconds = (microSteps * 2 * m.numLayers * perLayer) / HOST_LINK_BYTES_PER_SECOND;
    offloadSeconds = Number.isFinite(computeHours)
      ? Math.max(0, copySeconds - computeHours * 3600)
      : copySeconds;
  }
  let pagedSeconds = 0;
  let pagedBytes = 0;
  if (s.pagedOptimizer && !(s.offload && s.zeroStage >= 1)) {
    const resident = estimateTrainingMemory(m, { ...s, pagedOptimizer: false }).perGpuBytes;
    const t = trainableParams(m, s);
    const shard = s.zeroStage >= 1 ? gpus : 1;
    const states = ((t.dense + t.adapter) * optimizerBytesPerParam(s)) / shard;
    pagedBytes = Math.min(states, Math.max(0, resident - instance.gpuMemoryGiB * GiB));
    pagedSeconds = (optimizerSteps * 2 * pagedBytes) / HOST_LINK_BYTES_PER_SECOND;
  }
  return {
    value: (offloadSeconds + pagedSeconds) / 3600,
    unit: "h",
    derivation:
      "activation offloading: micro-steps × 2 × layers × 2·s·b·h ÷ host link, less the compute it overlaps; paged optimizer: optimizer steps × 2 × states that do not fit ÷ host link; Liger and ZeRO-3 sub-groups: 0",
    inputs: {
      hostLinkGBps: HOST_LINK_BYTES_PER_SECOND / 1e9,
      activationOffloadHours: offloadSeconds / 3600,
      pagedOptimizerHours: pagedSeconds / 3600,
      pagedBytesPerStep: pagedBytes,
      optimizerSteps,
      ligerKernel: s.ligerKernel === true,
      zeroSubGroupSize: s.zeroSubGroupSize ?? "default",
    },
  };
}
