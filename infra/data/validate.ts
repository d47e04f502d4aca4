/**
 * Validates a fine-tuning dataset (JSON Lines) before a GPU is paid for: every example checked the
 * way LLaMA-Factory's converters read it, every problem with its line number, the example count
 * against what the model kind needs, one example rendered in the model's chat template, and token
 * statistics from the model family's tokenizer. Streams the file: memory does not grow with its size
 * beyond a few bytes per example (token counts, duplicate hashes).
 *
 * Accepted shapes (LLaMA-Factory v0.9.3 data/README.md, "Alpaca Format", "Sharegpt Format" and
 * "OpenAI Format": https://github.com/hiyouga/LLaMA-Factory/blob/v0.9.3/data/README.md):
 * - sharegpt: `conversations` (or `messages`) = list of {from, value} (or {role, content}); roles
 *   human/gpt (or user/assistant), system (first only), observation, function_call; user-side turns
 *   (human, observation) at odd positions and assistant-side ones (gpt, function_call) at even
 *   positions, an even count — what SharegptDatasetConverter (src/llamafactory/data/converter.py)
 *   accepts; anything else it silently skips, which is why it is a problem here.
 * - alpaca: instruction, input (optional), output, system (optional), history (optional pairs).
 * One file uses one shape: LLaMA-Factory reads a dataset with one column and tag mapping.
 */
import { createHash } from "node:crypto";
import type { CatalogModel } from "../catalog";
import { readJsonLines } from "./jsonl";
import {
  TEMPLATES,
  renderElements,
  renderText,
  specialTokensOf,
  type Conversation,
  type Element,
  type Role,
} from "./templates";
import { tokenCounterFor, type TokenizerChoice } from "./tokenizer";

/** Fewest examples worth fine-tuning on: ~200 good pairs for a chat model, thousands for a base model. */
export const MIN_EXAMPLES = { chat: 200, base: 1000 } as const;

/** Longest line read; longer lines are reported and skipped without being held in memory. */
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;
/** The largest line cap allowed (the tokenizer's positions fit in 21 bits). */
export const MAX_LINE_BYTES_LIMIT = (1 << 21) - 1;

/** Problems kept in the report (all are counted); bounded memory whatever the file. */
export const MAX_KEPT_PROBLEMS = 10_000;

export type ProblemKind =
  | "empty-file"
  | "byte-order-mark"
  | "line-too-long"
  | "not-utf8"
  | "unparseable"
  | "not-an-object"
  | "unknown-shape"
  | "mixed-shape"
  | "bad-message"
  | "unknown-role"
  | "role-order"
  | "not-ending-with-assistant"
  | "empty-message"
  | "empty-answer"
  | "duplicate-example"
  | "conflicting-answer"
  | "truncated"
  | "too-few-examples";

export interface DatasetProblem {
  /** 1-based line; 0 for the file as a whole. */
  line: number;
  kind: ProblemKind;
  message: string;
}

/** How the file spells its examples; the job's dataset_info.json is written from it. */
export type DatasetShape =
  | {
      format: "sharegpt";
      messages: "messages" | "conversations";
      roleTag: "role" | "from";
      contentTag: "content" | "value";
      userTag: "user" | "human";
      assistantTag: "assistant" | "gpt";
    }
  | { format: "alpaca" };

export interface TokenStats {
  /** Examples measured. */
  count: number;
  mean: number;
  p50: number;
  p95: number;
  max: number;
  total: number;
  /** Tokens trained on: each example cut at the sequence length, as LLaMA-Factory's cutoff_len does. */
  trainedTotal: number;
}

export interface DatasetReport {
  file: string;
  bytes: number;
  lines: number;
  /** Examples that LLaMA-Factory would train on (valid ones). */
  examples: number;
  shape?: DatasetShape;
  model: { id: string; variant: "base" | "chat"; family: string };
  template: string;
  seqLen: number;
  minExamples: number;
  tokenizer: TokenizerChoice;
  tokens: TokenStats;
  /** One example as the model sees it. */
  sample?: { line: number; text: string; tokens: number };
  problems: DatasetProblem[];
  /** Problems found, including those past MAX_KEPT_PROBLEMS. */
  problemCount: number;
  /** Wall-clock milliseconds of the whole validation and of tokenizer loading. */
  timing: { totalMs: number; tokenizerLoadMs: number };
}

