/**
 * Resolves a job's `evaluation:` into a ResolvedEvaluation: the evaluation set and its content
 * version, a placement right-sized for generation with the inference estimator (infra/sizing), the
 * cost bound, and the command: LLaMA-Factory's predict mode, then the scorer's Python twin.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import * as path from "node:path";
import type { CatalogModel } from "../catalog";
import type { ConfigIssue } from "../config/errors";
import type { EvaluationConfig, JobConfig } from "../config/schema";
import { contentVersionOf } from "../data/content-version";
import { projectDirOf } from "../data/stack-dataset";
import {
  estimateEvaluationCost,
  estimateInferenceMemory,
  gpuCapabilities,
  rightSizeInference,
  type InferenceSettings,
} from "../sizing";
import { MOUNTS } from "../layout";
import { TEMPLATES } from "./command";
import { catalogLookup } from "./lookup";
import type { JobContext } from "./jobs";
import type { ResolvedEvaluation } from "./types";

/** The scorer's Python twin, shipped inside the job's command (the training image has Python, not Node). */
const SCORER_PY = path.join(__dirname, "..", "evaluation", "score.py");

/** Stack files give `file:` relative to themselves; under the engine without a known file, relative to stacks/. */
export function stackRelative(stackFile: string, file: string): string {
  const base = stackFile
    ? path.dirname(path.resolve(stackFile))
    : path.resolve(__dirname, "..", "..", "stacks");
  return path.resolve(base, file);
}

/**
 * The content version of an evaluation set: computed from `file` when it exists (and checked
 * against a pinned `version`), else the pinned version, else unknown (with a warning).
 */
export function resolveDatasetVersion(
  d: { path: string; file?: string | undefined; version?: string | undefined },
  stackFile: string,
  issue: (p: (string | number)[], m: string) => void,
  warn: (m: string) => void,
): string | undefined {
  if (d.file === undefined) {
    if (d.version === undefined) issue([], "set `file` (the version is computed from it) or `version`");
    return d.version;
  }
  const file = stackRelative(stackFile, d.file);
  if (!existsSync(file)) {
    if (d.version !== undefined) return d.version;
    warn(
      `evaluation set ${d.file} (${d.path}) is not on disk: its content version is unknown, so the job cannot check the bytes it scores and promotion cannot match it`,
    );
    return undefined;
  }
  if (!statSync(file).isFile()) {
    issue(["file"], `${d.file} is not a file`);
    return undefined;
  }
  const computed = contentVersionOf(readFileSync(file));
  if (d.version !== undefined && d.version !== computed) {
    issue(["version"], `pinned ${d.version}, but ${d.file} has content version ${computed}`);
    return undefined;
  }
  return computed;
}

/**
 * The evaluation set as the program uploads it: the local `file`, inside the project, to its
 * `path` in the datasets bucket (bucket versioning keeps what it replaces). `source` is relative to
 * the project directory, like a training dataset's (no machine path in state), and `md5` (hex, as a training dataset's) makes OSS
 * refuse any other bytes. Undefined when there is no local file to upload.
 */
export function evaluationUpload(
  d: { path: string; file?: string | undefined },
  stackFile: string,
  issue: (p: (string | number)[], m: string) => void,
): { key: string; source: string; md5: string } | undefined {
  if (d.file === undefined) return undefined;
  const file = stackRelative(stackFile, d.file);
  if (!existsSync(file) || !statSync(file).isFile()) return undefined; // reported with the version
  const project = realpathSync(projectDirOf(stackFile || file));
  const source = path.relative(project, realpathSync(file));
  if (source.startsWith("..") || path.isAbsolute(source)) {
    issue(
      ["file"],
      `${JSON.stringify(d.file)} lies outside the project directory (the one holding Pulumi.yaml); keep evaluation sets inside the project so the upload names no machine path`,
    );
    return undefined;
  }
  const md5 = createHash("md5").update(readFileSync(file)).digest("hex");
  return { key: d.path, source: source.split(path.sep).join("/"), md5 };
}

export interface EvaluationInput {
  job: JobConfig;
  model: CatalogModel;
  seqLen: number;
  runHash: string;
  /** Where the evaluated model is: the job's output URI in this stack, or a promoted artifact. */
  modelUri: string;
  /** Models-bucket path of this job's run: evaluations go under it. */
  runOutputPath: string;
  image: string;
  stack: string;
}

