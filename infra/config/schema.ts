/**
 * The stack's configuration as a zod schema: what a team writes in `stacks/Pulumi.<env>.yaml`
 * under the `pai-finetune:` namespace. Every object is strict (a typo is an error, never silently
 * ignored) and every field documents its default.
 *
 * Cross-field rules that need the catalog (does the base model exist, does the instance have that
 * many GPUs) live in `infra/resolve` (jobs.ts, services.ts); this file only describes shapes and
 * single-field ranges.
 */
import { z } from "zod";
import { METRIC_NAMES } from "../evaluation/score";
import { REGION_ID_PATTERN } from "../pai/region";

/** Fine-tuning methods: all parameters, the last layers only, LoRA adapters, LoRA on a 4-bit base. */
export const FineTuneMethodSchema = z.enum(["full", "freeze", "lora", "qlora"]);

/** Lower-case DNS-style names: they become parts of Pulumi resource names and PAI display names. */
const resourceName = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/,
    "3-40 characters: lower-case letters, digits and '-', starting with a letter",
  );

/** A path inside one of the stack's buckets: no scheme, no leading slash, no '..'. */
const bucketPath = z
  .string()
  .min(1)
  .regex(
    /^(?!\/)(?!.*\.\.)[A-Za-z0-9._\-/]+$/,
    "a path inside the bucket like 'tv-intents/v3/train.jsonl' (no oss://, no leading '/', no '..')",
  );

const positiveInt = z.number().int().min(1);

/** `pai-finetune:environment` — which environment this stack is; drives defaults and policy caps. */
export const EnvironmentSchema = z.enum(["dev", "staging", "prod"]);

/** `pai-finetune:workspace` — the PAI workspace everything is created in. */
export const WorkspaceConfigSchema = z.strictObject({
  /** Workspace name: 3-23 letters, digits or '_', starting with a letter, unique per region (docs/sources.md#pai-4). Required. */
  name: z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9_]{2,22}$/,
      "3-23 letters, digits or '_', starting with a letter (PAI workspace name rule)",
    ),
  /** Shown in the console. Default: the name. */
  displayName: z.string().min(1).max(64).optional(),
  /** Free text, at most 80 characters (docs/sources.md#pai-4). Default: "pai-finetune <environment>". */
  description: z.string().max(80).optional(),
  /** Workspace mode: ["prod"] (basic) or ["dev","prod"] (standard). Default: ["dev","prod"] for dev/staging, ["prod"] for prod. */
  envTypes: z
    .array(z.enum(["dev", "prod"]))
    .min(1)
    .optional(),
  /** Alibaba resource group to put the workspace in. Default: the account's default group. */
  resourceGroupId: z.string().optional(),
});

/** `pai-finetune:storage` — the OSS buckets for datasets, checkpoints and models. */
export const StorageConfigSchema = z.strictObject({
  /**
   * Prefix of the three bucket names (`<prefix>-datasets`, `<prefix>-checkpoints`, `<prefix>-models`).
   * OSS names are global: 3-51 characters so the longest name stays within OSS's 63. Required.
   */
  bucketPrefix: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{1,49}[a-z0-9]$/,
      "3-51 lower-case letters, digits or '-', not starting or ending with '-'",
    ),
  /** Days after which checkpoints (current versions) expire. Default: 30. */
  checkpointRetentionDays: positiveInt.max(3650).default(30),
  /** Days a non-current (overwritten) object version is kept in any bucket. Default: 90. */
  noncurrentVersionRetentionDays: positiveInt.max(3650).default(90),
  /** Encryption at rest: "AES256" (OSS-managed keys) or "KMS" (then `kmsKeyId` may pin a key). Default: "AES256". */
  encryption: z.enum(["AES256", "KMS"]).default("AES256"),
  /**
   * Customer-managed KMS key for "KMS" encryption: its id (`key-…`) or ARN (`acs:kms:…:key/…`), in
   * the buckets' region. The job role may then use that key (and only it). Default: the OSS-managed
   * default KMS key.
   */
  kmsKeyId: z
    .string()
    .regex(/^(?:key-[A-Za-z0-9-]{1,100}|acs:kms:[a-z0-9-]+:\d+:key\/key-[A-Za-z0-9-]{1,100})$/, {
      message: "a KMS key id ('key-…') or key ARN ('acs:kms:<region>:<account>:key/key-…')",
    })
    .optional(),
  /** Allow `pulumi destroy` to delete non-empty buckets. Default: false (models and data are never lost by accident). */
  forceDestroy: z.boolean().default(false),
});

