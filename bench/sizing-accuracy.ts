// Accuracy of infra/sizing against every measured fine-tuning figure in docs/sources.md#mem, next to the naive
// rules (16 B/param for full fine-tuning; weights only for freeze/LoRA/QLoRA).
// Then the inference table (bench/inference-accuracy.ts: docs/sources.md#mem-6.2 to #mem-6.4 vs weights-only naive rule).
// Run: npx tsx bench/sizing-accuracy.ts [--json]
import { parseSizeArgs } from "../infra/cli/size-args";
import { parameterCount } from "../infra/catalog";
import {
  estimateTrainingMemory,
  GiB,
  linearWeightParams,
  QUANT_BITS,
  type TrainingSettings,
} from "../infra/sizing";
import type { CatalogModel } from "../infra/catalog";
import {
  evaluateInference,
  printInferenceSummary,
  printInferenceTable,
  summariseInference,
} from "./inference-accuracy";
import { loadMeasurements, UNIT_BYTES, type MeasurementRow, type Measures } from "./measurements";
import { median } from "./stats";

export interface AccuracyRow {
  row: MeasurementRow;
  measuredGiB: number;
  estimatedGiB?: number;
  errorPct?: number;
  naiveGiB?: number;
  naiveErrorPct?: number;
}

/** The naive rule per GPU: 16 B/param for full; weights only otherwise (÷ GPUs only when ZeRO-3 shards them). */
export function naiveBytes(m: CatalogModel, s: TrainingSettings): number {
  const n = parameterCount(m);
  const shard = s.zeroStage === 3 ? s.gpusPerNode * s.nodes : 1;
  if (s.method === "full") return (16 * n) / shard;
  if (s.method === "qlora") {
    const lin = linearWeightParams(m);
    return ((lin * QUANT_BITS[s.quant ?? "nf4-double"]) / 8 + (n - lin) * 2) / shard;
  }
  return (2 * n) / shard;
}

/** What the source measured: whole-GPU use; torch's peak reserved (allocator cache, no CUDA context); or torch's
 *  peak allocated (neither). */
function comparable(est: ReturnType<typeof estimateTrainingMemory>, measures: Measures): number {
  if (measures === "nvidia") return est.perGpuBytes;
  const excludedParts = measures === "reserved" ? ["CUDA context"] : ["allocator overhead", "CUDA context"];
  const excluded = est.breakdown
    .filter((i) => excludedParts.includes(i.name))
    .reduce((a, i) => a + i.bytes, 0);
  return est.perGpuBytes - excluded;
}

export function evaluate(rows = loadMeasurements()): AccuracyRow[] {
  return rows.map((row) => {
    const measuredGiB = (row.measured * UNIT_BYTES[row.readAs ?? row.unit]) / row.divideBy / GiB;
    if (!row.argv) return { row, measuredGiB };
    const req = parseSizeArgs(row.argv);
    const est = estimateTrainingMemory(req.model, req.training);
    const estimatedGiB = comparable(est, row.measures) / GiB;
    const naiveGiB = naiveBytes(req.model, req.training) / GiB;
    return {
      row,
      measuredGiB,
      estimatedGiB,
      errorPct: (estimatedGiB / measuredGiB - 1) * 100,
      naiveGiB,
      naiveErrorPct: (naiveGiB / measuredGiB - 1) * 100,
    };
  });
}

export interface Summary {
  group: string;
  n: number;
  medianAbsErrorPct: number;
  worstAbsErrorPct: number;
  naiveMedianAbsErrorPct: number;
  naiveWorstAbsErrorPct: number;
}

