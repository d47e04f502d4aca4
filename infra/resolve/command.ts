/**
 * The commands the containers run, generated from the validated settings so that what the
 * estimator sized is what the job trains: a LLaMA-Factory SFT run for jobs, vLLM for services.
 * LLaMA-Factory is what PAI's own model-gallery fine-tuning and the Qwen docs use; its flags are
 * documented in `llamafactory/hparams/*.py` (docs/sources.md#mem-4.1 cites its defaults).
 */
import type { CatalogModel } from "../catalog";
import type { TrainingSettings } from "../sizing";
import type { JobConfig, ServiceConfig } from "../config/schema";
import { MOUNTS } from "../layout";
import type { ResolvedHyperparameters } from "./types";

/** Catalog chat-template families → LLaMA-Factory `--template` names. */
export const TEMPLATES: Record<string, string> = {
  chatml: "qwen",
  qwen: "qwen",
  llama2: "llama2",
  llama3: "llama3",
  chatglm3: "chatglm3",
  glm4: "glm4",
  baichuan2: "baichuan2",
  gemma: "gemma",
  mistral: "mistral",
  none: "default",
};

const LORA_TARGETS: Record<string, string> = {
  q: "q_proj",
  k: "k_proj",
  v: "v_proj",
  o: "o_proj",
  gate: "gate_proj",
  up: "up_proj",
  down: "down_proj",
};

export interface TrainingCommandInput {
  job: JobConfig;
  model: CatalogModel;
  hyper: ResolvedHyperparameters;
  training: TrainingSettings;
  /** File name of the dataset inside its mounted directory. */
  datasetFile: string;
}

export function trainingCommand({ job, model, hyper, training, datasetFile }: TrainingCommandInput): string {
  const args: string[] = [
    "--stage sft",
    "--do_train true",
    `--model_name_or_path ${MOUNTS.baseModel}`,
    "--dataset_dir /tmp/dataset",
    "--dataset train",
    `--template ${TEMPLATES[model.chatTemplate] ?? "default"}`,
    `--finetuning_type ${job.method === "qlora" ? "lora" : job.method}`,
    `--cutoff_len ${hyper.seqLen}`,
    `--per_device_train_batch_size ${hyper.microBatchSize}`,
    `--gradient_accumulation_steps ${hyper.gradientAccumulationSteps}`,
    `--learning_rate ${hyper.learningRate}`,
    `--num_train_epochs ${hyper.epochs}`,
    "--lr_scheduler_type cosine",
    "--warmup_ratio 0.03",
    "--logging_steps 10",
    "--save_strategy epoch",
    `--output_dir ${MOUNTS.checkpoints}`,
    `--gradient_checkpointing ${training.gradientCheckpointing}`,
    // FlashAttention-2 where the GPU runs it, else PyTorch SDPA (Volta, Turing): gpu-capabilities.ts.
    `--flash_attn ${training.flashAttention ? (training.attention === "sdpa" ? "sdpa" : "fa2") : "disabled"}`,
    ...precisionArgs(training),
    `--optim ${{ adamw: "adamw_torch", "adamw-8bit": "adamw_bnb_8bit", sgd: "sgd" }[training.optimizer]}`,
  ];
  if (hyper.lora) {
    const t = hyper.lora.targets;
    const target =
      t === "all-linear"
        ? "all"
        : t === "attention"
          ? "q_proj,k_proj,v_proj,o_proj"
          : t.map((x) => LORA_TARGETS[x]).join(",");
    args.push(
      `--lora_rank ${hyper.lora.rank}`,
      `--lora_alpha ${hyper.lora.alpha}`,
      `--lora_dropout ${hyper.lora.dropout}`,
      `--lora_target ${target}`,
    );
  }
  if (training.quant) {
    args.push(
      `--quantization_bit ${training.quant === "int8" ? 8 : 4}`,
      `--double_quantization ${training.quant === "nf4-double"}`,
    );
  }
  if (hyper.freezeTrainableLayers !== undefined)
    args.push(`--freeze_trainable_layers ${hyper.freezeTrainableLayers}`);

  // LLaMA-Factory reads dataset_info.json from --dataset_dir; the data mount is read-only, so the
  // description goes to a writable directory and points at the mounted file.
  const lines = [
    "set -euo pipefail",
    "mkdir -p /tmp/dataset",
    "cat > /tmp/dataset/dataset_info.json <<'JSON'",
    JSON.stringify({ train: { file_name: `${MOUNTS.data}/${datasetFile}`, formatting: job.dataset.format } }),
    "JSON",
  ];
  if (training.zeroStage > 0) {
    lines.push("cat > /tmp/ds_config.json <<'JSON'", JSON.stringify(deepSpeedConfig(training)), "JSON");
    args.push("--deepspeed /tmp/ds_config.json");
  }
  const multiNode = training.nodes > 1 || training.gpusPerNode > 1;
  // PAI-DLC PyTorchJob sets MASTER_ADDR, MASTER_PORT, WORLD_SIZE (nodes) and RANK on every node.
  const launcher = multiNode
    ? `FORCE_TORCHRUN=1 NNODES=\${WORLD_SIZE:-1} NODE_RANK=\${RANK:-0} NPROC_PER_NODE=${training.gpusPerNode} llamafactory-cli train`
    : "llamafactory-cli train";
  lines.push(`${launcher} \\\n  ${args.join(" \\\n  ")}`);
  // Publish the final model (not the intermediate checkpoints) to the models bucket; rank 0 only.
  lines.push(
    `if [ "\${RANK:-0}" = "0" ]; then`,
    `  cd ${MOUNTS.checkpoints} && for f in *; do case "$f" in checkpoint-*) ;; *) cp -r "$f" ${MOUNTS.output}/ ;; esac; done`,
    "fi",
  );
  return lines.join("\n");
}

