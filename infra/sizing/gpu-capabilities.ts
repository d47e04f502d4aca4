// What a GPU can run, and the settings a job or service actually runs with on it: bf16 only where
// the GPU has it, FlashAttention-2 only where it runs, otherwise fp16 and PyTorch SDPA. The sizing,
// the right-sizer and the generated commands all take their settings from here, so what is sized is
// what runs (decisions.md, "Commands the GPU can run").
import type { GpuCapabilities, InstanceType } from "../catalog";
import type { Precision, TrainingSettings } from "./settings";

/** GPU names without bf16 and FlashAttention-2 (Pascal, Volta, Turing), for instances without capabilities. */
const PRE_AMPERE = /\b(P4|P100|V100|T4)\b/i;

/**
 * The instance's GPU capabilities: the catalog's (instances.yaml, with sources), or, for an instance a
 * stack adds without them, inferred from its GPU name: pre-Ampere names get neither bf16 nor
 * FlashAttention-2, anything else both, and no FP8 (the conservative reading).
 */
export function gpuCapabilities(instance: InstanceType): GpuCapabilities {
  if (instance.capabilities) return instance.capabilities;
  const ampereOrLater = !PRE_AMPERE.test(instance.gpuModel);
  return {
    computeCapability: ampereOrLater ? "8.0" : "7.0",
    bf16: ampereOrLater,
    flashAttention2: ampereOrLater,
    fp8: false,
    assumed: true,
    source: `inferred from the GPU name ${JSON.stringify(instance.gpuModel)}: no capabilities in the catalog entry`,
  };
}

const FP16_OF: Partial<Record<Precision, Precision>> = {
  "bf16-mixed": "fp16-mixed",
  "bf16-true": "fp16-true",
};

/** Why a pinned precision cannot run on this GPU, or undefined when it can. */
export function precisionProblem(precision: string, instance: InstanceType): string | undefined {
  const caps = gpuCapabilities(instance);
  if (!precision.startsWith("bf16") || caps.bf16) return undefined;
  return `${instance.id} (${instance.gpuModel}, compute capability ${caps.computeCapability}) has no bf16; bf16 needs compute capability 8.0 or newer. Use an fp16 precision (same memory) or an Ampere-or-newer instance`;
}

/**
 * The training settings that run on this GPU: a default bf16 precision becomes its fp16 twin (same
 * bytes), flash attention runs as SDPA where FlashAttention-2 does not. `undefined` when the
 * precision was pinned and the GPU cannot run it (precisionProblem says why).
 */
export function trainingSettingsForGpu<
  S extends Pick<TrainingSettings, "precision" | "flashAttention" | "attention">,
>(s: S, instance: InstanceType, precisionPinned: boolean): S | undefined {
  const caps = gpuCapabilities(instance);
  let out = s;
  const fp16 = FP16_OF[s.precision];
  if (!caps.bf16 && fp16) {
    if (precisionPinned) return undefined;
    out = { ...out, precision: fp16 };
  }
  if (s.flashAttention && !caps.flashAttention2) out = { ...out, attention: "sdpa" };
  return out;
}

/** The serving precision that runs on this GPU: bf16 becomes fp16 (same bytes) unless pinned; undefined if pinned and impossible. */
export function servingPrecisionForGpu<P extends string>(
  precision: P,
  instance: InstanceType,
  precisionPinned: boolean,
): P | "fp16" | undefined {
  if (precision !== "bf16" || gpuCapabilities(instance).bf16) return precision;
  return precisionPinned ? undefined : "fp16";
}
