// Loads bench/data/finetune-measurements.yaml and expands each series into one row per sequence length.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";

const SeriesSchema = z
  .object({
    source: z.string(),
    method: z.enum(["full", "freeze", "lora", "qlora"]),
    model: z.string(),
    args: z.string().optional(),
    unit: z.enum(["G", "GB", "GiB"]),
    readAs: z.enum(["GB", "GiB"]).optional(),
    divideBy: z.number().int().positive().optional(),
    measures: z.enum(["nvidia", "reserved", "active"]),
    seqLens: z.array(z.number().int().positive()).min(1),
    measured: z.array(z.number().positive()).min(1),
    scored: z.boolean().optional(),
    /** An extra summary group the rows also count in (e.g. "savers"), besides "all" and their method. */
    group: z.string().optional(),
    interpretation: z.string(),
  })
  .strict()
  .refine((s) => s.seqLens.length === s.measured.length, {
    message: "seqLens and measured differ in length",
  });

export type Measures = "nvidia" | "reserved" | "active";

export interface MeasurementRow {
  source: string;
  method: "full" | "freeze" | "lora" | "qlora";
  model: string;
  /** size CLI argv for this point (undefined = listed, not estimated). */
  argv?: string[];
  seqLen: number;
  /** As printed by the source. */
  measured: number;
  unit: "G" | "GB" | "GiB";
  /** The unit the figure really is, when the source prints another (ms-swift logs GiB, comments say GB). */
  readAs?: "GB" | "GiB";
  divideBy: number;
  /** nvidia: whole-GPU use; reserved: torch's peak reserved (no CUDA context); active: peak allocated. */
  measures: Measures;
  scored: boolean;
  /** Extra summary group (e.g. "savers"). */
  group?: string;
  interpretation: string;
}

/** Bytes of one printed unit: G is read as GiB (see the data file's header). */
export const UNIT_BYTES = { G: 2 ** 30, GB: 1e9, GiB: 2 ** 30 } as const;

export function loadMeasurements(
  file = join(__dirname, "data", "finetune-measurements.yaml"),
): MeasurementRow[] {
  const doc = parse(readFileSync(file, "utf8")) as { series?: unknown };
  const series = z.array(SeriesSchema).parse(doc.series);
  return series.flatMap((s) =>
    s.seqLens.map((seqLen, i) => ({
      source: s.source,
      method: s.method,
      model: s.model,
      argv: s.args ? ["--model", s.model, ...s.args.split(/\s+/), "--seq-len", String(seqLen)] : undefined,
      seqLen,
      measured: s.measured[i] ?? Number.NaN,
      unit: s.unit,
      ...(s.readAs ? { readAs: s.readAs } : {}),
      divideBy: s.divideBy ?? 1,
      measures: s.measures,
      scored: s.scored ?? true,
      ...(s.group ? { group: s.group } : {}),
      interpretation: s.interpretation,
    })),
  );
}
