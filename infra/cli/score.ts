/**
 * `npm run score -- --predictions <jsonl> --references <jsonl> [--json]
 *     [--stack <s> --job <j> --artifact <oss uri> --run-hash <h> --dataset-path <path>]`
 *
 * Scores predictions made anywhere (the evaluation job, a judge model, a person's labels) with the
 * same code the evaluation uses (infra/evaluation/score.ts). With the artifact flags it prints a
 * full metrics.json record (the dataset's content version is the SHA-256 of --references).
 *
 * Exit codes: 0 scored; 2 bad usage or input.
 */
import * as path from "node:path";
import { contentVersion } from "../data/content-version";
import { METRICS_KIND, type MetricsRecord } from "../evaluation/metrics-file";
import { pairUp, ScoreInputError } from "../evaluation/read";
import { METRIC_NAMES, score } from "../evaluation/score";
import { parseOptions, UsageError, type OptionValues } from "./args";

const USAGE =
  "usage: npm run score -- --predictions <jsonl> --references <jsonl> [--json] [--stack <s> --job <j> --artifact <oss://bucket/path/> --run-hash <hash> --dataset-path <path in the datasets bucket>]";

const SPEC = {
  predictions: { type: "string" },
  references: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean" },
  stack: { type: "string" },
  job: { type: "string" },
  artifact: { type: "string" },
  "run-hash": { type: "string" },
  "dataset-path": { type: "string" },
} as const;

const RECORD_FLAGS = ["stack", "job", "artifact", "run-hash", "dataset-path"] as const;

export async function main(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  let flags: OptionValues<typeof SPEC>;
  try {
    flags = parseOptions(argv, SPEC);
    if (flags.help) {
      out.write(`${USAGE}\n`);
      return 0;
    }
    if (flags.predictions === undefined || flags.references === undefined)
      throw new UsageError("--predictions and --references are both required");
    const f0 = flags;
    const given = RECORD_FLAGS.filter((f) => f0[f] !== undefined);
    if (given.length > 0 && given.length < RECORD_FLAGS.length)
      throw new UsageError(
        `a metrics record needs all of ${RECORD_FLAGS.map((f) => `--${f}`).join(", ")}; missing ${RECORD_FLAGS.filter(
          (f) => f0[f] === undefined,
        )
          .map((f) => `--${f}`)
          .join(", ")}`,
      );
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`score: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  try {
    const refs = path.resolve(flags.references);
    const pairs = pairUp(path.resolve(flags.predictions), refs);
    const result = score(pairs);
    for (const n of result.notes) err.write(`score: ${n}\n`);
    if (flags.artifact !== undefined) {
      const record: MetricsRecord = {
        kind: METRICS_KIND,
        artifact: {
          stack: flags.stack!,
          job: flags.job!,
          uri: flags.artifact,
          runHash: flags["run-hash"]!,
        },
        dataset: { path: flags["dataset-path"]!, contentVersion: await contentVersion(refs) },
        examples: result.examples,
        metrics: result.metrics,
        scorer: "score.ts",
        computedAt: new Date().toISOString(),
      };
      out.write(`${JSON.stringify(record, null, 2)}\n`);
      return 0;
    }
    if (flags.json) {
      out.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    out.write(`Scored ${result.examples} examples (percent, 0-100):\n`);
    for (const m of METRIC_NAMES) {
      const v = result.metrics[m];
      if (v !== undefined) out.write(`  ${m.padEnd(18)} ${v.toFixed(2).padStart(7)}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof ScoreInputError || (e instanceof Error && e.message.startsWith("nothing to score"))) {
      err.write(`score: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`score: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(3);
    },
  );
}