export function resolveEvaluation(
  ev: EvaluationConfig,
  input: EvaluationInput,
  ctx: JobContext,
  issues: ConfigIssue[],
): ResolvedEvaluation | undefined {
  const at = [...ctx.at, "evaluation"];
  const start = issues.length;
  const issue = (p: (string | number)[], message: string) => issues.push({ path: [...at, ...p], message });
  const warnings: string[] = [];
  const { job, model } = input;
  const version = resolveDatasetVersion(
    ev.dataset,
    ctx.file ?? "",
    (p, m) => issue(["dataset", ...p], m),
    (m) => warnings.push(`job ${job.name}: ${m}`),
  );
  const upload = evaluationUpload(ev.dataset, ctx.file ?? "", (p, m) => issue(["dataset", ...p], m));
  // Generation as LLaMA-Factory's predict mode runs it: HF generate on batches of prompts, each
  // holding prompt (≤ cutoff_len) + new tokens of KV cache; the prefill is the whole batch.
  const context = Math.min(input.seqLen + ev.maxNewTokens, model.maxPositionEmbeddings ?? Infinity);
  const settings: Omit<InferenceSettings, "gpus"> = {
    precision: "bf16",
    contextLength: context,
    concurrency: ev.batchSize,
    prefillTokens: ev.batchSize * input.seqLen,
  };
  const r = ev.resources;
  let placement: ResolvedEvaluation["placement"] | undefined;
  if (r.useQuota) {
    if (!ctx.quota) issue(["resources", "useQuota"], "this stack declares no pai-finetune:quota");
    else if (r.instanceType !== undefined)
      issue(
        ["resources", "instanceType"],
        "a quota evaluation runs on the quota's node spec; remove instanceType",
      );
    else {
      const node = ctx.quota.instance;
      let gpus = node.gpuCount;
      for (let g = 1; g <= node.gpuCount; g++) {
        const est = estimateInferenceMemory(model, { ...settings, gpus: g });
        if (est.perGpuBytes <= node.gpuMemoryGiB * 2 ** 30 * (1 - r.headroom)) {
          gpus = g;
          break;
        }
      }
      placement = { kind: "quota", instance: node, nodes: 1, gpusPerNode: gpus, rightSized: true };
    }
  } else if (r.instanceType !== undefined) {
    const instance = catalogLookup(ctx.catalog, "instance", r.instanceType, (m) =>
      issue(["resources", "instanceType"], m),
    );
    if (instance && !instance.usage.includes("dlc"))
      issue(
        ["resources", "instanceType"],
        `${instance.id} is not offered for PAI-DLC jobs; pick an instance with usage "dlc"`,
      );
    else if (instance)
      placement = { kind: "public", instance, nodes: 1, gpusPerNode: instance.gpuCount, rightSized: false };
  } else {
    const best = rightSizeInference(ctx.catalog, model, settings, { headroom: r.headroom, usage: "dlc" })[0];
    if (!best)
      issue(
        ["resources"],
        `no catalog instance for PAI-DLC fits generation with ${model.id} (batch ${ev.batchSize} × ${context} tokens); lower batchSize`,
      );
    else
      placement = {
        kind: "public",
        instance: best.instance,
        nodes: 1,
        gpusPerNode: best.gpusUsed,
        rightSized: true,
      };
  }
  if (!placement || issues.length > start) return undefined;
  // Reported, but the evaluation still resolves, so the services' own problems are reported too.
  if (job.waitFor !== "succeeded" && job.artifact === undefined) {
    issues.push({
      path: [...ctx.at, "waitFor"],
      message: `an evaluation scores the finished model: set waitFor: succeeded on job ${JSON.stringify(job.name)}`,
    });
  }

  const memory = estimateInferenceMemory(model, { ...settings, gpus: placement.gpusPerNode });
  const gpuMemoryBytes = placement.instance.gpuMemoryGiB * 2 ** 30;
  const cost = estimateEvaluationCost(placement.instance, {
    nodes: 1,
    gpusUsed: placement.gpusPerNode,
    maxHours: ev.maxRunningHours,
    shareOfNode: placement.kind === "quota",
  });
  const output = `${input.runOutputPath}evaluation/${version ? version.slice(0, 16) : "unversioned"}/`;
  const datasetFile = ev.dataset.path.slice(ev.dataset.path.lastIndexOf("/") + 1);
  const adapter = job.method === "lora" || job.method === "qlora";
  return {
    name: `${job.name}-eval`,
    config: ev,
    dataset: { path: ev.dataset.path, ...(version ? { version } : {}), ...(upload ? { upload } : {}) },
    metrics: [...ev.metrics],
    modelUri: input.modelUri,
    placement,
    memory,
    gpuMemoryBytes,
    headroom: r.headroom,
    fits: memory.perGpuBytes <= gpuMemoryBytes * (1 - r.headroom),
    cost,
    image: input.image,
    command: evaluationCommand({
      ev,
      model,
      adapter,
      seqLen: input.seqLen,
      bf16: gpuCapabilities(placement.instance).bf16,
      datasetFile,
      version,
      record: { stack: input.stack, job: job.name, uri: input.modelUri, runHash: input.runHash },
    }),
    paths: { output, metrics: `${output}metrics.json`, predictions: `${output}predictions.jsonl` },
    warnings,
  };
}

