// Accuracy of infra/sizing inference estimates against every inference memory figure of docs/sources.md#mem
// docs/sources.md#mem-6.2 to #mem-6.4 (bench/data/inference-measurements.yaml), next to the naive rule (weights only: params × bytes/param).
// Run: npx tsx bench/inference-accuracy.ts [--json]   (also printed by bench/sizing-accuracy.ts)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { parseSizeArgs } from "../infra/cli/size-args";
import {
  allocatedPeakBytes,
  estimateInferenceMemory,
  GiB,
  servingWeightBytes,
  type MemoryEstimate,
} from "../infra/sizing";
import { median } from "./stats";

const intOrList = z.union([z.number().int().positive(), z.array(z.number().int().positive()).min(1)]);

const SeriesSchema = z
  .object({
    source: z.string(),
    model: z.string(),
    args: z.string(),
    precision: z.enum(["bf16", "fp16", "int8", "int4"]),
    inputs: z.array(z.number().int().positive()).min(1),
    generated: intOrList,
    concurrency: intOrList.optional(),
    gpus: intOrList,
    total: z.boolean().optional(),
    unit: z.enum(["G", "GB", "GiB"]),
    readAs: z.enum(["GB", "GiB"]),
    measures: z.enum(["nvidia", "active"]),
    measured: z.array(z.number().positive()).min(1),
    scored: z.boolean().optional(),
    interpretation: z.string(),
  })
  .strict()
  .refine((s) => s.inputs.length === s.measured.length, { message: "inputs and measured differ in length" });

export interface InferenceRow {
  source: string;
  model: string;
  precision: string;
  input: number;
  generated: number;
  concurrency: number;
  gpus: number;
  /** size CLI argv for this point. */
  argv: string[];
  /** As printed by the source. */
  measured: number;
  unit: "G" | "GB" | "GiB";
  readAs: "GB" | "GiB";
  total: boolean;
  measures: "nvidia" | "active";
  scored: boolean;
  interpretation: string;
}

function at(v: number | number[] | undefined, i: number, dflt: number): number {
  if (v === undefined) return dflt;
  return Array.isArray(v) ? (v[i] ?? Number.NaN) : v;
}

export function loadInferenceMeasurements(
  file = join(__dirname, "data", "inference-measurements.yaml"),
): InferenceRow[] {
  const doc = parse(readFileSync(file, "utf8")) as { series?: unknown };
  const series = z.array(SeriesSchema).parse(doc.series);
  return series.flatMap((s) =>
    s.inputs.map((input, i) => {
      const generated = at(s.generated, i, 0);
      const concurrency = at(s.concurrency, i, 1);
      const gpus = at(s.gpus, i, 1);
      const argv = [
        "--model",
        s.model,
        "--mode",
        "inference",
        ...s.args.split(/\s+/),
        "--context",
        String(input + generated),
        "--concurrency",
        String(concurrency),
        "--gpus",
        String(gpus),
        // The prompt is a measured condition: HF generate prefills the whole batch at once.
        "--prefill-tokens",
        String(input * concurrency),
      ];
      return {
        source: s.source,
        model: s.model,
        precision: s.precision,
        input,
        generated,
        concurrency,
        gpus,
        argv,
        measured: s.measured[i] ?? Number.NaN,
        unit: s.unit,
        readAs: s.readAs,
        total: s.total ?? false,
        measures: s.measures,
        scored: s.scored ?? true,
        interpretation: s.interpretation,
      };
    }),
  );
}

export interface InferenceAccuracyRow {
  row: InferenceRow;
  /** Per GPU, GiB. */
  measuredGiB: number;
  estimatedGiB: number;
  errorPct: number;
  /** Same estimate without --prefill-tokens (the default: a prompt filling the context). */
  defaultEstimatedGiB: number;
  defaultErrorPct: number;
  naiveGiB: number;
  naiveErrorPct: number;
}

/** What the source measured: whole-GPU use, or torch's peak allocated (no CUDA context, no allocator cache). */
export function comparableBytes(est: MemoryEstimate, measures: "nvidia" | "active"): number {
  // "active" is what `size --mode inference --json` reports as perGpuGiB (infra/cli/size.ts).
  return measures === "nvidia" ? est.perGpuBytes : allocatedPeakBytes(est);
}

export function evaluateInference(rows = loadInferenceMeasurements()): InferenceAccuracyRow[] {
  return rows.map((row) => {
    const unitBytes = row.readAs === "GiB" ? GiB : 1e9;
    const measuredGiB = (row.measured * unitBytes) / (row.total ? row.gpus : 1) / GiB;
    const req = parseSizeArgs(row.argv);
    const estimatedGiB =
      comparableBytes(estimateInferenceMemory(req.model, req.inference), row.measures) / GiB;
    const { prefillTokens: _p, ...dflt } = req.inference;
    const defaultEstimatedGiB = comparableBytes(estimateInferenceMemory(req.model, dflt), row.measures) / GiB;
    // Naive: weights only, params × bytes/param at the serving precision, split over the GPUs.
    const naiveGiB = servingWeightBytes(req.model, req.inference.precision) / row.gpus / GiB;
    const err = (x: number): number => (x / measuredGiB - 1) * 100;
    return {
      row,
      measuredGiB,
      estimatedGiB,
      errorPct: err(estimatedGiB),
      defaultEstimatedGiB,
      defaultErrorPct: err(defaultEstimatedGiB),
      naiveGiB,
      naiveErrorPct: err(naiveGiB),
    };
  });
}

