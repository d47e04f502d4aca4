/**
 * A job's local dataset (`dataset.file`): where it is, whether it is fit to train on, how big it
 * is, and where it goes in the datasets bucket. Called by `infra/resolve` for every job with a
 * file, so the offline plan and `pulumi up` judge and measure the data the same way.
 *
 * - The path is relative to the stack file and must stay inside the project (the nearest directory
 *   above the stack file that holds Pulumi.yaml, else the stack file's own directory): the upload's
 *   `source` is written relative to that directory, which is where `pulumi up` runs the provider,
 *   so no machine path reaches the state.
 * - The object key is content-addressed, `by-version/<sha256>/data.jsonl` (contentVersion): the
 *   same bytes are never uploaded twice, a changed file is a new key.
 * - Each distinct file is read once per resolve (a DatasetReader), whatever the number of jobs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CatalogModel } from "../catalog";
import {
  measureDataset,
  reportAt,
  type DatasetMeasure,
  type DatasetReport,
  type DatasetShape,
} from "./validate";
import type { TokenizerChoice } from "./tokenizer";

/** Problems quoted in a config error; the rest are counted, and validate-data lists them all. */
const QUOTED_PROBLEMS = 8;

/** What a job knows of its local dataset once it is validated and measured. */
export interface ResolvedDataset {
  /** As the stack file wrote it. */
  file: string;
  /** Relative to the project directory, '/'-separated: the upload's source (never a machine path). */
  source: string;
  /** Content version: hex SHA-256 of the bytes. */
  version: string;
  /** Hex MD5 of the bytes, checked by OSS on upload. */
  md5: string;
  bytes: number;
  /** Object key in the datasets bucket. */
  key: string;
  shape: DatasetShape;
  examples: number;
  /** Mean tokens per example after cutting at the sequence length: what the job trains on. */
  avgTrainedTokens: number;
  tokens: DatasetReport["tokens"];
  tokenizer: TokenizerChoice;
  template: string;
}

/** The key a content version is uploaded under. */
export function datasetKey(version: string): string {
  return `by-version/${version}/data.jsonl`;
}

/** The directory a stack file's relative paths are bounded by: the project's, or the file's own. */
export function projectDirOf(stackFile: string): string {
  const start = path.dirname(path.resolve(stackFile));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}

export type DatasetOutcome = { ok: true; dataset: ResolvedDataset } | { ok: false; messages: string[] };

/** Reads each distinct file once (by real path, model family, kind and template) for one resolve. */
export class DatasetReader {
  private readonly measured = new Map<string, DatasetMeasure | Error>();
  private readonly projectDir: string;
  private readonly stackDir: string;

  /** Files read so far (each distinct file once, whatever the number of jobs and sequence lengths). */
  get filesRead(): number {
    return this.measured.size;
  }

  constructor(stackFile: string) {
    this.stackDir = path.dirname(path.resolve(stackFile));
    this.projectDir = projectDirOf(stackFile);
  }

  read(
    file: string,
    job: { model: CatalogModel; template: string; seqLen: number; format: "sharegpt" | "alpaca" },
  ): DatasetOutcome {
    const fail = (...messages: string[]): DatasetOutcome => ({ ok: false, messages });
    if (path.isAbsolute(file) || /^[A-Za-z]:[\\/]/.test(file))
      return fail(`expected a path relative to the stack file, got an absolute path`);
    const absolute = path.resolve(this.stackDir, file);
    let real: string;
    try {
      real = fs.realpathSync(absolute);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return fail(
        code === "ENOENT"
          ? `file not found: ${JSON.stringify(file)} (relative to the stack file's directory)`
          : `cannot read ${JSON.stringify(file)} (${code ?? String(err)})`,
      );
    }
    const realProject = fs.realpathSync(this.projectDir);
    const source = path.relative(realProject, real);
    if (source.startsWith("..") || path.isAbsolute(source))
      return fail(
        `${JSON.stringify(file)} lies outside the project directory (the one holding Pulumi.yaml); keep datasets inside the project so the upload names no machine path`,
      );
    if (!fs.statSync(real).isFile()) return fail(`${JSON.stringify(file)} is not a regular file`);

    const key = `${real}\0${job.model.family}\0${job.model.variant}\0${job.template}`;
    let m = this.measured.get(key);
    if (!m) {
      try {
        m = measureDataset(real, { model: job.model, template: job.template, displayName: file });
      } catch (err) {
        m = err instanceof Error ? err : new Error(String(err));
      }
      this.measured.set(key, m);
    }
    if (m instanceof Error) return fail(`cannot read ${JSON.stringify(file)}: ${m.message}`);

    const report = reportAt(m, job.seqLen);
    if (report.problemCount > 0) {
      const shown = report.problems
        .slice(0, QUOTED_PROBLEMS)
        .map((p) => `${p.line === 0 ? file : `${file}:${p.line}`}: ${p.kind}: ${p.message}`);
      const more = report.problemCount - shown.length;
      return fail(
        `the dataset fails validation (${report.problemCount} problem${report.problemCount === 1 ? "" : "s"}):`,
        ...shown.map((s) => `      ${s}`),
        ...(more > 0 ? [`      … and ${more} more`] : []),
        `      (all of them: npm run validate-data -- ${source.split(path.sep).join("/")} --model ${job.model.id} --seq-len ${job.seqLen})`,
      );
    }
    const shape = report.shape!;
    if (shape.format !== job.format)
      return fail(
        `the file is in ${shape.format} format, but dataset.format is "${job.format}"; set format: ${shape.format}`,
      );
    return {
      ok: true,
      dataset: {
        file,
        source: source.split(path.sep).join("/"),
        version: m.sha256,
        md5: m.md5,
        bytes: report.bytes,
        key: datasetKey(m.sha256),
        shape,
        examples: report.examples,
        avgTrainedTokens: report.tokens.trainedTotal / report.examples,
        tokens: report.tokens,
        tokenizer: report.tokenizer,
        template: report.template,
      },
    };
  }
}
