// `npm run --silent size -- (--model <id> | --arch-file <config.json>) --method <full|freeze|lora|qlora>
//    --seq-len <n> --batch-size <n> [--gpus <n per node>] [--nodes <n>] [--zero <0-3>] [--offload]
//    [--gradient-checkpointing on|off] [--flash-attention on|off] [--lora-rank <r>]
//    [--lora-targets all-linear|attention|q,k,v,o,gate,up,down] [--precision bf16-mixed|fp16-mixed|bf16-true|fp16-true|fp32]
//    [--quant nf4|nf4-double|int8|int4] [--optimizer adamw|adamw-8bit|sgd] [--freeze-layers <n>]
//    [--trainable-embeddings] [--optimizer-in-backward] [--paged-optimizer] [--chunked-loss] [--activation-offload]
//    [--headroom <fraction>] [--gpu-model <GPU>] [--usage dlc|lingjun] [--json]`
// `--mode inference --context <tokens> [--concurrency <n>] [--precision bf16|fp16 | --quant int8|int4] [--kv-cache bf16|int8]
//    [--prefill-tokens <n>] [--prefill-logits last|all] [--legacy-kv-cache]`
// Inference defaults (transformers ≥ 4.45 / vLLM practice): one prefill pass of --context tokens (a prompt filling the
// context), logits for the last position only, KV cache grown in place or paged. --prefill-tokens: tokens one prefill
// pass holds (HF generate on b prompts of p tokens: b × p); --prefill-logits all: older transformers (< 4.45) that run
// lm_head over every prompt position (16-bit + fp32 upcast); --legacy-kv-cache: tuple past_key_values rebuilt with
// torch.cat each step (Qwen v1 remote code), two caches at the peak.
// Defaults (what the common frameworks do): bf16-mixed, adamw, gradient checkpointing on, flash attention on,
// LoRA rank 8 on all linear layers, 1 GPU, 1 node, ZeRO 0, headroom 0.1.
// Prints the per-GPU breakdown and the instances that fit, cheapest first. Bad input: one line, exit 2.
import { loadCatalog } from "../catalog";
import {
  allocatedPeakBytes,
  estimateInferenceMemory,
  estimateTrainingMemory,
  fmtGiB,
  rightSizeInference,
  rightSizeTraining,
  type FitOption,
  type MemoryEstimate,
} from "../sizing";
import { checkContextLength, parseSizeArgs, UsageError, type SizeRequest } from "./size-args";

export interface SizeResult {
  model: string;
  mode: "training" | "inference";
  /**
   * The estimated peak per GPU, GiB. Training: what the GPU must hold (tensors, CUDA context,
   * allocator reserve), as training memory is usually reported (nvidia-smi, framework logs).
   * Inference: peak allocated tensors (`torch.cuda.max_memory_allocated`), the convention of the
   * published inference tables; a server pre-reserves the GPU anyway, and `deviceGiB` is what must fit.
   */
  perGpuGiB: number;
  perGpuBytes: number;
  /** Everything the GPU must hold (used for `fits`). */
  deviceGiB: number;
  /** Live tensors only, without the CUDA context and allocator reserve. */
  allocatedGiB: number;
  breakdown: { name: string; bytes: number; GiB: number; note: string }[];
  assumptions: string[];
  fits: {
    instance: string;
    gpuModel: string;
    gpusUsed: number;
    instanceCount: number;
    headroomGiB: number;
    hourlyCost?: number;
    currency?: string;
    priceKind?: string;
    warnings: string[];
  }[];
  settings: Record<string, unknown>;
}

/** Runs the estimate for a parsed request. */
export function size(req: SizeRequest): SizeResult {
  const catalog = loadCatalog();
  let est: MemoryEstimate;
  let fits: FitOption[];
  if (req.mode === "training") {
    est = estimateTrainingMemory(req.model, req.training);
    const { gpusPerNode: _g, nodes: _n, ...rest } = req.training;
    // Right-size with the requested ZeRO stage; ZeRO 0 across GPUs only helps replicate, so fits use whole instances.
    fits = rightSizeTraining(catalog, req.model, rest, {
      headroom: req.headroom,
      gpuModel: req.gpuModel,
      usage: req.usage,
    });
  } else {
    est = estimateInferenceMemory(req.model, req.inference);
    const { gpus: _g, ...rest } = req.inference;
    fits = rightSizeInference(catalog, req.model, rest, { headroom: req.headroom, gpuModel: req.gpuModel });
  }
  const allocated = allocatedPeakBytes(est);
  const reported = req.mode === "inference" ? allocated : est.perGpuBytes;
  return {
    model: req.model.id,
    mode: req.mode,
    perGpuGiB: Number((reported / 2 ** 30).toFixed(3)),
    perGpuBytes: Math.round(reported),
    deviceGiB: Number(est.perGpuGiB.toFixed(3)),
    allocatedGiB: Number((allocated / 2 ** 30).toFixed(3)),
    breakdown: est.breakdown.map((i) => ({
      ...i,
      bytes: Math.round(i.bytes),
      GiB: Number((i.bytes / 2 ** 30).toFixed(3)),
    })),
    assumptions: est.assumptions,
    fits: fits.map((f) => ({
      instance: f.instance.id,
      gpuModel: f.instance.gpuModel,
      gpusUsed: f.gpusUsed,
      instanceCount: f.instanceCount,
      headroomGiB: Number((f.headroomBytes / 2 ** 30).toFixed(2)),
      hourlyCost: f.hourlyCost,
      currency: f.currency,
      priceKind: f.priceKind,
      warnings: f.warnings,
    })),
    settings: req.mode === "training" ? { ...req.training } : { ...req.inference },
  };
}

function printText(r: SizeResult, out: (s: string) => void): void {
  out(
    r.mode === "inference"
      ? `${r.model} (inference): ${r.perGpuGiB.toFixed(2)} GiB per GPU allocated, ${r.deviceGiB.toFixed(2)} GiB with CUDA context and allocator reserve`
      : `${r.model} (training): ${r.perGpuGiB.toFixed(2)} GiB per GPU`,
  );
  for (const i of r.breakdown) out(`  ${i.name.padEnd(24)} ${fmtGiB(i.bytes).padStart(11)}  ${i.note}`);
  for (const a of r.assumptions) out(`  assumes: ${a}`);
  out(r.fits.length ? "fits (cheapest first):" : "fits: no catalog instance type fits");
  for (const f of r.fits.slice(0, 8)) {
    const price =
      f.hourlyCost === undefined ? "price unknown" : `${f.hourlyCost} ${f.currency}/h (${f.priceKind})`;
    out(
      `  ${f.instanceCount} × ${f.instance} (${f.gpusUsed} × ${f.gpuModel}), ${f.headroomGiB} GiB spare/GPU, ${price}`,
    );
  }
  if (r.fits.some((f) => f.hourlyCost === undefined))
    out("  warning: some fitting types have no price in the catalog; they are listed after priced ones");
}

/** CLI entry: returns the exit code (0 ok, 2 bad input). */
export function main(
  argv: readonly string[],
  out = (s: string) => console.log(s),
  err = (s: string) => console.error(s),
): number {
  let req: SizeRequest;
  try {
    req = parseSizeArgs(argv);
    checkContextLength(req);
    const result = size(req);
    if (req.json) out(JSON.stringify(result, null, 2));
    else printText(result, out);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof RangeError) {
      err(`size: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