export interface MeasureOptions {
  /** Model the data trains (catalog entry): its kind, family and template. */
  model: CatalogModel;
  /** LLaMA-Factory template name the job uses (`--template`). */
  template: string;
  /** Name shown in messages. Default: the path. */
  displayName?: string;
  /** Longest line read. Default: DEFAULT_MAX_LINE_BYTES (1 MiB). */
  maxLineBytes?: number;
}

export interface ValidateOptions extends MeasureOptions {
  /** Sequence length (cutoff_len). */
  seqLen: number;
}

/**
 * What one read of a file gives, before a sequence length is chosen: the report without the
 * truncation findings, every example's token count and line, and the file's hashes. A stack that
 * trains several jobs on one file with different sequence lengths reads it once.
 */
export interface DatasetMeasure {
  report: Omit<DatasetReport, "seqLen" | "tokens"> & { tokens: Omit<TokenStats, "trainedTotal"> };
  lengths: Int32Array;
  lines: Int32Array;
  /** Lowercase hex SHA-256 of the bytes: the content version (infra/data/content-version.ts). */
  sha256: string;
  /** Lowercase hex MD5 of the bytes: OSS checks the upload against it (Content-MD5). */
  md5: string;
}

/** The full report at one sequence length (truncation findings and trained tokens). */
export function reportAt(m: DatasetMeasure, seqLen: number): DatasetReport {
  const problems = m.report.problems.slice();
  let problemCount = m.report.problemCount;
  let trainedTotal = 0;
  for (let i = 0; i < m.report.examples; i++) {
    const n = m.lengths[i]!;
    trainedTotal += Math.min(n, seqLen);
    if (n > seqLen) {
      problemCount++;
      if (problems.length < MAX_KEPT_PROBLEMS)
        problems.push({
          line: m.lines[i]!,
          kind: "truncated",
          message: `${n} tokens, more than the sequence length ${seqLen}: training cuts it (cutoff_len)`,
        });
    }
  }
  problems.sort((a, b) => a.line - b.line);
  return { ...m.report, seqLen, tokens: { ...m.report.tokens, trainedTotal }, problems, problemCount };
}

/** Reads, checks and measures a file at one sequence length. */
export function validateDataset(file: string, opts: ValidateOptions): DatasetReport {
  return reportAt(measureDataset(file, opts), opts.seqLen);
}

/**
 * A 53-bit hash of a list of strings (two FNV-1a 32-bit hashes with different offsets), with no
 * allocation: two different prompts collide with odds of about n²/2^54 (≈ 10^-6 for 100,000).
 */
export function hash53(parts: string[]): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h2 >>> 13);
    }
    // A separator, so ["ab", "c"] and ["a", "bc"] differ.
    h1 = Math.imul(h1 ^ 0xffff, 0x01000193);
    h2 = Math.imul(h2 ^ 0xffff, 0x01000193) ^ (h2 >>> 13);
  }
  return (h1 >>> 0) * 2 ** 21 + (h2 >>> 11);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

function clip(s: string, n = 40): string {
  return JSON.stringify(s.length > n ? `${s.slice(0, n)}…` : s);
}

