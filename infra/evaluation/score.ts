/**
 * Scoring of generated answers against references: the one definition of every evaluation metric.
 *
 * Text metrics, as LLaMA-Factory computes them for `do_predict` + `predict_with_generate` (the
 * numbers PAI's model-gallery evaluation reports): `ComputeSimilarity` in
 * src/llamafactory/train/sft/metric.py and scripts/eval_bleu_rouge.py of
 * https://github.com/hiyouga/LLaMA-Factory —
 *   - BLEU-4: nltk `sentence_bleu([list(label)], list(predict), smoothing_function=method3)`, i.e.
 *     sentence BLEU over *characters*, uniform weights 1-4, NIST geometric smoothing (method3,
 *     https://www.nltk.org/api/nltk.translate.bleu_score.html), averaged over examples, × 100.
 *   - ROUGE-L: `rouge_chinese.Rouge().get_scores(" ".join(jieba.cut(p)), " ".join(jieba.cut(l)))`
 *     ["rouge-l"]["f"] × 100, averaged; 0 when either side has no token.
 * Where we differ (docs/decisions.md, "Evaluation"): jieba segments Chinese into dictionary words,
 * we take each CJK character as a token (no dictionary ships here); outside CJK our tokenizer is
 * jieba's (runs of ASCII letters/digits are one token, every other non-space character is one).
 * rouge-chinese scores multi-sentence text by union-LCS over sentences; we take the LCS of the
 * whole token sequences — the same number for one-sentence answers such as a JSON call. Per-example
 * scores are not rounded to 4 decimals before the mean (LLaMA-Factory rounds them): the means differ
 * by less than 5e-5.
 *
 * Task metrics for structured calls (the TV assistant's `{"function": "...", "slots": {...}}`):
 * json-valid (the answer is such an object), function-accuracy (exact function name), and micro
 * slot precision/recall/F1 over (slot name, JSON value) pairs — type matters, 20 ≠ "20".
 *
 * Every metric is a percentage, 0–100 (the scale LLaMA-Factory's predict_results.json uses).
 * infra/evaluation/score.py is this module's twin for the evaluation job's Python image; the test
 * test/evaluation/score-parity.test.ts checks both give the same numbers.
 */

export const METRIC_NAMES = [
  "bleu-4",
  "rouge-l",
  "json-valid",
  "function-accuracy",
  "slot-precision",
  "slot-recall",
  "slot-f1",
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export const TEXT_METRICS: readonly MetricName[] = ["bleu-4", "rouge-l"];

/** A function call as the assistant answers: a function name and scalar slots. */
export interface Call {
  function: string;
  slots: Record<string, string | number | boolean>;
}

/** Parses an answer into a Call; undefined when it is not exactly that shape (JSON whitespace allowed around it). */
export function parseCall(text: string): Call | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.function !== "string" || v.function.length === 0) return undefined;
  const slots = v.slots ?? {};
  if (typeof slots !== "object" || slots === null || Array.isArray(slots)) return undefined;
  for (const s of Object.values(slots)) {
    if (typeof s !== "string" && typeof s !== "number" && typeof s !== "boolean") return undefined;
  }
  for (const k of Object.keys(v)) if (k !== "function" && k !== "slots") return undefined;
  return { function: v.function, slots: slots as Call["slots"] };
}

const isAsciiAlnum = (c: string) => /^[A-Za-z0-9]$/.test(c);
// Python's str.isspace() (what jieba's `re_skip` splits on), not JS's \s: the twin score.py must agree.
const PY_SPACE = new Set(
  "\t\n\v\f\r \x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000",
);
const isSpace = (c: string) => PY_SPACE.has(c);

/**
 * jieba's segmentation outside its dictionary: runs of ASCII letters and digits are one token,
 * whitespace separates, every other character (CJK included, see the module comment) is a token.
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  let run = "";
  for (const c of Array.from(text)) {
    if (isAsciiAlnum(c)) {
      run += c;
      continue;
    }
    if (run) {
      out.push(run);
      run = "";
    }
    if (!isSpace(c)) out.push(c);
  }
  if (run) out.push(run);
  return out;
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join("\u0000");
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

/**
 * nltk sentence_bleu with one reference, weights (¼,¼,¼,¼) and SmoothingFunction().method3, over
 * the characters of the strings (code points, as Python's `list(str)`). Returns 0–1.
 */