export interface InferenceSummary {
  group: string;
  n: number;
  medianAbsErrorPct: number;
  worstAbsErrorPct: number;
  defaultMedianAbsErrorPct: number;
  defaultWorstAbsErrorPct: number;
  naiveMedianAbsErrorPct: number;
  naiveWorstAbsErrorPct: number;
}

/** Summary per source section and per precision, plus "all". */
export function summariseInference(results: InferenceAccuracyRow[], scoredOnly = true): InferenceSummary[] {
  const use = results.filter((r) => !scoredOnly || r.row.scored);
  const groups = new Map<string, InferenceAccuracyRow[]>([["all", use]]);
  for (const r of use) {
    const section = r.row.source.split(" ")[0] ?? r.row.source;
    groups.set(section, [...(groups.get(section) ?? []), r]);
    const p = r.row.precision === "fp16" ? "bf16" : r.row.precision;
    groups.set(p, [...(groups.get(p) ?? []), r]);
  }
  return [...groups.entries()].map(([group, rs]) => {
    const abs = (f: (r: InferenceAccuracyRow) => number): number[] => rs.map((r) => Math.abs(f(r)));
    const e = abs((r) => r.errorPct);
    const d = abs((r) => r.defaultErrorPct);
    const n = abs((r) => r.naiveErrorPct);
    return {
      group,
      n: rs.length,
      medianAbsErrorPct: median(e),
      worstAbsErrorPct: Math.max(...e),
      defaultMedianAbsErrorPct: median(d),
      defaultWorstAbsErrorPct: Math.max(...d),
      naiveMedianAbsErrorPct: median(n),
      naiveWorstAbsErrorPct: Math.max(...n),
    };
  });
}

const pct = (x: number): string => `${x >= 0 ? "+" : ""}${x.toFixed(1)}%`;

export function printInferenceTable(results: InferenceAccuracyRow[], out = console.log): void {
  out(
    [
      "source",
      "model",
      "prec",
      "in+gen",
      "batch",
      "gpus",
      "flags",
      "measured",
      "meas GiB/GPU",
      "est GiB",
      "err",
      "est (default prefill)",
      "err",
      "naive GiB",
      "naive err",
      "scored",
      "interpretation",
    ].join(" | "),
  );
  for (const r of results) {
    const flags = r.row.argv
      .slice(4, r.row.argv.indexOf("--context"))
      .filter((a) => !["--precision", "--quant", "bf16", "fp16", "int8", "int4"].includes(a))
      .join(" ");
    out(
      [
        r.row.source,
        r.row.model,
        r.row.precision,
        `${r.row.input}+${r.row.generated}`,
        r.row.concurrency,
        r.row.gpus,
        flags || "—",
        `${r.row.measured} ${r.row.unit}${r.row.readAs !== r.row.unit ? ` (=${r.row.readAs})` : ""}${r.row.total ? ` total ÷${r.row.gpus}` : ""}${r.row.measures === "active" ? " (allocated)" : ""}`,
        r.measuredGiB.toFixed(2),
        r.estimatedGiB.toFixed(2),
        pct(r.errorPct),
        r.defaultEstimatedGiB.toFixed(2),
        pct(r.defaultErrorPct),
        r.naiveGiB.toFixed(2),
        pct(r.naiveErrorPct),
        r.row.scored ? "yes" : "no",
        r.row.interpretation,
      ].join(" | "),
    );
  }
}

export function printInferenceSummary(title: string, s: InferenceSummary[], out = console.log): void {
  out(`\n${title}`);
  out("group | n | median |err| | worst |err| | default-prefill median | worst | naive median | naive worst");
  for (const g of s)
    out(
      `${g.group} | ${g.n} | ${g.medianAbsErrorPct.toFixed(1)}% | ${g.worstAbsErrorPct.toFixed(1)}% | ${g.defaultMedianAbsErrorPct.toFixed(1)}% | ${g.defaultWorstAbsErrorPct.toFixed(1)}% | ${g.naiveMedianAbsErrorPct.toFixed(1)}% | ${g.naiveWorstAbsErrorPct.toFixed(1)}%`,
    );
}

/** Prints the inference table and its summaries (or JSON). */
export function runInferenceBench(json: boolean): void {
  const results = evaluateInference();
  const scored = summariseInference(results, true);
  const everything = summariseInference(results, false);
  if (json) {
    console.log(JSON.stringify({ rows: results, summaryScored: scored, summaryAll: everything }, null, 2));
    return;
  }
  printInferenceTable(results);
  printInferenceSummary(
    "Inference, scored rows (targets: median ≤ 10%, worst ≤ 25%, better than naive weights-only)",
    scored,
  );
  printInferenceSummary("Inference, all rows (incl. not-scored ones, for transparency)", everything);
}

if (require.main === module) runInferenceBench(process.argv.includes("--json"));
