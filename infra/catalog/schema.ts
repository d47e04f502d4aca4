// Zod schemas and types of the catalog data files (models.yaml, instances.yaml).
// Schemas are .strict(): a typo in a data file is an error, not a silently ignored key.
import { z } from "zod";

/** An hourly price with its provenance. `npm run prices -- --refresh` may rewrite these blocks. */
export interface Price {
  /** Amount per hour, in `currency`. */
  amount: number;
  currency: "CNY" | "USD";
  per: "hour";
  /** official-list: a published list price; official-upper-bound: an official "not more than";
   *  user: set by the stack's owner; unverified: a third-party claim (estimates using it warn). */
  kind: "official-list" | "official-upper-bound" | "user" | "unverified";
  /** ISO date (YYYY-MM-DD) the price was recorded. */
  date: string;
  /** Where the figure comes from. */
  source: string;
}

/** A base model's architecture, as used by infra/sizing. */
export interface CatalogModel {
  /** Lowercase kebab id, e.g. `qwen2.5-7b-instruct`. */
  id: string;
  /** Model family, e.g. `qwen2.5`, `llama3.1`. */
  family: string;
  /** base = pretrained only; chat = instruction/chat tuned. */
  variant: "base" | "chat";
  hiddenSize: number;
  numLayers: number;
  numAttentionHeads: number;
  /** Key/value heads (== numAttentionHeads for multi-head attention; fewer for grouped-query attention). */
  numKeyValueHeads: number;
  /** Per-head dimension; default hiddenSize / numAttentionHeads. */
  headDim?: number;
  /** Width of EACH gated-MLP branch (gate/up); Qwen (v1) configs print twice this (hfIntermediateSize). */
  intermediateSize: number;
  /** The `intermediate_size` printed by the Hugging Face config when it differs (Qwen v1 quirk). */
  hfIntermediateSize?: number;
  vocabSize: number;
  /** true: the output head shares the input embedding matrix. */
  tieWordEmbeddings: boolean;
  /** true: q/k/v projections carry biases (Qwen, ChatGLM). */
  attentionBias: boolean;
  /** Mixture of experts: experts per layer (absent = dense). */
  numExperts?: number;
  /** Mixture of experts: experts active per token. */
  numExpertsPerToken?: number;
  /** Per-expert MLP width when it differs from intermediateSize (default intermediateSize). */
  expertIntermediateSize?: number;
  maxPositionEmbeddings?: number;
  /** chatml | llama2 | llama3 | chatglm3 | glm4 | baichuan2 | gemma | mistral | none (base models). */
  chatTemplate: string;
  /** Parameter count printed on the model card, in billions, when known. */
  paramsCardB?: number;
  /** Where the numbers come from. */
  source: string;
}

/** What a GPU can run (instances.yaml, "capabilities" note, with sources). */
export interface GpuCapabilities {
  /** NVIDIA compute capability, e.g. "8.0" (https://developer.nvidia.com/cuda-gpus). */
  computeCapability: string;
  /** bf16 tensor math (compute capability ≥ 8.0). */
  bf16: boolean;
  /** FlashAttention-2 runs (Ampere, Ada, Hopper per its README); otherwise PyTorch SDPA. */
  flashAttention2: boolean;
  /** FP8 tensor cores (Ada, Hopper and later). */
  fp8: boolean;
  /** true when inferred from an assumed chip. */
  assumed?: boolean;
  source: string;
}

