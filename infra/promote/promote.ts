/**
 * Promotion of a model from one stack to the next (dev → staging → prod) and its rollback.
 *
 * What moves: what defines the model (method, base model, dataset, hyperparameters, numerics,
 * image and command: the fields the run hash is computed from) and the exact trained artifact
 * (output URI + run hash), written as the target job's `artifact:`. What stays: everything else
 * of the target (placements, replicas, autoscaling, evaluation placement, budgets, quota,
 * exemptions, comments and formatting).
 *
 * Checks, all before anything is written: the metrics were computed for this very artifact, on
 * each gate's evaluation set (path and content version), and pass each gate; the target as it
 * would be after the change passes the offline plan (and its policies' mandatory verdicts).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { ConfigError } from "../config/errors";
import { stackNameProblem } from "../config/load";
import type { PromotionConfig } from "../config/schema";
import { readMetricsFile, type MetricsRecord } from "../evaluation/metrics-file";
import type { PolicyOutcome } from "../plan/policy-types";
import type { PlanReport } from "../plan/report";
import { resolveStackFile } from "../resolve/stack";
import { resolveDatasetVersion } from "../resolve/evaluation";
import type { ResolvedJob, ResolvedStack } from "../resolve/types";
import { lineDiff } from "./diff";
import { atomicWriteFile } from "./atomic";
import {
  appendPromotion,
  promotionsInForce,
  readPromotionHistory,
  type ArtifactRef,
  type GateRecord,
  type ModelFields,
  type PromotionEntry,
} from "./history";
import { editMapping, sameValue } from "./yaml-edit";

/** Bad usage or input (exit 2). */
export class PromoteUsageError extends Error {
  override readonly name = "PromoteUsageError";
}

/** A check failed: nothing was written (exit 1). Each reason is one line. */
export class PromotionRefused extends Error {
  override readonly name = "PromotionRefused";
  constructor(readonly reasons: string[]) {
    super(`promotion refused:\n${reasons.map((r) => `  - ${r}`).join("\n")}`);
  }
}

/** Runs the offline plan (and, when the pack is present, its policies) on a stack file. */
export type PlanRunner = (
  file: string,
  stack: string,
) => Promise<{ report: PlanReport; policy?: PolicyOutcome }>;

export interface PromoteRequest {
  /** Folder of the stack files (and of promotions/). */
  stacksDir: string;
  to: string;
  /** Source stack; required unless rollback. */
  from?: string;
  /** Source job name; default: the source's only job. */
  job?: string;
  /** metrics.json of the artifact; required unless rollback. */
  metricsFile?: string;
  /** `pulumi stack output --json` of the source stack. */
  outputsFile?: string;
  rollback?: boolean;
  plan: PlanRunner;
  now?: () => Date;
}

export interface PreparedChange {
  targetFile: string;
  oldText: string;
  newText: string;
  diff: string;
  entry: PromotionEntry;
  notes: string[];
}

const MODEL_KEYS = [
  "method",
  "baseModel",
  "baseModelPath",
  "dataset",
  "hyperparameters",
  "image",
  "command",
] as const;
const TRAINING_MODEL_KEYS = ["precision", "quant", "optimizer"] as const;

const stackFile = (dir: string, stack: string) => path.join(dir, `Pulumi.${stack}.yaml`);

function load(dir: string, stack: string, role: string): { file: string; text: string; spec: ResolvedStack } {
  const problem = stackNameProblem(stack);
  if (problem) throw new PromoteUsageError(`--${role}: ${problem}`);
  const file = stackFile(dir, stack);
  if (!existsSync(file)) throw new PromoteUsageError(`--${role} ${stack}: no stack file ${file}`);
  const text = readFileSync(file, "utf8");
  return { file, text, spec: resolveStackFile(file, stack) };
}

