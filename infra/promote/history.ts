/**
 * Promotion history: one JSON line per promotion or rollback in `stacks/promotions/<target>.jsonl`,
 * appended (never rewritten), so a reviewer reads what each environment serves, where it came from
 * and the metrics it was promoted on. The review calls `currentPromotion` for that.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import * as path from "node:path";

/** The model a job stands for: where it was trained and the bytes (URI + run hash). */
export interface ArtifactRef {
  stack: string;
  job: string;
  uri: string;
  runHash: string;
}

/** The model-defining fields of a job as written in its stack file (what the run hash is computed from). */
export interface ModelFields {
  method?: unknown;
  baseModel?: unknown;
  baseModelPath?: unknown;
  dataset?: unknown;
  hyperparameters?: unknown;
  image?: unknown;
  command?: unknown;
  training?: { precision?: unknown; quant?: unknown; optimizer?: unknown };
}

export interface GateRecord {
  metric: string;
  min?: number;
  max?: number;
  dataset: { path: string; version: string };
  /** The metric's value it was checked against (absent when no metrics were recorded). */
  value?: number;
}

export interface PromotionEntry {
  kind: "promotion" | "rollback";
  time: string;
  from: string;
  to: string;
  /** The target's job that was changed. */
  job: string;
  /** What the target serves after this entry. */
  artifact: ArtifactRef;
  fields: ModelFields;
  /** What it served before (restored by a rollback of this entry). */
  previous: { artifact: ArtifactRef; fields: ModelFields; promoted: boolean };
  /** The metrics it was promoted on: the evaluation set and each metric (absent for a rollback to a model never evaluated). */
  metrics?: {
    dataset: { path: string; contentVersion: string };
    values: Record<string, number>;
    evaluatedIn: string;
  };
  gates: GateRecord[];
  gitCommit?: string;
}

export class HistoryError extends Error {
  override readonly name = "HistoryError";
}

export function historyFile(stacksDir: string, target: string): string {
  return path.join(stacksDir, "promotions", `${target}.jsonl`);
}

/** Every entry, oldest first. A malformed line is an error naming the file and line (history is evidence). */
export function readPromotionHistory(stacksDir: string, target: string): PromotionEntry[] {
  const file = historyFile(stacksDir, target);
  if (!existsSync(file)) return [];
  const out: PromotionEntry[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      let e: unknown;
      try {
        e = JSON.parse(line);
      } catch {
        throw new HistoryError(`${file}:${i + 1}: not a JSON line`);
      }
      const x = e as Partial<PromotionEntry>;
      if (
        (x.kind !== "promotion" && x.kind !== "rollback") ||
        typeof x.artifact?.uri !== "string" ||
        typeof x.artifact.runHash !== "string" ||
        typeof x.previous?.artifact?.uri !== "string"
      )
        throw new HistoryError(`${file}:${i + 1}: not a promotion entry (kind, artifact, previous)`);
      out.push(x as PromotionEntry);
    });
  return out;
}

/**
 * The promotions in force, oldest first: each promotion pushes, each rollback pops the one it
 * undid. The last is what the target serves now (if its file was written by promote).
 */
export function promotionsInForce(entries: readonly PromotionEntry[]): PromotionEntry[] {
  const stack: PromotionEntry[] = [];
  for (const e of entries) {
    if (e.kind === "promotion") stack.push(e);
    else stack.pop();
  }
  return stack;
}

/** For the review: the artifact the target serves by promotion, and the metrics and gates it passed. */
export function currentPromotion(stacksDir: string, target: string): PromotionEntry | undefined {
  const inForce = promotionsInForce(readPromotionHistory(stacksDir, target));
  return inForce[inForce.length - 1];
}

/** Appends one entry and fsyncs it. */
export function appendPromotion(stacksDir: string, entry: PromotionEntry): void {
  const file = historyFile(stacksDir, entry.to);
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, "a", 0o644);
  try {
    writeSync(fd, `${JSON.stringify(entry)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