/** `pai-finetune:quota` — the Lingjun GPU resource quota that quota-backed jobs draw on. */
export const QuotaConfigSchema = z.strictObject({
  /** Quota name, 1-63 characters (docs/sources.md#pai-3.2). Default: "<workspace name>-quota". */
  name: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]{0,62}$/, "1-63 letters, digits, '_' or '-', starting with a letter")
    .optional(),
  /** Lingjun node spec from the catalog (an instance with usage "lingjun"), e.g. "ml.gu7xf.8xlarge-gu108". Required. */
  nodeSpec: z.string().min(1),
  /** Number of nodes of that spec reserved for the quota. Required; at least 1. */
  nodes: positiveInt.max(1024),
  /** Lingjun resource groups a root quota is carved from. Default: none (then `parentQuotaId` is expected). */
  resourceGroupIds: z.array(z.string().min(1)).default([]),
  /** Carve this quota out of an existing (e.g. organisation-wide) quota. Default: none (a root quota). */
  parentQuotaId: z.string().min(1).optional(),
  /** Scheduling between jobs of the quota. Default: "PaiStrategyIntelligent". */
  queueStrategy: z
    .enum(["PaiStrategyIntelligent", "PaiStrategyBalance", "PaiStrategyRoundRobin", "PaiStrategyStrictFIFO"])
    .default("PaiStrategyIntelligent"),
});

/**
 * Where a job's training data lives and how big it is (the size drives time and cost). Either a
 * local `file` that the stack validates, measures and uploads, or a `path` already in the datasets
 * bucket with its size stated by hand (`examples`, `avgTokensPerExample`).
 */
export const DatasetConfigSchema = z
  .strictObject({
    /** Path of the training file inside the datasets bucket (data that lives only in OSS). One of `path` or `file` is required. */
    path: bucketPath.optional(),
    /**
     * A local JSON Lines file, relative to the stack file and inside the project. It is validated
     * (`npm run validate-data` checks), measured with the model's tokenizer for time and cost, and
     * uploaded to the datasets bucket under its content version. One of `path` or `file` is required.
     */
    file: z.string().min(1).max(1024).optional(),
    /** Record format of the file. Default: "sharegpt" (multi-turn chat, what chat models are tuned on). */
    format: z.enum(["sharegpt", "alpaca"]).default("sharegpt"),
    /** Number of training examples. Required with `path` (it sizes time and cost; chat tuning wants at least ~200); measured with `file`. */
    examples: positiveInt.optional(),
    /** Mean tokens per example after the chat template is applied. Required with `path`; measured with `file`. */
    avgTokensPerExample: positiveInt.optional(),
  })
  .superRefine((d, ctx) => {
    if ((d.path === undefined) === (d.file === undefined)) {
      ctx.addIssue({
        code: "custom",
        message:
          "expected exactly one of path (a file already in the datasets bucket) or file (a local file the stack validates and uploads)",
      });
      return;
    }
    for (const key of ["examples", "avgTokensPerExample"] as const) {
      if (d.path !== undefined && d[key] === undefined)
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: "required with path: the data's size sizes time and cost",
        });
      if (d.file !== undefined && d[key] !== undefined)
        ctx.addIssue({ code: "custom", path: [key], message: "measured from file; remove it" });
    }
  });