/** The model-defining fields of a job, as written in its file. */
export function modelFieldsOf(text: string, jobIndex: number): ModelFields {
  const job = parseDocument(text).getIn(["config", "pai-finetune:jobs", jobIndex]) as
    { toJSON(): Record<string, unknown> } | undefined;
  const raw = job?.toJSON() ?? {};
  const out: ModelFields = {};
  for (const k of MODEL_KEYS) if (raw[k] !== undefined) out[k] = raw[k];
  const training = raw.training as Record<string, unknown> | undefined;
  const t: Record<string, unknown> = {};
  for (const k of TRAINING_MODEL_KEYS) if (training?.[k] !== undefined) t[k] = training[k];
  if (Object.keys(t).length > 0) out.training = t;
  return out;
}

/** The target text with a job's model fields and artifact replaced; everything else byte for byte. */
export function applyModel(
  text: string,
  jobIndex: number,
  fields: ModelFields,
  artifact: ArtifactRef | undefined,
): string {
  const at = ["config", "pai-finetune:jobs", jobIndex];
  const changes: Record<string, unknown> = {};
  for (const k of MODEL_KEYS) changes[k] = fields[k];
  changes.artifact = artifact ? { ...artifact } : undefined;
  const training = (
    parseDocument(text).getIn([...at, "training"]) as { toJSON(): unknown } | undefined
  )?.toJSON() as Record<string, unknown> | undefined;
  const trainingChanges: Record<string, unknown> = {};
  for (const k of TRAINING_MODEL_KEYS) trainingChanges[k] = fields.training?.[k];
  if (training === undefined || training === null) {
    if (fields.training && Object.keys(fields.training).length > 0) changes.training = { ...fields.training };
  }
  let out = editMapping(text, at, changes);
  if (training && typeof training === "object" && Object.keys(training).length > 0) {
    const rest = { ...training };
    for (const k of TRAINING_MODEL_KEYS) delete rest[k];
    const wanted = {
      ...rest,
      ...Object.fromEntries(Object.entries(trainingChanges).filter(([, v]) => v !== undefined)),
    };
    if (Object.keys(wanted).length === 0) out = editMapping(out, at, { training: undefined });
    else if (!sameValue(training, wanted)) out = editMapping(out, [...at, "training"], trainingChanges);
  }
  return out;
}

/** oss://bucket.endpoint/path/ or oss://bucket/path/ → oss://bucket/path/ (one spelling for comparisons). */
export function normalizeOssUri(uri: string): string {
  const m = /^oss:\/\/([a-z0-9][a-z0-9-]*)(?:\.[^/]*)?\/(.+)$/.exec(uri);
  if (!m) return uri;
  return `oss://${m[1]}/${m[2]!.endsWith("/") ? m[2] : `${m[2]}/`}`;
}

function jobArtifact(job: ResolvedJob, stack: string): ArtifactRef {
  return job.artifact
    ? { ...job.artifact }
    : { stack, job: job.name, uri: normalizeOssUri(job.modelUri), runHash: job.runHash };
}

function pickJob(
  spec: ResolvedStack,
  name: string | undefined,
  role: string,
): { job: ResolvedJob; index: number } {
  const jobs = spec.config.jobs;
  let index: number;
  if (name !== undefined) index = jobs.findIndex((j) => j.name === name);
  else if (jobs.length === 1) index = 0;
  else
    throw new PromoteUsageError(
      `${role} stack ${spec.stack} has ${jobs.length} jobs; name one with --job (${jobs.map((j) => j.name).join(", ")})`,
    );
  if (index < 0)
    throw new PromoteUsageError(
      `${role} stack ${spec.stack} has no job ${JSON.stringify(name)}; expected one of ${jobs.map((j) => j.name).join(", ")}`,
    );
  const job = spec.jobs.find((j) => j.name === jobs[index]!.name)!;
  return { job, index };
}

