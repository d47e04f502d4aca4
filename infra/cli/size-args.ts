// Argument parsing for `npm run size`: every bad input becomes a UsageError naming the flag and what was expected.
import { readFileSync, statSync } from "node:fs";
import { contextLengthProblem, loadCatalog, CatalogModelSchema, type CatalogModel } from "../catalog";
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
import { integerArg, numberArg, oneOf, parseOptions, type OptionTable, UsageError } from "./args";

export { UsageError };

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

/**
 * Every option of `npm run size`, in parseArgs' form. Boolean options are switches; string options
 * are checked where they are read below. To add one: a row here, its check in parseSizeArgs.
 */
export const SIZE_OPTIONS = {
  // what to size
  model: { type: "string" },
  "arch-file": { type: "string" },
  mode: { type: "string" },
  json: { type: "boolean" },
  // training
  method: { type: "string" },
  "seq-len": { type: "string" },
  "batch-size": { type: "string" },
  gpus: { type: "string" },
  nodes: { type: "string" },
  zero: { type: "string" },
  offload: { type: "boolean" },
  "gradient-checkpointing": { type: "string" },
  "flash-attention": { type: "string" },
  "lora-rank": { type: "string" },
  "lora-targets": { type: "string" },
  precision: { type: "string" },
  quant: { type: "string" },
  optimizer: { type: "string" },
  "freeze-layers": { type: "string" },
  "trainable-embeddings": { type: "boolean" },
  "optimizer-in-backward": { type: "boolean" },
  "paged-optimizer": { type: "boolean" },
  "chunked-loss": { type: "boolean" },
  "activation-offload": { type: "boolean" },
  // inference
  context: { type: "string" },
  concurrency: { type: "string" },
  "kv-cache": { type: "string" },
  "prefill-tokens": { type: "string" },
  "prefill-logits": { type: "string" },
  "legacy-kv-cache": { type: "boolean" },
  // placement
  headroom: { type: "string" },
  "gpu-model": { type: "string" },
  usage: { type: "string" },
} as const satisfies OptionTable;

/**
 * Upper bound of every count option. Not a model limit (the context rule below is): a bound that
 * keeps the arithmetic exact (products of counts stay far below 2^53) and refuses typos like 10^20.
 */
const MAX_COUNT = 10_000_000;

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

const MAX_ARCH_FILE_BYTES = 4 * 2 ** 20;
const firstLine = (text: string) => text.split("\n")[0] ?? text;

/** Reads a Hugging Face config.json of the Llama/Qwen2/Mistral family (also Qwen v1 and ChatGLM keys). */
export function modelFromArchFile(path: string): CatalogModel {
  let parsed: unknown;
  try {
    if (statSync(path).size > MAX_ARCH_FILE_BYTES)
      throw new Error(`larger than ${MAX_ARCH_FILE_BYTES / 2 ** 20} MiB; a config.json is a few KiB`);
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new UsageError(
      `--arch-file: expected a readable JSON config.json, got "${path}" (${e instanceof SyntaxError ? "not valid JSON" : firstLine((e as Error).message)})`,
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new UsageError(
      `--arch-file: ${path}: expected a JSON object (a Hugging Face config.json), got ${parsed === null ? "null" : Array.isArray(parsed) ? "an array" : typeof parsed}`,
    );
  const cfg = parsed as Record<string, unknown>;
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
  // Qwen (v1) prints twice each SwiGLU branch's width (docs/sources.md#mem-7 notes).
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

/**
 * The plan's rule (infra/catalog/context-length.ts): no sequence longer than the model's context.
 * Applied by the CLI, not by parseSizeArgs: the accuracy benchmark replays published runs that
 * stretched a context (RoPE scaling), which the estimator may still size.
 */
export function checkContextLength(req: SizeRequest): void {
  const tokens = req.mode === "training" ? req.training.seqLen : req.inference.contextLength;
  const tooLong = contextLengthProblem(req.model, tokens);
  if (tooLong) throw new UsageError(`${req.mode === "training" ? "--seq-len" : "--context"}: ${tooLong}`);
}

/** Parses argv (without node and script) into a sizing request. Throws UsageError on bad input. */
export function parseSizeArgs(argv: readonly string[]): SizeRequest {
  const o = parseOptions(argv, SIZE_OPTIONS);
  const v = new Map(
    Object.entries(o)
      .filter((entry): entry is [string, string] => typeof entry[1] === "string")
      .map(([name, value]) => [`--${name}`, value]),
  );
  const switchOn = (name: keyof typeof SIZE_OPTIONS) => o[name] === true;
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
  const int = (flag: string, dflt: number, min = 1): number =>
    v.has(flag) ? integerArg(flag, v.get(flag) ?? "", { min, max: MAX_COUNT }) : dflt;

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
    offload: switchOn("offload"),
    gradientCheckpointing: onOff("--gradient-checkpointing", v.get("--gradient-checkpointing") ?? "on"),
    flashAttention: onOff("--flash-attention", v.get("--flash-attention") ?? "on"),
    loraRank: int("--lora-rank", 8),
    loraTargets: loraTargets(v.get("--lora-targets") ?? "all-linear"),
    freezeTrainableLayers: int("--freeze-layers", 2),
    trainableEmbeddings: switchOn("trainable-embeddings"),
    optimizerInBackward: switchOn("optimizer-in-backward"),
    pagedOptimizer: switchOn("paged-optimizer"),
    chunkedLoss: switchOn("chunked-loss"),
    activationOffload: switchOn("activation-offload"),
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
    legacyKvCache: switchOn("legacy-kv-cache"),
  };
  const headroom = numberArg("--headroom", v.get("--headroom") ?? "0.1", { min: 0, max: 1 });
  const usageRaw = v.get("--usage");
  return {
    model,
    mode,
    training,
    inference,
    json: switchOn("json"),
    headroom,
    gpuModel: v.get("--gpu-model"),
    usage: usageRaw === undefined ? undefined : oneOf("--usage", usageRaw, ["dlc", "lingjun"] as const),
  };
}