/** Training hyperparameters; those that do not apply to a method are rejected in `infra/resolve/jobs.ts`. */
export const HyperparametersSchema = z.strictObject({
  /** Passes over the dataset. Default: 3. */
  epochs: z.number().positive().max(100).default(3),
  /** Peak learning rate. Default: 1e-5 for full/freeze, 1e-4 for LoRA, 2e-4 for QLoRA. */
  learningRate: z.number().positive().max(1).optional(),
  /** Maximum tokens per example (longer ones are truncated). Default: 1024. */
  seqLen: positiveInt.max(1_048_576).default(1024),
  /** Examples per GPU per step. Default: 1. */
  microBatchSize: positiveInt.max(1024).default(1),
  /** Micro-batches accumulated per optimizer step. Default: 8. */
  gradientAccumulationSteps: positiveInt.max(4096).default(8),
  /** LoRA rank r (LoRA/QLoRA only). Default: 8. */
  loraRank: positiveInt.max(4096).optional(),
  /** LoRA scaling alpha (LoRA/QLoRA only). Default: 2 × rank. */
  loraAlpha: z.number().positive().max(100_000).optional(),
  /** LoRA dropout (LoRA/QLoRA only). Default: 0.05. */
  loraDropout: z.number().min(0).max(0.9).optional(),
  /** Linear layers that get adapters: "all-linear", "attention", or a list of q,k,v,o,gate,up,down. Default: "all-linear". */
  loraTargets: z
    .union([
      z.enum(["all-linear", "attention"]),
      z.array(z.enum(["q", "k", "v", "o", "gate", "up", "down"])).min(1),
    ])
    .optional(),
  /** Number of last layers trained by the "freeze" method. Default: 2 (LLaMA-Factory's default). */
  freezeTrainableLayers: positiveInt.optional(),
});

/** Numerics and memory-saving switches; they change GPU memory, so the estimator reads them too. */
export const TrainingOptionsSchema = z.strictObject({
  /** Compute precision; "*-mixed" keeps fp32 master weights. Default: "bf16-mixed" ("fp16-mixed" on GPUs without bf16). */
  precision: z.enum(["bf16-mixed", "fp16-mixed", "bf16-true", "fp16-true", "fp32"]).optional(),
  /** Base-weight quantisation. Default: "nf4-double" for QLoRA; none otherwise (only QLoRA may set it). */
  quant: z.enum(["nf4", "nf4-double", "int8", "int4"]).optional(),
  /** Optimizer; "paged-*" keep the states in CUDA unified memory the driver may page to the host (bitsandbytes
   *  paged optimizers; same update as the unpaged one). Default: "adamw" — a right-sized job may be switched to
   *  its paged form when that is what makes a cheaper GPU fit (the plan says so). */
  optimizer: z.enum(["adamw", "adamw-8bit", "paged-adamw", "paged-adamw-8bit", "sgd"]).optional(),
  /** Recompute activations in the backward pass. Default: true (what Qwen, ms-swift and torchtune recipes do). */
  gradientCheckpointing: z.boolean().default(true),
  /** FlashAttention-2 kernels. Default: true. */
  flashAttention: z.boolean().default(true),
  /** DeepSpeed ZeRO stage. Default: 3 for full fine-tuning on more than one GPU, 2 for LoRA/QLoRA on more than one GPU, 0 on one GPU. */
  zeroStage: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]).optional(),
  /** Offload optimizer states (and, with ZeRO-3, parameters) to CPU memory. Default: false. */
  offload: z.boolean().default(false),
  /** Liger Kernel (LLaMA-Factory `enable_liger_kernel`): fused linear + cross-entropy, the batch's logits are never
   *  materialised. Default: off — a right-sized job may turn it on when that makes a cheaper GPU fit. */
  ligerKernel: z.boolean().optional(),
  /** Offload checkpointed activations to CPU memory (LLaMA-Factory `use_unsloth_gc`); needs gradientCheckpointing.
   *  Default: off — a right-sized job may turn it on when that makes a cheaper GPU fit. */
  activationOffloading: z.boolean().optional(),
  /** DeepSpeed ZeRO-3 `sub_group_size` in elements (ZeRO-3 only). Default: 1e9 (DeepSpeed's default) — a
   *  right-sized job may lower it to 1e8 when that makes a cheaper GPU fit. */
  zeroSubGroupSize: z.number().int().min(1_000_000).max(1e12).optional(),
});