/** The artifact the source's outputs report for a job; must agree with the source config. */
function artifactFromOutputs(file: string, job: string): { uri: string; runHash: string } {
  let raw: unknown;
  try {
    if (statSync(file).size > 16 * 2 ** 20) throw new Error("too large");
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new PromoteUsageError(`--outputs ${file}: expected the JSON of \`pulumi stack output --json\``);
  }
  const uri = (raw as { jobs?: Record<string, { outputUri?: unknown }> }).jobs?.[job]?.outputUri;
  if (typeof uri !== "string")
    throw new PromoteUsageError(
      `--outputs ${file}: no jobs.${job}.outputUri (is it the source stack's output?)`,
    );
  const norm = normalizeOssUri(uri);
  const runHash = /\/([0-9a-f]{6,64})\/$/.exec(norm)?.[1];
  if (!runHash)
    throw new PromoteUsageError(`--outputs ${file}: jobs.${job}.outputUri ${uri} does not end in a run hash`);
  return { uri: norm, runHash };
}

/** Checks metrics against the gates; returns the gate records (with values) or the reasons to refuse. */
export function checkGates(
  promotion: PromotionConfig,
  targetFile: string,
  metrics: MetricsRecord | undefined,
  artifact: ArtifactRef,
  metricsLabel: string,
): { gates: GateRecord[]; reasons: string[] } {
  const reasons: string[] = [];
  const gates: GateRecord[] = [];
  if (metrics) {
    if (
      normalizeOssUri(metrics.artifact.uri) !== artifact.uri ||
      metrics.artifact.runHash !== artifact.runHash
    )
      reasons.push(
        `${metricsLabel} scores artifact ${metrics.artifact.uri} (run ${metrics.artifact.runHash}), not the one being promoted: ${artifact.uri} (run ${artifact.runHash})`,
      );
  }
  promotion.gates.forEach((g, i) => {
    const issues: string[] = [];
    const version = resolveDatasetVersion(
      g.dataset,
      targetFile,
      (_p, m) => issues.push(m),
      (m) => issues.push(m),
    );
    const label = `gate ${i + 1} (${g.metric} ${g.min !== undefined ? `≥ ${g.min}` : `≤ ${g.max}`})`;
    if (!version) {
      reasons.push(
        `${label}: the evaluation set's version is unknown (${issues.join("; ") || "no file, no version"})`,
      );
      return;
    }
    const record: GateRecord = {
      metric: g.metric,
      ...(g.min !== undefined ? { min: g.min } : {}),
      ...(g.max !== undefined ? { max: g.max } : {}),
      dataset: { path: g.dataset.path, version },
    };
    gates.push(record);
    if (!metrics) {
      reasons.push(`${label}: no metrics recorded for this artifact`);
      return;
    }
    if (metrics.dataset.path !== g.dataset.path || metrics.dataset.contentVersion !== version) {
      reasons.push(
        `${label}: ${metricsLabel} was computed on ${metrics.dataset.path} @ ${metrics.dataset.contentVersion.slice(0, 16)}, the gate requires ${g.dataset.path} @ ${version.slice(0, 16)}`,
      );
      return;
    }
    const value = metrics.metrics[g.metric];
    if (value === undefined) {
      reasons.push(`${label}: ${metricsLabel} has no ${g.metric}`);
      return;
    }
    record.value = value;
    if (g.min !== undefined && value < g.min)
      reasons.push(`${g.metric} = ${value} is below the gate's min ${g.min}`);
    if (g.max !== undefined && value > g.max)
      reasons.push(`${g.metric} = ${value} is above the gate's max ${g.max}`);
  });
  return { gates, reasons };
}

/** A path as the user reads it: relative to the working folder when inside it. */
function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

function gitCommit(dir: string): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