export function sentenceBleu4(prediction: string, reference: string): number {
  const hyp = Array.from(prediction);
  const ref = Array.from(reference);
  const p: { num: number; den: number }[] = [];
  for (let n = 1; n <= 4; n++) {
    const h = ngramCounts(hyp, n);
    const r = ngramCounts(ref, n);
    let num = 0;
    let total = 0;
    for (const [k, c] of h) {
      num += Math.min(c, r.get(k) ?? 0);
      total += c;
    }
    // nltk modified_precision: denominator max(1, hypothesis n-grams).
    p.push({ num, den: Math.max(1, total) });
  }
  if (p[0]!.num === 0) return 0;
  // brevity_penalty(closest_ref_len, hyp_len)
  const c = hyp.length;
  const r = ref.length;
  const bp = c > r ? 1 : c === 0 ? 0 : Math.exp(1 - r / c);
  // method3: the k-th zero precision becomes 1 / (2^k × denominator).
  let k = 1;
  let logSum = 0;
  for (const { num, den } of p) {
    const value = num === 0 ? 1 / (2 ** k++ * den) : num / den;
    logSum += 0.25 * Math.log(value);
  }
  return bp * Math.exp(logSum);
}

function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * ROUGE-L F as rouge-chinese (after pltrdy/rouge `_f_p_r_lcs`) computes it: with P = LCS/|hyp|,
 * R = LCS/|ref| and β = P/R, F = (1+β²)PR / (R + β²P) — the epsilons included. Returns 0–1.
 */
export function rougeL(prediction: string, reference: string): number {
  const hyp = tokenize(prediction);
  const ref = tokenize(reference);
  if (hyp.length === 0 || ref.length === 0) return 0;
  const l = lcsLength(hyp, ref);
  const r = l / ref.length;
  const p = l / hyp.length;
  const beta = p / (r + 1e-12);
  const num = (1 + beta ** 2) * r * p;
  const den = r + beta ** 2 * p;
  return num / (den + 1e-12);
}

/** One scored pair. */
export interface ScorePair {
  prediction: string;
  reference: string;
}

export interface ScoreResult {
  examples: number;
  /** Every metric that could be computed, 0–100, rounded to 4 decimals. */
  metrics: Partial<Record<MetricName, number>>;
  /** Why a requested metric is absent (e.g. references that are not calls). */
  notes: string[];
}

const pct = (x: number) => Math.round(x * 100 * 10_000) / 10_000;
/** Slot identity: name, type and value (numbers by value: 20 and 20.0 are the same slot value). */
const slotKey = (name: string, value: string | number | boolean) =>
  `${name}\u0000${typeof value}:${String(value)}`;

/**
 * Scores line-aligned pairs. Task metrics need every reference to be a Call; when one is not, they
 * are left out with a note (text metrics still apply).
 */
export function score(
  pairs: readonly ScorePair[],
  wanted: readonly MetricName[] = METRIC_NAMES,
): ScoreResult {
  if (pairs.length === 0) throw new Error("nothing to score: no examples");
  const want = new Set(wanted);
  const metrics: ScoreResult["metrics"] = {};
  const notes: string[] = [];
  let bleu = 0;
  let rouge = 0;
  for (const { prediction, reference } of pairs) {
    if (want.has("bleu-4")) bleu += sentenceBleu4(prediction, reference);
    if (want.has("rouge-l")) rouge += rougeL(prediction, reference);
  }
  if (want.has("bleu-4")) metrics["bleu-4"] = pct(bleu / pairs.length);
  if (want.has("rouge-l")) metrics["rouge-l"] = pct(rouge / pairs.length);

  const task = wanted.filter((m) => !TEXT_METRICS.includes(m));
  if (task.length === 0) return { examples: pairs.length, metrics, notes };
  const refs = pairs.map((p) => parseCall(p.reference));
  const bad = refs.findIndex((r) => r === undefined);
  if (bad >= 0) {
    notes.push(
      `${task.join(", ")} left out: reference ${bad + 1} is not a {"function": ..., "slots": {...}} call`,
    );
    return { examples: pairs.length, metrics, notes };
  }
  let valid = 0;
  let fnRight = 0;
  let tp = 0;
  let predicted = 0;
  let gold = 0;
  pairs.forEach((pair, i) => {
    const ref = refs[i]!;
    const pred = parseCall(pair.prediction);
    const goldSlots = new Set(Object.entries(ref.slots).map(([k, v]) => slotKey(k, v)));
    gold += goldSlots.size;
    if (!pred) return;
    valid++;
    if (pred.function === ref.function) fnRight++;
    for (const [k, v] of Object.entries(pred.slots)) {
      predicted++;
      if (goldSlots.has(slotKey(k, v))) tp++;
    }
  });
  // Nothing to find and nothing claimed is perfect; claims with nothing to find are all wrong.
  const precision = predicted === 0 ? (gold === 0 ? 1 : 0) : tp / predicted;
  const recall = gold === 0 ? (predicted === 0 ? 1 : 0) : tp / gold;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const n = pairs.length;
  const all: Partial<Record<MetricName, number>> = {
    "json-valid": pct(valid / n),
    "function-accuracy": pct(fnRight / n),
    "slot-precision": pct(precision),
    "slot-recall": pct(recall),
    "slot-f1": pct(f1),
  };
  for (const m of task) metrics[m] = all[m]!;
  return { examples: n, metrics, notes };
}
