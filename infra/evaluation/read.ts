/**
 * Reading predictions and references for scoring, with errors that name the file and line.
 *
 * A line is one JSON object. Its text is, in order of preference: `predict` (LLaMA-Factory's
 * generated_predictions.jsonl) or `prediction` for predictions; `label` for references; otherwise
 * the content of the last `assistant` message of `messages` (the dataset format). An optional
 * string `id` keys the line: when every line of both files has one, pairs are matched by id (each
 * id exactly once on each side); otherwise they are matched by line, and the counts must agree.
 */
import { readFileSync, statSync } from "node:fs";
import type { ScorePair } from "./score";

export class ScoreInputError extends Error {
  override readonly name = "ScoreInputError";
}

/** Generous for an evaluation set (200 examples are ~100 KB) and safe to hold in memory. */
export const MAX_INPUT_BYTES = 256 * 2 ** 20;

interface Line {
  id?: string;
  text: string;
  line: number;
}

function lastAssistant(messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown } | null;
    if (m && typeof m === "object" && m.role === "assistant" && typeof m.content === "string")
      return m.content;
  }
  return undefined;
}

export function readLines(file: string, kind: "predictions" | "references"): Line[] {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new ScoreInputError(`${file}: cannot read the ${kind} file (no such file?)`);
  }
  if (size > MAX_INPUT_BYTES)
    throw new ScoreInputError(`${file}: ${size} bytes; expected at most ${MAX_INPUT_BYTES} bytes of ${kind}`);
  const keys = kind === "predictions" ? ["predict", "prediction"] : ["label"];
  const out: Line[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((raw, i) => {
      const line = i + 1;
      if (raw.trim() === "") return;
      let v: unknown;
      try {
        v = JSON.parse(raw);
      } catch {
        throw new ScoreInputError(`${file}:${line}: expected one JSON object per line, got invalid JSON`);
      }
      if (typeof v !== "object" || v === null || Array.isArray(v))
        throw new ScoreInputError(`${file}:${line}: expected a JSON object`);
      const o = v as Record<string, unknown>;
      let text: string | undefined;
      for (const k of keys) if (typeof o[k] === "string") text = text ?? o[k];
      text ??= lastAssistant(o.messages);
      if (text === undefined)
        throw new ScoreInputError(
          `${file}:${line}: expected a string ${keys.map((k) => `"${k}"`).join(" or ")}, or "messages" ending with an assistant message`,
        );
      if (o.id !== undefined && typeof o.id !== "string" && typeof o.id !== "number")
        throw new ScoreInputError(`${file}:${line}: "id" must be a string or a number`);
      out.push({ ...(o.id !== undefined ? { id: String(o.id) } : {}), text, line });
    });
  if (out.length === 0) throw new ScoreInputError(`${file}: no ${kind} (the file is empty)`);
  return out;
}

/** Pairs predictions with references by id (when all lines carry one) or by line. */
export function pairUp(predFile: string, refFile: string): ScorePair[] {
  const preds = readLines(predFile, "predictions");
  const refs = readLines(refFile, "references");
  const keyed = preds.every((p) => p.id !== undefined) && refs.every((r) => r.id !== undefined);
  if (!keyed) {
    if (preds.length !== refs.length)
      throw new ScoreInputError(
        `${predFile} has ${preds.length} predictions but ${refFile} has ${refs.length} references; line-aligned files must have the same number of lines (or give every line an "id")`,
      );
    return preds.map((p, i) => ({ prediction: p.text, reference: refs[i]!.text }));
  }
  const byId = new Map<string, Line>();
  for (const r of refs) {
    if (byId.has(r.id!))
      throw new ScoreInputError(`${refFile}:${r.line}: duplicate id ${JSON.stringify(r.id)}`);
    byId.set(r.id!, r);
  }
  const seen = new Set<string>();
  const pairs = preds.map((p) => {
    if (seen.has(p.id!))
      throw new ScoreInputError(`${predFile}:${p.line}: duplicate id ${JSON.stringify(p.id)}`);
    seen.add(p.id!);
    const r = byId.get(p.id!);
    if (!r)
      throw new ScoreInputError(
        `${predFile}:${p.line}: id ${JSON.stringify(p.id)} has no reference in ${refFile}`,
      );
    return { prediction: p.text, reference: r.text };
  });
  const missing = refs.find((r) => !seen.has(r.id!));
  if (missing)
    throw new ScoreInputError(
      `${refFile}:${missing.line}: id ${JSON.stringify(missing.id)} has no prediction in ${predFile}`,
    );
  return pairs;
}