interface CommandInput {
  ev: EvaluationConfig;
  model: CatalogModel;
  adapter: boolean;
  seqLen: number;
  /** bf16 on Ampere and newer; fp16 on V100/T4 (same memory). */
  bf16: boolean;
  datasetFile: string;
  version: string | undefined;
  record: { stack: string; job: string; uri: string; runHash: string };
}

const q = (s: string) => `'${s.replace(/'/g, `'"'"'`)}'`;

/**
 * LLaMA-Factory predict mode (`do_predict` + `predict_with_generate`, as in its
 * examples/train_lora/llama3_lora_predict.yaml; the OpenAI-style `messages` columns and tags as in
 * its data/README.md), greedy decoding, in bf16 — the precision the services serve (fp16 on GPUs
 * without bf16). Then
 * score.py writes metrics.json; `--expect-version` makes the job fail if the bytes it scored are
 * not the configured evaluation set.
 */
export function evaluationCommand(c: CommandInput): string {
  const dataInfo = {
    eval: {
      file_name: `${MOUNTS.data}/${c.datasetFile}`,
      formatting: "sharegpt",
      columns: { messages: "messages" },
      tags: {
        role_tag: "role",
        content_tag: "content",
        user_tag: "user",
        assistant_tag: "assistant",
        system_tag: "system",
      },
    },
  };
  const modelArgs = c.adapter
    ? [
        `--model_name_or_path ${MOUNTS.baseModel}`,
        `--adapter_name_or_path ${MOUNTS.servedModel}`,
        "--finetuning_type lora",
      ]
    : [`--model_name_or_path ${MOUNTS.servedModel}`];
  const args = [
    "--stage sft",
    "--do_predict true",
    "--predict_with_generate true",
    ...modelArgs,
    "--dataset_dir /tmp/evalset",
    "--eval_dataset eval",
    `--template ${TEMPLATES[c.model.chatTemplate] ?? "default"}`,
    `--cutoff_len ${c.seqLen}`,
    `--max_new_tokens ${c.ev.maxNewTokens}`,
    `--per_device_eval_batch_size ${c.ev.batchSize}`,
    "--do_sample false",
    c.bf16 ? "--bf16 true" : "--fp16 true",
    "--output_dir /tmp/predict",
  ];
  const score = [
    "python3 /tmp/score.py",
    "--predictions /tmp/predict/generated_predictions.jsonl",
    `--references ${MOUNTS.data}/${c.datasetFile}`,
    `--metrics ${c.ev.metrics.join(",")}`,
    ...(c.version ? [`--expect-version ${c.version}`] : []),
    `--stack ${q(c.record.stack)}`,
    `--job ${q(c.record.job)}`,
    `--artifact ${q(c.record.uri)}`,
    `--run-hash ${c.record.runHash}`,
    `--dataset-path ${q(c.ev.dataset.path)}`,
    `--out ${MOUNTS.output}/metrics.json`,
  ];
  return [
    "set -euo pipefail",
    "mkdir -p /tmp/evalset",
    "cat > /tmp/evalset/dataset_info.json <<'JSON'",
    JSON.stringify(dataInfo),
    "JSON",
    "cat > /tmp/score.py <<'PAI_FINETUNE_SCORE_PY'",
    readFileSync(SCORER_PY, "utf8").trimEnd(),
    "PAI_FINETUNE_SCORE_PY",
    `llamafactory-cli train \\\n  ${args.join(" \\\n  ")}`,
    `cp /tmp/predict/generated_predictions.jsonl ${MOUNTS.output}/predictions.jsonl`,
    score.join(" \\\n  "),
  ].join("\n");
}