/** Spot (preemptible) bidding for a pay-as-you-go job: exactly one limit, sent as DLC's JobSpec SpotSpec. */
export const SpotConfigSchema = z
  .strictObject({
    /** Highest price accepted as a fraction of the pay-as-you-go price (DLC SpotDiscountLimit; 0.5 = at most
     *  half price). One of maxDiscount / maxPricePerHour is required. */
    maxDiscount: z.number().min(0.1).max(0.9).optional(),
    /** Highest price accepted per instance-hour, in the instance price's currency (sent per minute as
     *  SpotPriceLimit). One of maxDiscount / maxPricePerHour is required. */
    maxPricePerHour: z.number().positive().max(100_000).optional(),
  })
  .refine((v) => (v.maxDiscount === undefined) !== (v.maxPricePerHour === undefined), {
    message: "expected exactly one of maxDiscount or maxPricePerHour",
  });

/** Where a job runs: a pay-as-you-go instance type, or a share of the stack's Lingjun quota. */
export const JobResourcesSchema = z.strictObject({
  /** Run on the stack's Lingjun quota instead of public pay-as-you-go instances. Default: false. */
  useQuota: z.boolean().default(false),
  /** Pay-as-you-go instance type (catalog id, usage "dlc"). Default: the cheapest catalog instance that fits (right-sized). */
  instanceType: z.string().min(1).optional(),
  /** GPUs used on each node. Default: all GPUs of the instance (quota: as few as fit). */
  gpusPerNode: positiveInt.max(16).optional(),
  /** Worker nodes. Default: 1. */
  nodes: positiveInt.max(512).default(1),
  /** Fraction of GPU memory kept free when right-sizing and fit-checking. Default: 0.1. */
  headroom: z.number().min(0).max(0.9).default(0.1),
  /** Run on spot (preemptible) instances with `maxDiscount` or `maxPricePerHour` (pay-as-you-go only); the job
   *  checkpoints to the checkpoints bucket and resumes after a preemption. Default: none (on-demand). */
  spot: SpotConfigSchema.optional(),
});

/** A dataset version: the SHA-256 of the file's bytes in lower-case hex (infra/data/content-version.ts). */
const contentVersion = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "a SHA-256 of the file's bytes, 64 lower-case hex digits");

/** An evaluation set: where it is in the datasets bucket, and which bytes (the version) it must be. */
export const EvaluationDatasetSchema = z.strictObject({
  /** Path of the evaluation file inside the datasets bucket (one JSON object per line, `messages` format). Required. */
  path: bucketPath,
  /** The same file on disk, relative to the stack file: its content version is computed from it. Default: none. */
  file: z.string().min(1).max(4096).optional(),
  /** The content version, when no `file` is given (or to pin it: then the file must match). Default: computed from `file`. */
  version: contentVersion.optional(),
});