export function summarise(results: AccuracyRow[], scoredOnly = true): Summary[] {
  const use = results.filter((r) => r.errorPct !== undefined && (!scoredOnly || r.row.scored));
  const groups = new Map<string, AccuracyRow[]>([["all", use]]);
  for (const r of use) groups.set(r.row.method, [...(groups.get(r.row.method) ?? []), r]);
  return [...groups.entries()].map(([group, rs]) => {
    const e = rs.map((r) => Math.abs(r.errorPct ?? 0));
    const ne = rs.map((r) => Math.abs(r.naiveErrorPct ?? 0));
    return {
      group,
      n: rs.length,
      medianAbsErrorPct: median(e),
      worstAbsErrorPct: Math.max(...e),
      naiveMedianAbsErrorPct: median(ne),
      naiveWorstAbsErrorPct: Math.max(...ne),
    };
  });
}

function pct(x: number | undefined): string {
  return x === undefined ? "—" : `${x >= 0 ? "+" : ""}${x.toFixed(1)}%`;
}

function printTable(results: AccuracyRow[]): void {
  const head = [
    "method",
    "model",
    "seq",
    "settings",
    "measured",
    "meas GiB/GPU",
    "est GiB",
    "err",
    "naive GiB",
    "naive err",
    "scored",
    "source",
    "interpretation",
  ];
  console.log(head.join(" | "));
  for (const r of results) {
    const settings = (r.row.argv ?? [])
      .slice(2)
      .filter((a, i, all) => a !== "--seq-len" && all[i - 1] !== "--seq-len")
      .join(" ");
    console.log(
      [
        r.row.method,
        r.row.model,
        r.row.seqLen,
        settings || "(not estimated)",
        `${r.row.measured} ${r.row.unit}${r.row.divideBy > 1 ? ` total ÷${r.row.divideBy}` : ""}${r.row.readAs ? ` (=${r.row.readAs})` : ""}${r.row.measures === "nvidia" ? "" : ` (${r.row.measures})`}`,
        r.measuredGiB.toFixed(2),
        r.estimatedGiB?.toFixed(2) ?? "—",
        pct(r.errorPct),
        r.naiveGiB?.toFixed(2) ?? "—",
        pct(r.naiveErrorPct),
        r.row.scored ? "yes" : "no",
        r.row.source,
        r.row.interpretation,
      ].join(" | "),
    );
  }
}

function printSummary(title: string, s: Summary[]): void {
  console.log(`\n${title}`);
  console.log("group | n | median |err| | worst |err| | naive median | naive worst");
  for (const g of s)
    console.log(
      `${g.group} | ${g.n} | ${g.medianAbsErrorPct.toFixed(1)}% | ${g.worstAbsErrorPct.toFixed(1)}% | ${g.naiveMedianAbsErrorPct.toFixed(1)}% | ${g.naiveWorstAbsErrorPct.toFixed(1)}%`,
    );
}

if (require.main === module) {
  const results = evaluate();
  const scored = summarise(results, true);
  const everything = summarise(results, false);
  if (process.argv.includes("--json")) {
    const inference = evaluateInference();
    console.log(
      JSON.stringify(
        {
          rows: results,
          summaryScored: scored,
          summaryAllEstimated: everything,
          inference: {
            rows: inference,
            summaryScored: summariseInference(inference, true),
            summaryAll: summariseInference(inference, false),
          },
        },
        null,
        2,
      ),
    );
  } else {
    printTable(results);
    printSummary(
      "Scored rows (conditions the estimator expresses; targets: median ≤ 10%, worst ≤ 25%)",
      scored,
    );
    printSummary("All estimated rows (incl. not-scored ones, for transparency)", everything);
    const inference = evaluateInference();
    console.log(
      "\n==== Inference (docs/sources.md#mem-6.2 to #mem-6.4; bench/data/inference-measurements.yaml) ====",
    );
    printInferenceTable(inference);
    printInferenceSummary(
      "Inference, scored rows (targets: median ≤ 10%, worst ≤ 25%, better than naive weights-only)",
      summariseInference(inference, true),
    );
    printInferenceSummary(
      "Inference, all rows (incl. not-scored ones, for transparency)",
      summariseInference(inference, false),
    );
  }
}
