// Argument parsing for `npm run size`: every bad input becomes a UsageError naming the flag and what was expected.
import { readFileSync } from "node:fs";
import { loadCatalog, CatalogModelSchema, type CatalogModel } from "../catalog";
import {
  ALL_LINEAR,
  defaultTrainingSettings,
  type FineTuneMethod,
  type InferenceSettings,
  type LoraModule,
  type LoraTargets,
  type Optimizer,
  type Precision,
  type Quant,
  type TrainingSettings,
} from "../sizing";

export class UsageError extends Error {
  override name = "UsageError";
}

export interface SizeRequest {
  model: CatalogModel;
  mode: "training" | "inference";
  training: TrainingSettings;
  inference: InferenceSettings;
  json: boolean;
  headroom: number;
  gpuModel?: string;
  usage?: "dlc" | "lingjun";
}

const BOOLEAN_FLAGS = new Set([
  "--offload",
  "--json",
  "--trainable-embeddings",
  "--optimizer-in-backward",
  "--paged-optimizer",
  "--chunked-loss",
  "--activation-offload",
  "--legacy-kv-cache",
]);
const VALUE_FLAGS = new Set([
  "--model",
  "--arch-file",
  "--method",
  "--seq-len",
  "--batch-size",
  "--gpus",
  "--nodes",
  "--zero",
  "--gradient-checkpointing",
  "--flash-attention",
  "--lora-rank",
  "--lora-targets",
  "--precision",
  "--quant",
  "--optimizer",
  "--freeze-layers",
  "--mode",
  "--context",
  "--concurrency",
  "--kv-cache",
  "--prefill-tokens",
  "--prefill-logits",
  "--headroom",
  "--gpu-model",
  "--usage",
]);

function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new UsageError(`${flag}: expected one of ${allowed.join(" | ")}, got "${v}"`);
}

function positiveInt(flag: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) <= 0)
    throw new UsageError(`${flag}: expected a positive integer, got "${v}"`);
  return Number(v);
}

function onOff(flag: string, v: string): boolean {
  return oneOf(flag, v, ["on", "off"] as const) === "on";
}

function loraTargets(v: string): LoraTargets {
  if (v === "all-linear" || v === "attention") return v;
  const parts = v.split(",").map((p) => p.trim());
  for (const p of parts)
    if (!(ALL_LINEAR as readonly string[]).includes(p))
      throw new UsageError(
        `--lora-targets: expected all-linear | attention | a comma list of q,k,v,o,gate,up,down, got "${v}"`,
      );
  return parts as LoraModule[];
}