/** `pai-finetune:jobs[].evaluation` — score the job's model on an evaluation set after it trains. */
export const EvaluationConfigSchema = z.strictObject({
  /** The evaluation set. Required. */
  dataset: EvaluationDatasetSchema,
  /** Metrics written to metrics.json (infra/evaluation/score.ts). Default: all of them. */
  metrics: z
    .array(z.enum(METRIC_NAMES))
    .min(1)
    .default([...METRIC_NAMES]),
  /** Longest generated answer, in tokens. Default: 256. */
  maxNewTokens: positiveInt.max(32_768).default(256),
  /** Prompts generated together per GPU (sizes the KV cache). Default: 8. */
  batchSize: positiveInt.max(1024).default(8),
  /** Placement, right-sized for generation like a service. Default: the cheapest pay-as-you-go DLC instance that fits. */
  resources: z
    .strictObject({
      /** Run on the stack's Lingjun quota (as few GPUs of a node as fit). Default: false. */
      useQuota: z.boolean().default(false),
      /** Pay-as-you-go instance type (catalog id, usage "dlc"). Default: right-sized. */
      instanceType: z.string().min(1).optional(),
      /** Fraction of GPU memory kept free. Default: 0.1. */
      headroom: z.number().min(0).max(0.9).default(0.1),
    })
    .prefault({}),
  /** Hard limit on the evaluation's run time in hours; also the cost bound the plan shows. Default: 2. */
  maxRunningHours: z.number().positive().max(72).default(2),
});

/**
 * `pai-finetune:jobs[].artifact` — written by `npm run promote`: the exact model this job stands
 * for, trained and evaluated in another stack. The job is then not trained again: its services
 * serve this artifact, and its evaluation scores it. The job's model-defining fields must hash to
 * `runHash`.
 */
export const ArtifactConfigSchema = z.strictObject({
  /** The stack that trained it. Required. */
  stack: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, "a Pulumi stack name"),
  /** The job (in that stack) that trained it. Required. */
  job: resourceName,
  /** Where the trained model is: oss://<bucket>/<path>/ (the source job's outputUri). Required. */
  uri: z
    .string()
    .max(1024)
    .regex(
      /^oss:\/\/[a-z0-9][a-z0-9.-]{2,200}\/(?!.*\.\.)[A-Za-z0-9._\-/]+\/$/,
      "oss://<bucket>/<path>/ (the trained model's folder)",
    ),
  /** The source job's run hash. Required. */
  runHash: z.string().regex(/^[0-9a-f]{6,64}$/, "a lower-case hex run hash"),
});

/** `pai-finetune:jobs[]` — one PAI-DLC fine-tune job. */
export const JobConfigSchema = z.strictObject({
  /** Job name, unique in the stack. Required. */
  name: resourceName,
  /** "full", "freeze", "lora" or "qlora". Required. */
  method: FineTuneMethodSchema,
  /** Base model id from the catalog (e.g. "qwen1.5-7b-chat"). Required. */
  baseModel: z.string().min(1),
  /** Where the base weights are, inside the models bucket. Default: "base/<baseModel>/". */
  baseModelPath: bucketPath.optional(),
  /** Training data. Required. */
  dataset: DatasetConfigSchema,
  /** Hyperparameters. Default: all defaults. */
  hyperparameters: HyperparametersSchema.prefault({}),
  /** Precision and memory switches. Default: all defaults. */
  training: TrainingOptionsSchema.prefault({}),
  /** Placement. Default: right-sized pay-as-you-go. */
  resources: JobResourcesSchema.prefault({}),
  /** Training image. Default: `defaults.trainingImage`. */
  image: z.string().min(1).optional(),
  /** Full command override. Default: a LLaMA-Factory command generated from this job's settings. */
  command: z.string().min(1).max(16_384).optional(),
  /** What `pulumi up` waits for: "submitted", "running" or "succeeded". Default: "submitted". */
  waitFor: z.enum(["submitted", "running", "succeeded"]).default("submitted"),
  /** Hard limit on the job's run time in hours. Default: 72. */
  maxRunningHours: z
    .number()
    .positive()
    .max(24 * 30)
    .default(72),
  /** Scheduling priority on a quota, 1 (lowest) to 9 (docs/sources.md#pai-1.2). Default: 1. */
  priority: z.number().int().min(1).max(9).default(1),
  /** Evaluate the trained model (an EvaluationJob after this job; needs waitFor: succeeded). Default: none. */
  evaluation: EvaluationConfigSchema.optional(),
  /** A promoted model from another stack, served instead of training (written by `npm run promote`). Default: none. */
  artifact: ArtifactConfigSchema.optional(),
});