/** Runs the plan on the candidate text, written beside the target (same relative paths), then removed. */
async function planCandidate(req: PromoteRequest, targetFile: string, text: string): Promise<string[]> {
  const tmp = path.join(
    path.dirname(targetFile),
    `.${path.basename(targetFile)}.candidate-${process.pid}.yaml`,
  );
  writeFileSync(tmp, text, { mode: 0o600 });
  try {
    const { report, policy } = await req.plan(tmp, req.to);
    const reasons: string[] = [];
    for (const e of report.errors) reasons.push(`plan of ${req.to} after the change: ${e}`);
    if (!report.ok && report.errors.length === 0)
      reasons.push(`plan of ${req.to} after the change is not ok`);
    const pol = policy ?? (report as { policy?: PolicyOutcome }).policy;
    if (pol && pol.mandatoryViolations > 0) {
      const v = pol.verdicts.filter((x) => x.enforcementLevel === "mandatory" && !x.exemption);
      reasons.push(
        `${pol.mandatoryViolations} mandatory policy violation(s) in ${req.to} after the change${v.length > 0 ? `: ${v.map((x) => `${x.policyId}: ${x.message}`).join("; ")}` : ""}`,
      );
    }
    return reasons;
  } catch (err) {
    if (err instanceof ConfigError)
      return [
        `${req.to} after the change is not a valid stack: ${err.issues.map((i) => `${i.path.map(String).join(".")}: ${i.message}`).join("; ")}`,
      ];
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Everything up to (not including) the write: checks, candidate text, diff and history entry. */
export async function preparePromotion(req: PromoteRequest): Promise<PreparedChange> {
  const target = load(req.stacksDir, req.to, "to");
  const promotion = target.spec.promotion;
  if (!promotion)
    throw new PromoteUsageError(
      `${target.file} has no pai-finetune:promotion (its source stack and gates); add one before promoting into ${req.to}`,
    );
  const notes: string[] = [];
  const now = (req.now ?? (() => new Date()))().toISOString();

  if (req.rollback) return prepareRollback(req, target, promotion, notes, now);

  if (req.from === undefined || req.metricsFile === undefined)
    throw new PromoteUsageError("--from and --metrics are required (or --rollback)");
  if (req.from === req.to) throw new PromoteUsageError("--from and --to name the same stack");
  if (req.from !== promotion.from)
    throw new PromoteUsageError(
      `${req.to} promotes from ${promotion.from} (pai-finetune:promotion.from in ${target.file}), not from ${req.from}`,
    );
  const source = load(req.stacksDir, req.from, "from");
  const src = pickJob(source.spec, req.job, "source");
  const tgt = pickJob(target.spec, target.spec.config.jobs.length === 1 ? undefined : src.job.name, "target");
  const artifact = jobArtifact(src.job, req.from);
  if (req.outputsFile !== undefined) {
    const deployed = artifactFromOutputs(req.outputsFile, src.job.name);
    if (deployed.uri !== artifact.uri || deployed.runHash !== artifact.runHash)
      throw new PromotionRefused([
        `${req.from}'s outputs say job ${src.job.name} trained ${deployed.uri} (run ${deployed.runHash}), but ${source.file} now describes ${artifact.uri} (run ${artifact.runHash}): deploy ${req.from} or revert its file first`,
      ]);
  }
  let metrics: MetricsRecord;
  try {
    metrics = readMetricsFile(req.metricsFile);
  } catch (err) {
    throw new PromoteUsageError((err as Error).message);
  }
  const { gates, reasons } = checkGates(promotion, target.file, metrics, artifact, req.metricsFile);
  if (reasons.length > 0) throw new PromotionRefused(reasons);

  const fields = modelFieldsOf(source.text, src.index);
  const previousFields = modelFieldsOf(target.text, tgt.index);
  const previous = {
    artifact: jobArtifact(tgt.job, req.to),
    fields: previousFields,
    promoted: tgt.job.artifact !== undefined,
  };
  const newText = applyModel(target.text, tgt.index, fields, artifact);
  const planReasons = await planCandidate(req, target.file, newText);
  if (planReasons.length > 0) throw new PromotionRefused(planReasons);
  const commit = gitCommit(req.stacksDir);
  const entry: PromotionEntry = {
    kind: "promotion",
    time: now,
    from: req.from,
    to: req.to,
    job: tgt.job.name,
    artifact,
    fields,
    previous,
    metrics: {
      dataset: metrics.dataset,
      values: metrics.metrics,
      evaluatedIn: `${metrics.artifact.stack}/${metrics.artifact.job}`,
    },
    gates,
    ...(commit ? { gitCommit: commit } : {}),
  };
  if (newText === target.text) notes.push(`${req.to} already serves ${artifact.uri}: nothing to change`);
  return {
    targetFile: target.file,
    oldText: target.text,
    newText,
    diff: lineDiff(target.text, newText, displayPath(target.file)),
    entry,
    notes,
  };
}

async function prepareRollback(
  req: PromoteRequest,
  target: { file: string; text: string; spec: ResolvedStack },
  promotion: PromotionConfig,
  notes: string[],
  now: string,
): Promise<PreparedChange> {
  const inForce = promotionsInForce(readPromotionHistory(req.stacksDir, req.to));
  const last = inForce[inForce.length - 1];
  if (!last)
    throw new PromotionRefused([
      `no promotion of ${req.to} in force to roll back (stacks/promotions/${req.to}.jsonl)`,
    ]);
  const tgt = pickJob(target.spec, last.job, "target");
  const current = jobArtifact(tgt.job, req.to);
  if (current.uri !== last.artifact.uri || current.runHash !== last.artifact.runHash)
    throw new PromotionRefused([
      `${target.file} serves ${current.uri} (run ${current.runHash}), not the last promoted ${last.artifact.uri}: it was edited since; fix it by hand or promote again`,
    ]);
  const restore = last.previous;
  // The gates apply to a rollback too, on the metrics the restored artifact was promoted on.
  const before = inForce[inForce.length - 2];
  const recorded =
    restore.promoted && before && before.artifact.uri === restore.artifact.uri && before.metrics
      ? before.metrics
      : undefined;
  let gates: GateRecord[] = [];
  if (recorded) {
    const asRecord: MetricsRecord = {
      kind: "pai-finetune/evaluation-metrics",
      artifact: { ...restore.artifact },
      dataset: recorded.dataset,
      examples: 1,
      metrics: recorded.values,
      scorer: "score.ts",
      computedAt: before!.time,
    };
    const checked = checkGates(promotion, target.file, asRecord, restore.artifact, "the recorded metrics");
    if (checked.reasons.length > 0) throw new PromotionRefused(checked.reasons);
    gates = checked.gates;
  } else {
    notes.push(
      `the restored model ${restore.artifact.uri} was ${req.to}'s own training run, never promoted: no recorded metrics, gates not applied`,
    );
  }
  const newText = applyModel(
    target.text,
    tgt.index,
    restore.fields,
    restore.promoted ? restore.artifact : undefined,
  );
  const planReasons = await planCandidate(req, target.file, newText);
  if (planReasons.length > 0) throw new PromotionRefused(planReasons);
  const commit = gitCommit(req.stacksDir);
  return {
    targetFile: target.file,
    oldText: target.text,
    newText,
    diff: lineDiff(target.text, newText, displayPath(target.file)),
    entry: {
      kind: "rollback",
      time: now,
      from: restore.artifact.stack,
      to: req.to,
      job: tgt.job.name,
      artifact: restore.artifact,
      fields: restore.fields,
      previous: { artifact: current, fields: last.fields, promoted: true },
      ...(recorded ? { metrics: recorded } : {}),
      gates,
      ...(commit ? { gitCommit: commit } : {}),
    },
    notes,
  };
}

/** Writes the prepared change atomically, then appends its history entry. */
export function applyPromotion(req: Pick<PromoteRequest, "stacksDir">, change: PreparedChange): void {
  atomicWriteFile(change.targetFile, change.newText);
  appendPromotion(req.stacksDir, change.entry);
}