export function measureDataset(file: string, opts: MeasureOptions): DatasetMeasure {
  const t0 = performance.now();
  // The tokenizer's merge heap addresses positions below 2^21 bytes: no word may be longer.
  const maxLine = Math.min(opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, MAX_LINE_BYTES_LIMIT);
  const template = TEMPLATES[opts.template] ?? TEMPLATES.default!;
  const specials = specialTokensOf(opts.model.family);
  const minExamples = MIN_EXAMPLES[opts.model.variant];
  const tl = performance.now();
  const counter = tokenCounterFor(opts.model.family);
  const tokenizerLoadMs = performance.now() - tl;

  const problems: DatasetProblem[] = [];
  let problemCount = 0;
  const problem = (line: number, kind: ProblemKind, message: string) => {
    problemCount++;
    if (problems.length < MAX_KEPT_PROBLEMS) problems.push({ line, kind, message });
  };

  let shape: DatasetShape | undefined;
  let shapeLine = 0;
  let examples = 0;
  let lengths = new Int32Array(1024);
  let lineOf = new Int32Array(1024);
  let total = 0;
  const sha256 = createHash("sha256");
  const md5 = createHash("md5");
  let max = 0;
  let sample: DatasetReport["sample"];
  // Duplicate detection keeps two 53-bit hashes and a line per example, not the text.
  const seenPrompt = new Map<number, number>();
  const seenAnswer = new Map<number, number>();

  const count = (elements: Element[]) => {
    let n = 0;
    for (const e of elements) n += "text" in e ? counter.count(e.text) : 1;
    return n;
  };

  const readShape = (obj: Record<string, unknown>): DatasetShape | undefined => {
    const list = Array.isArray(obj.messages)
      ? "messages"
      : Array.isArray(obj.conversations)
        ? "conversations"
        : undefined;
    if (list) {
      const msgs = obj[list] as unknown[];
      const firstMsg = msgs.find((m) => m !== null && typeof m === "object") as
        Record<string, unknown> | undefined;
      const roleTag = firstMsg && "from" in firstMsg ? "from" : "role";
      const names = msgs.map((m) =>
        m && typeof m === "object" ? (m as Record<string, unknown>)[roleTag] : undefined,
      );
      const human = names.includes("human") || names.includes("gpt");
      return {
        format: "sharegpt",
        messages: list,
        roleTag,
        contentTag: roleTag === "from" ? "value" : "content",
        userTag: human ? "human" : "user",
        assistantTag: human ? "gpt" : "assistant",
      };
    }
    if ("instruction" in obj || "output" in obj) return { format: "alpaca" };
    return undefined;
  };

  const sameShape = (a: DatasetShape, b: DatasetShape) => JSON.stringify(a) === JSON.stringify(b);
  const shapeText = (s: DatasetShape) =>
    s.format === "alpaca"
      ? "alpaca (instruction/input/output)"
      : `sharegpt "${s.messages}" with ${s.roleTag}/${s.contentTag}, roles ${s.userTag}/${s.assistantTag}`;

  /** The example as LLaMA-Factory's converter aligns it, or undefined after reporting why not. */
  const toConversation = (
    line: number,
    obj: Record<string, unknown>,
    s: DatasetShape,
  ): Conversation | undefined => {
    if (s.format === "alpaca") {
      const str = (k: string, required: boolean): string | undefined | null => {
        const v = obj[k];
        if (v === undefined || v === null) {
          if (required) problem(line, "bad-message", `"${k}" is missing (expected a string)`);
          return required ? null : undefined;
        }
        if (typeof v !== "string") {
          problem(line, "bad-message", `"${k}" is ${describe(v)}, expected a string`);
          return null;
        }
        return v;
      };
      const instruction = str("instruction", true);
      const input = str("input", false);
      const output = str("output", true);
      const system = str("system", false);
      if (instruction === null || input === null || output === null || system === null) return undefined;
      const turns: Conversation["turns"] = [];
      const history = obj.history;
      if (history !== undefined && history !== null) {
        if (
          !Array.isArray(history) ||
          history.some((h) => !Array.isArray(h) || h.length !== 2 || h.some((x) => typeof x !== "string"))
        ) {
          problem(line, "bad-message", `"history" must be a list of [prompt, response] string pairs`);
          return undefined;
        }
        for (const [q, a] of history as [string, string][])
          turns.push({ role: "user", content: q }, { role: "assistant", content: a });
      }
      const prompt = [instruction, input].filter((x): x is string => !!x).join("\n");
      if (prompt.trim() === "")
        problem(line, "empty-message", `empty prompt: "instruction" and "input" are empty`);
      turns.push({ role: "user", content: prompt }, { role: "assistant", content: output! });
      return { ...(system ? { system } : {}), turns };
    }

    const msgs = obj[s.messages];
    if (!Array.isArray(msgs) || msgs.length === 0) {
      problem(line, "bad-message", `"${s.messages}" must be a non-empty list of messages`);
      return undefined;
    }
    const accepted = [s.userTag, s.assistantTag, "system", "observation", "function_call"];
    const turns: Conversation["turns"] = [];
    let system: string | undefined;
    let ok = true;
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i] as unknown;
      const at = `${s.messages}[${i}]`;
      if (m === null || typeof m !== "object" || Array.isArray(m)) {
        problem(
          line,
          "bad-message",
          `${at} is ${describe(m)}, expected {"${s.roleTag}": …, "${s.contentTag}": …}`,
        );
        return undefined;
      }
      const rec = m as Record<string, unknown>;
      const role = rec[s.roleTag];
      const content = rec[s.contentTag];
      if (typeof role !== "string") {
        problem(
          line,
          "bad-message",
          `${at}.${s.roleTag} is ${role === undefined ? "missing" : describe(role)}, expected one of ${accepted.join(", ")}`,
        );
        return undefined;
      }
      if (typeof content !== "string") {
        problem(
          line,
          "bad-message",
          `${at}.${s.contentTag} is ${content === undefined ? "missing" : describe(content)}, expected a string`,
        );
        return undefined;
      }
      if (!accepted.includes(role)) {
        const hint =
          (s.userTag === "user" && (role === "human" || role === "gpt")) ||
          (s.userTag === "human" && (role === "user" || role === "assistant"))
            ? ` (this file names its roles ${s.userTag}/${s.assistantTag} since line ${shapeLine}: one file, one set of role names)`
            : "";
        problem(
          line,
          "unknown-role",
          `${at} has role ${clip(role)}; expected one of ${accepted.join(", ")}${hint}`,
        );
        ok = false;
        continue;
      }
      if (role === "system") {
        if (i !== 0) {
          problem(line, "role-order", `${at}: a system message is only read as the first message`);
          ok = false;
        } else system = content;
        continue;
      }
      const mapped: Role =
        role === s.userTag
          ? "user"
          : role === s.assistantTag
            ? "assistant"
            : role === "observation"
              ? "observation"
              : "function";
      const userSide = mapped === "user" || mapped === "observation";
      const pos = turns.length;
      if (ok && userSide !== (pos % 2 === 0)) {
        problem(
          line,
          "role-order",
          `${at} is ${clip(role)} but turn ${pos + 1} must be ${pos % 2 === 0 ? `${s.userTag} (or observation)` : `${s.assistantTag} (or function_call)`}: turns alternate, starting with ${s.userTag}`,
        );
        ok = false;
      }
      if (content.trim() === "") {
        if (mapped === "assistant" || mapped === "function")
          problem(line, "empty-answer", `${at}: empty answer`);
        else problem(line, "empty-message", `${at}: empty ${role} message`);
        ok = false;
      }
      turns.push({ role: mapped, content });
    }
    if (!ok) return undefined;
    if (turns.length === 0) {
      problem(line, "not-ending-with-assistant", `no turns after the system message: nothing to learn`);
      return undefined;
    }
    const last = turns[turns.length - 1]!;
    if (last.role !== "assistant" && last.role !== "function") {
      problem(
        line,
        "not-ending-with-assistant",
        `the conversation ends with ${s.userTag === "human" && last.role === "user" ? "human" : last.role}, not ${s.assistantTag}: LLaMA-Factory skips it`,
      );
      return undefined;
    }
    return { ...(system !== undefined ? { system } : {}), turns };
  };

  const stats = readJsonLines(
    file,
    maxLine,
    (e) => {
      const line = e.line;
      if (e.tooLongBytes !== undefined) {
        problem(
          line,
          "line-too-long",
          `line is ${e.tooLongBytes} bytes, more than the ${maxLine}-byte limit; skipped`,
        );
        return;
      }
      if (e.notUtf8) {
        problem(line, "not-utf8", "not valid UTF-8 text (a binary file?)");
        return;
      }
      const text = e.text!;
      if (text.trim() === "") return; // blank lines are allowed between records
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        const hint =
          line === 1 && text.trim() === "["
            ? " (a JSON array? jobs take JSON Lines: one object per line)"
            : "";
        problem(line, "unparseable", `not JSON: ${(err as Error).message.split("\n")[0]}${hint}`);
        return;
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        problem(line, "not-an-object", `expected one JSON object per line, got ${describe(value)}`);
        return;
      }
      const obj = value as Record<string, unknown>;
      const s = readShape(obj);
      if (!s) {
        problem(
          line,
          "unknown-shape",
          `neither sharegpt ("messages" or "conversations") nor alpaca ("instruction"/"output"); keys: ${Object.keys(obj).slice(0, 8).join(", ") || "none"}`,
        );
        return;
      }
      if (!shape) {
        shape = s;
        shapeLine = line;
      } else if (!sameShape(shape, s)) {
        problem(
          line,
          "mixed-shape",
          `written as ${shapeText(s)}, but line ${shapeLine} set the file's shape to ${shapeText(shape)}; LLaMA-Factory reads one file with one mapping`,
        );
        return;
      }
      const conv = toConversation(line, obj, shape);
      if (!conv) return;
      const answer = conv.turns[conv.turns.length - 1]!.content;
      if (answer.trim() === "") {
        problem(line, "empty-answer", "empty answer");
        return;
      }

      // Duplicates: the same prompt and answer again, or the same prompt with a different answer.
      const parts = [conv.system ?? ""];
      for (let i = 0; i < conv.turns.length - 1; i++) parts.push(conv.turns[i]!.role, conv.turns[i]!.content);
      const promptKey = hash53(parts);
      const answerKey = hash53([answer]);
      const seenLine = seenPrompt.get(promptKey);
      if (seenLine !== undefined) {
        if (seenAnswer.get(promptKey) === answerKey)
          problem(line, "duplicate-example", `same prompt and answer as line ${seenLine}`);
        else problem(line, "conflicting-answer", `same prompt as line ${seenLine} with a different answer`);
        return;
      }
      seenPrompt.set(promptKey, line);
      seenAnswer.set(promptKey, answerKey);

      const elements = renderElements(template, conv, specials);
      const n = count(elements);
      if (!sample) sample = { line, text: renderText(elements), tokens: n };
      if (examples === lengths.length) {
        const grown = new Int32Array(lengths.length * 2);
        grown.set(lengths);
        lengths = grown;
        const grownLines = new Int32Array(lineOf.length * 2);
        grownLines.set(lineOf);
        lineOf = grownLines;
      }
      lineOf[examples] = line;
      lengths[examples++] = n;
      total += n;
      if (n > max) max = n;
    },
    (chunk) => {
      sha256.update(chunk);
      md5.update(chunk);
    },
  );

  const shown = opts.displayName ?? file;
  if (stats.bom)
    problem(
      1,
      "byte-order-mark",
      'the file starts with a UTF-8 byte-order mark; Python\'s json module refuses it ("Unexpected UTF-8 BOM"): save as UTF-8 without BOM',
    );
  if (stats.bytes === 0 || (stats.bom && stats.bytes === 3)) problem(0, "empty-file", `${shown} is empty`);
  if (examples < minExamples) {
    problem(
      0,
      "too-few-examples",
      `${examples} usable example${examples === 1 ? "" : "s"}; a ${opts.model.variant} model (${opts.model.id}) needs at least ${minExamples}`,
    );
  }
  const sorted = lengths.slice(0, examples).sort();
  const pct = (p: number) =>
    examples === 0 ? 0 : sorted[Math.min(examples - 1, Math.ceil((p / 100) * examples) - 1)]!;
  const report = {
    file: shown,
    bytes: stats.bytes,
    lines: stats.lines,
    examples,
    ...(shape ? { shape } : {}),
    model: { id: opts.model.id, variant: opts.model.variant, family: opts.model.family },
    template: template.name,
    minExamples,
    tokenizer: counter.choice,
    tokens: {
      count: examples,
      mean: examples === 0 ? 0 : total / examples,
      p50: pct(50),
      p95: pct(95),
      max,
      total,
    },
    ...(sample ? { sample } : {}),
    problems,
    problemCount,
    timing: { totalMs: performance.now() - t0, tokenizerLoadMs },
  };
  return {
    report,
    lengths: lengths.slice(0, examples),
    lines: lineOf.slice(0, examples),
    sha256: sha256.digest("hex"),
    md5: md5.digest("hex"),
  };
}