/** Autoscaling targets of a service: the metric a replica is held at. */
export const AutoscalingSchema = z.strictObject({
  /** Metric: "qps" (per replica), "cpu" (%) or "gpu-util" (%), docs/sources.md#pai-2.4. Required. */
  metric: z.enum(["qps", "cpu", "gpu-util"]),
  /** Target value per replica (QPS, or percent for cpu/gpu-util). Required. */
  target: z.number().positive(),
  /** Seconds a scale-up signal must last. Default: 0 (EAS default). */
  scaleUpStabilizationSeconds: z.number().int().min(0).max(3600).optional(),
  /** Seconds a scale-down signal must last. Default: 300 (EAS default). */
  scaleDownStabilizationSeconds: z.number().int().min(0).max(3600).optional(),
});

/** `pai-finetune:services[]` — one PAI-EAS inference service. */
export const ServiceConfigSchema = z.strictObject({
  /** EAS service name: lower-case letters, digits and '_', starting with a letter, at most 32. Required. */
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_]{2,31}$/, "3-32 lower-case letters, digits or '_', starting with a letter"),
  /** What it serves: the output of a job of this stack (`fromJob`), or a pinned path in the models bucket (`path`). Required. */
  model: z.union([
    z.strictObject({ fromJob: resourceName }),
    z.strictObject({
      path: bucketPath,
      /** Catalog id of the architecture behind the path (for sizing). Required with `path`. */
      baseModel: z.string().min(1),
    }),
  ]),
  /** EAS instance type (catalog id, usage "eas"). Default: the cheapest that fits the model, context and concurrency. */
  instanceType: z.string().min(1).optional(),
  /** Replica range. Default: {min: 1, max: 1}. */
  replicas: z
    .strictObject({
      /** Replicas kept running. Default: 1. */
      min: z.number().int().min(0).max(1000).default(1),
      /** Replicas the autoscaler may add up to. Default: equal to min. */
      max: z.number().int().min(1).max(1000).optional(),
    })
    .prefault({}),
  /** Autoscaling target; required when max > min. */
  autoscaling: AutoscalingSchema.optional(),
  /** Serving precision of the weights. Default: "bf16" ("fp16" on GPUs without bf16; a pinned "bf16" must run on the GPU). */
  precision: z.enum(["bf16", "fp16", "int8", "int4"]).optional(),
  /** Longest context (prompt + generation) a request may use, in tokens. Default: 4096. */
  maxContextTokens: positiveInt.max(1_048_576).default(4096),
  /** Concurrent sequences per replica the KV cache is sized for. Default: 8. */
  concurrency: positiveInt.max(4096).default(8),
  /** Serving image. Default: `defaults.servingImage`. */
  image: z.string().min(1).optional(),
  /** Expose a public endpoint in addition to the VPC one. Default: false. */
  publicEndpoint: z.boolean().default(false),
});

/** `pai-finetune:defaults` — values shared by all jobs and services of the stack. */
export const DefaultsSchema = z.strictObject({
  /** Training image (LLaMA-Factory on PyTorch). Required when any job omits `image`. */
  trainingImage: z.string().min(1).optional(),
  /** Serving image (vLLM, OpenAI-compatible API). Required when any service omits `image`. */
  servingImage: z.string().min(1).optional(),
});

/** `pai-finetune:catalog` — a stack's own additions to the model and instance catalog (validated by the catalog's schemas). */
export const CatalogExtensionSchema = z.strictObject({
  /** Extra or overriding base models. Default: none. */
  models: z.array(z.unknown()).default([]),
  /** Extra or overriding instance types (e.g. with your negotiated prices). Default: none. */
  instances: z.array(z.unknown()).default([]),
});

