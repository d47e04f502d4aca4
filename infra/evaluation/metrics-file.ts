/**
 * `metrics.json`: what an evaluation writes next to the model in the models bucket, and what
 * `npm run promote` checks against the target's gates. It names the exact artifact (output URI and
 * run hash), the evaluation dataset and its content version (infra/data/content-version.ts), and
 * each metric (0–100, infra/evaluation/score.ts).
 */
import { readFileSync, statSync } from "node:fs";
import { z } from "zod";
import { METRIC_NAMES } from "./score";

export const METRICS_KIND = "pai-finetune/evaluation-metrics";

export const MetricsRecordSchema = z.strictObject({
  kind: z.literal(METRICS_KIND),
  /** The evaluated model: the stack and job that evaluated it, and the model's URI and run hash (for a promoted model, the source's). */
  artifact: z.strictObject({
    stack: z.string().min(1),
    job: z.string().min(1),
    uri: z.string().regex(/^oss:\/\/[^/]+\/.+/, "an oss://bucket/path URI"),
    runHash: z.string().regex(/^[0-9a-f]{6,64}$/, "a lower-case hex run hash"),
  }),
  /** The evaluation set: its path in the datasets bucket and the SHA-256 of its bytes. */
  dataset: z.strictObject({
    path: z.string().min(1),
    contentVersion: z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 in lower-case hex"),
  }),
  examples: z.number().int().min(1),
  metrics: z.partialRecord(z.enum(METRIC_NAMES), z.number().min(0).max(100)),
  /** Which implementation scored: "score.ts" (npm run score) or "score.py" (the evaluation job). */
  scorer: z.enum(["score.ts", "score.py"]),
  computedAt: z.string().min(1),
});
export type MetricsRecord = z.infer<typeof MetricsRecordSchema>;

export class MetricsFileError extends Error {
  override readonly name = "MetricsFileError";
}

/** Reads and validates a metrics.json; errors name the file and the key. */
export function readMetricsFile(file: string): MetricsRecord {
  let text: string;
  try {
    if (statSync(file).size > 1 << 20)
      throw new MetricsFileError(`${file}: larger than 1 MiB; not a metrics file`);
    text = readFileSync(file, "utf8");
  } catch (err) {
    if (err instanceof MetricsFileError) throw err;
    throw new MetricsFileError(`${file}: cannot read the metrics file (no such file?)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new MetricsFileError(`${file}: not valid JSON`);
  }
  const parsed = MetricsRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new MetricsFileError(`${file}: ${i.path.map(String).join(".") || "(top level)"}: ${i.message}`);
  }
  return parsed.data;
}