/** A GPU instance type that PAI can run on. */
export interface InstanceType {
  /** e.g. `ecs.gn7i-c8g1.2xlarge`, `ml.gu7i.c16m60.1-gu30`. */
  id: string;
  /** e.g. `A10`, `A100-80G`, `GU30`; a quota's GPU type is matched against this. */
  gpuModel: string;
  gpuCount: number;
  /** Nominal memory per GPU in GiB. */
  gpuMemoryGiB: number;
  vcpu: number;
  memoryGiB: number;
  /** Peak dense FP16/BF16 tensor TFLOPS per GPU (absent = unknown; time estimates then refuse). */
  peakTflops16?: number;
  /** Where peakTflops16 comes from. */
  peakTflopsSource?: string;
  /** true when the GPU model / figures are assumed rather than published. */
  assumed?: boolean;
  /** true when vCPU / RAM were assumed from the name. */
  vcpuMemoryAssumed?: boolean;
  /** Hourly on-demand price with provenance; absent = unknown (never treated as free). */
  price?: Price;
  /** What the GPU can run; absent (an instance a stack adds) = inferred from gpuModel (gpuCapabilities). */
  capabilities?: GpuCapabilities;
  /** dlc = PAI-DLC training, lingjun = Lingjun quota, eas = PAI-EAS inference. */
  usage: ("dlc" | "lingjun" | "eas")[];
  source: string;
}

const positiveInt = z.number().int().positive();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected an ISO date YYYY-MM-DD");
const kebabId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]*$/, "expected a lowercase kebab id like qwen2.5-7b-instruct");

export const PriceSchema: z.ZodType<Price> = z
  .object({
    amount: z.number().nonnegative(),
    currency: z.enum(["CNY", "USD"]),
    per: z.literal("hour"),
    kind: z.enum(["official-list", "official-upper-bound", "user", "unverified"]),
    date: isoDate,
    source: z.string().min(1),
  })
  .strict();

export const CatalogModelSchema: z.ZodType<CatalogModel> = z
  .object({
    id: kebabId,
    family: z.string().min(1),
    variant: z.enum(["base", "chat"]),
    hiddenSize: positiveInt,
    numLayers: positiveInt,
    numAttentionHeads: positiveInt,
    numKeyValueHeads: positiveInt,
    headDim: positiveInt.optional(),
    intermediateSize: positiveInt,
    hfIntermediateSize: positiveInt.optional(),
    vocabSize: positiveInt,
    tieWordEmbeddings: z.boolean(),
    attentionBias: z.boolean(),
    numExperts: positiveInt.optional(),
    numExpertsPerToken: positiveInt.optional(),
    expertIntermediateSize: positiveInt.optional(),
    maxPositionEmbeddings: positiveInt.optional(),
    chatTemplate: z.string().min(1),
    paramsCardB: z.number().positive().optional(),
    source: z.string().min(1),
  })
  .strict()
  .refine((m) => m.numAttentionHeads % m.numKeyValueHeads === 0, {
    message: "numAttentionHeads must be a multiple of numKeyValueHeads",
    path: ["numKeyValueHeads"],
  })
  .refine((m) => (m.numExperts === undefined) === (m.numExpertsPerToken === undefined), {
    message: "numExperts and numExpertsPerToken go together (mixture of experts)",
    path: ["numExpertsPerToken"],
  });

export const InstanceTypeSchema: z.ZodType<InstanceType> = z
  .object({
    id: z
      .string()
      .regex(/^(ecs|ml)\.[a-z0-9.-]+$/, "expected an instance type id like ecs.gn7i-c8g1.2xlarge"),
    gpuModel: z.string().min(1),
    gpuCount: positiveInt,
    gpuMemoryGiB: z.number().positive(),
    vcpu: positiveInt,
    memoryGiB: z.number().positive(),
    peakTflops16: z.number().positive().optional(),
    peakTflopsSource: z.string().optional(),
    assumed: z.boolean().optional(),
    vcpuMemoryAssumed: z.boolean().optional(),
    price: PriceSchema.optional(),
    capabilities: z
      .object({
        computeCapability: z.string().regex(/^\d{1,2}\.\d$/, 'expected a compute capability like "8.0"'),
        bf16: z.boolean(),
        flashAttention2: z.boolean(),
        fp8: z.boolean(),
        assumed: z.boolean().optional(),
        source: z.string().min(1),
      })
      .strict()
      .optional(),
    usage: z.array(z.enum(["dlc", "lingjun", "eas"])).min(1),
    source: z.string().min(1),
  })
  .strict();