/** One promotion gate: a metric, its threshold, and the evaluation set it must have been computed on. */
export const PromotionGateSchema = z
  .strictObject({
    /** Metric name (infra/evaluation/score.ts). Required. */
    metric: z.enum(METRIC_NAMES),
    /** The metric must be at least this (0-100). Set min or max. */
    min: z.number().min(0).max(100).optional(),
    /** The metric must be at most this (0-100). Set min or max. */
    max: z.number().min(0).max(100).optional(),
    /** The evaluation set the metric must come from (path and content version). Required. */
    dataset: EvaluationDatasetSchema,
  })
  .refine((g) => (g.min === undefined) !== (g.max === undefined), {
    message: "set exactly one of min or max",
  });

/** `pai-finetune:promotion` — where this stack's model comes from and what it must pass (npm run promote). */
export const PromotionConfigSchema = z.strictObject({
  /** The stack promoted from, e.g. "dev" for staging. Required. */
  from: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, "a Pulumi stack name"),
  /** Gates every promotion must pass. Required; at least one. */
  gates: z.array(PromotionGateSchema).min(1),
});

/** `pai-finetune:exemptions[]` — one policy verdict waived for one resource, until a date. */
export const ExemptionSchema = z.strictObject({
  /** Policy id as printed in the verdict, e.g. "service-access" (policies/README: the table). Required. */
  policy: z.string().regex(/^[a-z][a-z0-9-]{1,62}$/, "a policy id such as 'service-access'"),
  /** The job or service name of this file, a resource name from the plan, or "stack" for stack-wide verdicts. Required. */
  resource: z.string().min(1).max(200),
  /** Why the rule does not apply here, for the reviewer. Required; at least 10 characters. */
  reason: z.string().trim().min(10, "say why, in at least 10 characters").max(500),
  /** Last day the exemption applies (YYYY-MM-DD, UTC); after it the verdict counts again. Required. */
  expires: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD")
    .refine(
      (d) =>
        !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
      "a real calendar date YYYY-MM-DD",
    ),
});

/**
 * The whole `pai-finetune:` namespace. The key names below are the YAML keys without the
 * namespace; `region` comes from `alicloud:region`.
 */
export const StackConfigSchema = z.strictObject({
  /** Alibaba Cloud region, from `alicloud:region`. Required. */
  region: z.string().regex(REGION_ID_PATTERN, "an Alibaba Cloud region id such as 'cn-wulanchabu'"),
  environment: EnvironmentSchema,
  workspace: WorkspaceConfigSchema,
  storage: StorageConfigSchema,
  quota: QuotaConfigSchema.optional(),
  defaults: DefaultsSchema.prefault({}),
  jobs: z.array(JobConfigSchema).default([]),
  services: z.array(ServiceConfigSchema).default([]),
  catalog: CatalogExtensionSchema.prefault({}),
  promotion: PromotionConfigSchema.optional(),
  /** Policy exemptions (see ExemptionSchema). Default: none. */
  exemptions: z.array(ExemptionSchema).max(200).default([]),
});

export type StackConfig = z.infer<typeof StackConfigSchema>;
export type JobConfig = z.infer<typeof JobConfigSchema>;
export type ServiceConfig = z.infer<typeof ServiceConfigSchema>;
export type QuotaConfig = z.infer<typeof QuotaConfigSchema>;
export type Environment = z.infer<typeof EnvironmentSchema>;
export type EvaluationConfig = z.infer<typeof EvaluationConfigSchema>;
export type PromotionConfig = z.infer<typeof PromotionConfigSchema>;
export type ExemptionConfig = z.infer<typeof ExemptionSchema>;

/** The config keys of the project namespace, in the order a stack file lists them. */
export const PROJECT_KEYS = Object.keys(StackConfigSchema.shape).filter((k) => k !== "region");
