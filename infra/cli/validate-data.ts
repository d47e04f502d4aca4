/**
 * `npm run validate-data -- <file.jsonl> --model <catalog id> [--seq-len <n>] [--json] [--max-problems <n>]`
 *
 * Checks a fine-tuning dataset before any GPU is paid for (see infra/data/validate.ts), shows one
 * example exactly as the model trains on it, and prints token statistics from the model family's
 * tokenizer. Exit codes: 0 clean, 1 problems found, 2 usage error (bad flags, unknown model,
 * unreadable file).
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { integerArg, UsageError } from "./args";
import { loadCatalog } from "../catalog";
import { llamaFactoryTemplate } from "../resolve/command";
import { catalogLookup } from "../resolve/lookup";
import { validateDataset, type DatasetReport } from "../data/validate";

const USAGE =
  "usage: npm run validate-data -- <file.jsonl> --model <catalog id> [--seq-len <n>] [--json] [--max-problems <n>]";

/** Problems printed in the text report; --json always has all of them. */
const DEFAULT_PRINTED = 20;

export function renderDatasetReport(r: DatasetReport, maxProblems = DEFAULT_PRINTED): string {
  const out: string[] = [];
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  const shape =
    r.shape?.format === "sharegpt"
      ? `sharegpt ("${r.shape.messages}", ${r.shape.roleTag}/${r.shape.contentTag}, roles ${r.shape.userTag}/${r.shape.assistantTag})`
      : r.shape?.format === "alpaca"
        ? "alpaca (instruction/input/output)"
        : "unknown";
  out.push(
    `${r.file}: ${fmt(r.examples)} usable examples in ${fmt(r.lines)} lines (${fmt(r.bytes)} bytes), ${shape}`,
  );
  out.push(
    `model ${r.model.id} (${r.model.variant}: needs ≥ ${fmt(r.minExamples)} examples), template "${r.template}", sequence length ${fmt(r.seqLen)}`,
  );
  out.push(
    `tokenizer ${r.tokenizer.package} — ${r.tokenizer.upstream}; ${r.tokenizer.closeness}: ${r.tokenizer.note}`,
  );
  const t = r.tokens;
  out.push(
    `tokens per example: mean ${t.mean.toFixed(1)}, p50 ${fmt(t.p50)}, p95 ${fmt(t.p95)}, max ${fmt(t.max)}; total ${fmt(t.total)} (${fmt(t.trainedTotal)} after cutting at ${fmt(r.seqLen)}) over ${fmt(t.count)} examples`,
  );
  const secs = r.timing.totalMs / 1000;
  out.push(
    `measured in ${secs.toFixed(2)} s (tokenizer load ${(r.timing.tokenizerLoadMs / 1000).toFixed(2)} s; ${fmt(t.total / Math.max(1e-9, (r.timing.totalMs - r.timing.tokenizerLoadMs) / 1000))} tokens/s)`,
  );
  if (r.sample) {
    out.push("", `example (line ${r.sample.line}, ${r.sample.tokens} tokens) as the model trains on it:`);
    out.push("┌────");
    for (const l of r.sample.text.split("\n")) out.push(`│ ${l}`);
    out.push("└────");
  }
  out.push("");
  if (r.problemCount === 0) {
    out.push("no problems");
  } else {
    out.push(`${fmt(r.problemCount)} problem${r.problemCount === 1 ? "" : "s"}:`);
    for (const p of r.problems.slice(0, maxProblems))
      out.push(`  ${p.line === 0 ? r.file : `${r.file}:${p.line}`}: ${p.kind}: ${p.message}`);
    const more = r.problemCount - Math.min(maxProblems, r.problems.length);
    if (more > 0)
      out.push(
        `  … and ${fmt(more)} more (--json lists ${r.problems.length === r.problemCount ? "them all" : `the first ${fmt(r.problems.length)}`})`,
      );
  }
  return out.join("\n");
}

export function main(argv: string[]): number {
  let file: string;
  let modelId: string;
  let seqLen = 1024;
  let json = false;
  let maxProblems = DEFAULT_PRINTED;
  try {
    // The shared parser (./args) takes no positionals; the dataset file is one, so parseArgs directly.
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        model: { type: "string" },
        "seq-len": { type: "string" },
        json: { type: "boolean" },
        "max-problems": { type: "string" },
        help: { type: "boolean" },
      },
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1)
      throw new UsageError(`expected one dataset file, got ${positionals.length}`);
    file = positionals[0]!;
    if (!values.model)
      throw new UsageError("--model <catalog id> is required (its kind, template and tokenizer)");
    modelId = values.model;
    if (values["seq-len"] !== undefined) seqLen = integerArg("--seq-len", values["seq-len"]);
    if (values["max-problems"] !== undefined)
      maxProblems = integerArg("--max-problems", values["max-problems"]);
    json = values.json ?? false;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`validate-data: ${message}\n${USAGE}\n`);
    return 2;
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    process.stderr.write(
      `validate-data: ${file}: ${code === "ENOENT" ? "file not found" : `cannot read (${code})`}\n`,
    );
    return 2;
  }
  if (!stat.isFile()) {
    process.stderr.write(`validate-data: ${file}: not a regular file\n`);
    return 2;
  }
  const catalog = loadCatalog();
  let unknown = "";
  const model = catalogLookup(catalog, "model", modelId, (m) => (unknown = m));
  if (!model) {
    process.stderr.write(`validate-data: --model: ${unknown}\n`);
    return 2;
  }
  if (model.maxPositionEmbeddings !== undefined && seqLen > model.maxPositionEmbeddings) {
    process.stderr.write(
      `validate-data: --seq-len: expected at most ${model.maxPositionEmbeddings} (the context length of ${model.id}), got ${seqLen}\n`,
    );
    return 2;
  }
  let report: DatasetReport;
  try {
    report = validateDataset(file, { model, template: llamaFactoryTemplate(model), seqLen });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    process.stderr.write(`validate-data: ${file}: cannot read (${code ?? (err as Error).message})\n`);
    return 2;
  }
  process.stdout.write(
    json ? `${JSON.stringify(report, null, 2)}\n` : `${renderDatasetReport(report, maxProblems)}\n`,
  );
  return report.problemCount === 0 ? 0 : 1;
}

if (require.main === module) {
  process.setSourceMapsEnabled(false);
  process.exitCode = main(process.argv.slice(2));
}