function precisionArgs(training: TrainingSettings): string[] {
  switch (training.precision) {
    case "bf16-mixed":
      return ["--bf16 true"];
    case "fp16-mixed":
      return ["--fp16 true"];
    case "bf16-true":
      return ["--bf16 true", "--pure_bf16 true"];
    case "fp16-true":
      return ["--fp16 true", "--pure_bf16 false"];
    case "fp32":
      return [];
  }
}

/** A DeepSpeed config matching the estimator's ZeRO stage and offload setting. */
export function deepSpeedConfig(training: TrainingSettings): Record<string, unknown> {
  const offload = training.offload ? { device: "cpu", pin_memory: true } : undefined;
  return {
    train_batch_size: "auto",
    train_micro_batch_size_per_gpu: "auto",
    gradient_accumulation_steps: "auto",
    gradient_clipping: "auto",
    bf16: { enabled: "auto" },
    fp16: { enabled: "auto" },
    zero_optimization: {
      stage: training.zeroStage,
      overlap_comm: true,
      contiguous_gradients: true,
      ...(offload ? { offload_optimizer: offload } : {}),
      ...(offload && training.zeroStage === 3 ? { offload_param: offload } : {}),
    },
  };
}

export interface ServeCommandInput {
  service: ServiceConfig;
  /** Adapter outputs (LoRA/QLoRA) are served on top of the base weights. */
  adapter: boolean;
  servedName: string;
  gpus: number;
}

/** vLLM's OpenAI-compatible server on port 8000. */
export function serveCommand({ service, adapter, servedName, gpus }: ServeCommandInput): string {
  const args = [
    `vllm serve ${MOUNTS.servedModel}`,
    "--host 0.0.0.0",
    "--port 8000",
    `--served-model-name ${servedName}`,
    `--max-model-len ${service.maxContextTokens}`,
    `--max-num-seqs ${service.concurrency}`,
    `--tensor-parallel-size ${gpus}`,
  ];
  if (service.precision === "bf16" || service.precision === "fp16")
    args.push(`--dtype ${service.precision === "bf16" ? "bfloat16" : "float16"}`);
  if (adapter) args.push("--enable-lora", `--lora-modules ${servedName}=${MOUNTS.adapter}`);
  return args.join(" ");
}