/** Reads a Hugging Face config.json of the Llama/Qwen2/Mistral family (also Qwen v1 and ChatGLM keys). */
export function modelFromArchFile(path: string): CatalogModel {
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(
      `--arch-file: expected a readable JSON config.json, got "${path}" (${(e as Error).message})`,
    );
  }
  const num = (...keys: string[]): number | undefined => {
    for (const k of keys) if (typeof cfg[k] === "number") return cfg[k];
    return undefined;
  };
  const need = (...keys: string[]): number => {
    const v = num(...keys);
    if (v === undefined) throw new UsageError(`--arch-file: ${path} has no numeric ${keys.join(" / ")}`);
    return v;
  };
  const modelType = typeof cfg.model_type === "string" ? cfg.model_type : "unknown";
  const heads = need("num_attention_heads");
  let intermediate = need("intermediate_size", "ffn_hidden_size");
  // Qwen (v1) prints twice each SwiGLU branch's width (finetune-memory.md §7 notes).
  if (modelType === "qwen") intermediate /= 2;
  const spec = {
    id: `arch-file-${modelType}`.toLowerCase().replace(/[^a-z0-9.-]/g, "-"),
    family: modelType,
    variant: "base" as const,
    hiddenSize: need("hidden_size"),
    numLayers: need("num_hidden_layers", "num_layers"),
    numAttentionHeads: heads,
    numKeyValueHeads: num("num_key_value_heads", "multi_query_group_num") ?? heads,
    headDim: num("head_dim", "kv_channels"),
    intermediateSize: intermediate,
    vocabSize: need("vocab_size", "padded_vocab_size"),
    tieWordEmbeddings: cfg.tie_word_embeddings === true,
    attentionBias:
      typeof cfg.attention_bias === "boolean"
        ? cfg.attention_bias
        : ["qwen", "qwen2", "chatglm"].includes(modelType) || cfg.add_qkv_bias === true,
    numExperts: num("num_local_experts", "num_experts"),
    numExpertsPerToken: num("num_experts_per_tok"),
    expertIntermediateSize: num("moe_intermediate_size"),
    maxPositionEmbeddings: num("max_position_embeddings", "seq_length"),
    chatTemplate: "none",
    source: `--arch-file ${path}`,
  };
  const r = CatalogModelSchema.safeParse(JSON.parse(JSON.stringify(spec)));
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new UsageError(`--arch-file: ${path}: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return r.data;
}

/** Parses argv (without node and script) into a sizing request. Throws UsageError on bad input. */
export function parseSizeArgs(argv: readonly string[]): SizeRequest {
  const v = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (BOOLEAN_FLAGS.has(a)) flags.add(a);
    else if (VALUE_FLAGS.has(a)) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${a}: expected a value`);
      v.set(a, next);
      i++;
    } else throw new UsageError(`${a}: unknown argument (see the usage in infra/cli/size.ts)`);
  }
  const mode = oneOf("--mode", v.get("--mode") ?? "training", ["training", "inference"] as const);
  if (v.has("--model") === v.has("--arch-file"))
    throw new UsageError(
      "--model: expected exactly one of --model <catalog id> or --arch-file <config.json>",
    );
  let model: CatalogModel;
  const modelId = v.get("--model");
  if (modelId !== undefined) {
    try {
      model = loadCatalog().model(modelId);
    } catch (e) {
      throw new UsageError(`--model: ${(e as Error).message}`);
    }
  } else model = modelFromArchFile(v.get("--arch-file") ?? "");

  const methodRaw = v.get("--method");
  if (mode === "training" && methodRaw === undefined)
    throw new UsageError("--method: expected full | freeze | lora | qlora");
  const method = oneOf<FineTuneMethod>("--method", methodRaw ?? "lora", ["full", "freeze", "lora", "qlora"]);
  if (mode === "training" && !v.has("--seq-len"))
    throw new UsageError("--seq-len: expected a positive integer");
  if (mode === "training" && !v.has("--batch-size"))
    throw new UsageError("--batch-size: expected a positive integer");
  const int = (flag: string, dflt: number): number =>
    v.has(flag) ? positiveInt(flag, v.get(flag) ?? "") : dflt;

  const quantRaw = v.get("--quant");
  const quant =
    quantRaw === undefined
      ? undefined
      : oneOf<Quant>("--quant", quantRaw, ["nf4", "nf4-double", "int8", "int4"]);
  const precisionRaw = v.get("--precision");
  const trainingPrecisions = ["bf16-mixed", "fp16-mixed", "bf16-true", "fp16-true", "fp32"] as const;
  const servingPrecisions = ["bf16", "fp16", ...trainingPrecisions] as const;

  const gpus = int("--gpus", 1);
  const zeroRaw = v.get("--zero");
  const zeroStage =
    zeroRaw === undefined
      ? 0
      : (Number(oneOf("--zero", zeroRaw, ["0", "1", "2", "3"] as const)) as 0 | 1 | 2 | 3);
  if (quant !== undefined && mode === "training" && method !== "qlora")
    throw new UsageError(
      `--quant: only applies to --method qlora or --mode inference, got --method ${method}`,
    );

  const training = defaultTrainingSettings(method, {
    precision:
      mode === "training" && precisionRaw !== undefined
        ? oneOf<Precision>("--precision", precisionRaw, trainingPrecisions)
        : "bf16-mixed",
    ...(quant !== undefined ? { quant } : {}),
    optimizer: oneOf<Optimizer>("--optimizer", v.get("--optimizer") ?? "adamw", [
      "adamw",
      "adamw-8bit",
      "sgd",
    ]),
    seqLen: int("--seq-len", 2048),
    microBatchSize: int("--batch-size", 1),
    gpusPerNode: gpus,
    nodes: int("--nodes", 1),
    zeroStage,
    offload: flags.has("--offload"),
    gradientCheckpointing: onOff("--gradient-checkpointing", v.get("--gradient-checkpointing") ?? "on"),
    flashAttention: onOff("--flash-attention", v.get("--flash-attention") ?? "on"),
    loraRank: int("--lora-rank", 8),
    loraTargets: loraTargets(v.get("--lora-targets") ?? "all-linear"),
    freezeTrainableLayers: int("--freeze-layers", 2),
    trainableEmbeddings: flags.has("--trainable-embeddings"),
    optimizerInBackward: flags.has("--optimizer-in-backward"),
    pagedOptimizer: flags.has("--paged-optimizer"),
    chunkedLoss: flags.has("--chunked-loss"),
    activationOffload: flags.has("--activation-offload"),
  });

  let servingPrecision: InferenceSettings["precision"] = "bf16";
  if (mode === "inference") {
    if (quant !== undefined) servingPrecision = quant === "int8" ? "int8" : "int4";
    else if (precisionRaw !== undefined) {
      const p = oneOf("--precision", precisionRaw, servingPrecisions);
      if (p === "fp32")
        throw new UsageError('--precision: expected bf16 | fp16 for inference (or --quant), got "fp32"');
      servingPrecision = p.startsWith("fp16") ? "fp16" : "bf16";
    }
    if (!v.has("--context"))
      throw new UsageError("--context: expected a positive integer (tokens per sequence)");
  }
  const inference: InferenceSettings = {
    precision: servingPrecision,
    contextLength: int("--context", 4096),
    concurrency: int("--concurrency", 1),
    gpus,
    kvCachePrecision: oneOf("--kv-cache", v.get("--kv-cache") ?? "bf16", ["bf16", "int8"] as const),
    ...(v.has("--prefill-tokens") ? { prefillTokens: int("--prefill-tokens", 1) } : {}),
    prefillLogits: oneOf("--prefill-logits", v.get("--prefill-logits") ?? "last", ["last", "all"] as const),
    legacyKvCache: flags.has("--legacy-kv-cache"),
  };
  const headroomRaw = v.get("--headroom") ?? "0.1";
  const headroom = Number(headroomRaw);
  if (!Number.isFinite(headroom) || headroom < 0 || headroom >= 1)
    throw new UsageError(`--headroom: expected a fraction in [0, 1), got "${headroomRaw}"`);
  const usageRaw = v.get("--usage");
  return {
    model,
    mode,
    training,
    inference,
    json: flags.has("--json"),
    headroom,
    gpuModel: v.get("--gpu-model"),
    usage: usageRaw === undefined ? undefined : oneOf("--usage", usageRaw, ["dlc", "lingjun"] as const),
  };
}
