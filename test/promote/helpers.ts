/** Copies of the committed stacks in a scratch folder, an evaluation set, and metrics files. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { contentVersionOf } from "../../infra/data/content-version";
import { METRICS_KIND, type MetricsRecord } from "../../infra/evaluation/metrics-file";
import { pairUp } from "../../infra/evaluation/read";
import { score } from "../../infra/evaluation/score";
import { normalizeOssUri } from "../../infra/promote/promote";
import { resolveStackFile } from "../../infra/resolve/stack";

export const REPO = path.resolve(__dirname, "..", "..");
export const FIXTURES = path.join(REPO, "test", "evaluation", "fixtures");
export const EVAL_PATH = "tv-assistant/eval.jsonl";

export interface Workspace {
  dir: string;
  file(stack: string): string;
  read(stack: string): string;
  write(stack: string, text: string): void;
  cleanup(): void;
}

/** The three committed stacks, copied, with the evaluation set they name written beside them. */
export function workspace(): Workspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pai-finetune-promote-"));
  for (const s of ["dev", "staging", "prod"])
    fs.copyFileSync(path.join(REPO, "stacks", `Pulumi.${s}.yaml`), path.join(dir, `Pulumi.${s}.yaml`));
  fs.mkdirSync(path.join(dir, "datasets", "tv-assistant"), { recursive: true });
  fs.copyFileSync(
    path.join(FIXTURES, "references.jsonl"),
    path.join(dir, "datasets", "tv-assistant", "eval.jsonl"),
  );
  // dev trains on the committed TV-assistant data (dataset.file, relative to the stack file).
  fs.copyFileSync(
    path.join(REPO, "stacks", "datasets", "tv-assistant", "train.jsonl"),
    path.join(dir, "datasets", "tv-assistant", "train.jsonl"),
  );
  const file = (s: string) => path.join(dir, `Pulumi.${s}.yaml`);
  return {
    dir,
    file,
    read: (s) => fs.readFileSync(file(s), "utf8"),
    write: (s, t) => fs.writeFileSync(file(s), t),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** The artifact a stack's (only) job stands for. */
export function artifactOf(ws: Workspace, stack: string): { job: string; uri: string; runHash: string } {
  const job = resolveStackFile(ws.file(stack), stack).jobs[0]!;
  return job.artifact
    ? { job: job.name, uri: job.artifact.uri, runHash: job.artifact.runHash }
    : { job: job.name, uri: normalizeOssUri(job.modelUri), runHash: job.runHash };
}

/**
 * A metrics.json for the artifact `stack`'s job stands for, evaluated in that stack, scored by
 * score.ts on `predictions` against the workspace's evaluation set.
 */
export function writeMetrics(
  ws: Workspace,
  stack: string,
  opts: { predictions?: string; datasetFile?: string; patch?: (r: MetricsRecord) => void } = {},
): string {
  const refs = opts.datasetFile ?? path.join(ws.dir, "datasets", "tv-assistant", "eval.jsonl");
  const a = artifactOf(ws, stack);
  const result = score(pairUp(opts.predictions ?? refs, refs));
  const record: MetricsRecord = {
    kind: METRICS_KIND,
    artifact: { stack, job: a.job, uri: a.uri, runHash: a.runHash },
    dataset: { path: EVAL_PATH, contentVersion: contentVersionOf(fs.readFileSync(refs)) },
    examples: result.examples,
    metrics: result.metrics,
    scorer: "score.ts",
    computedAt: "2026-11-30T12:00:00.000Z",
  };
  opts.patch?.(record);
  const out = path.join(ws.dir, `metrics-${stack}-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(out, JSON.stringify(record, null, 2));
  return out;
}

/** Every file under the folder, with its bytes: to prove a refusal wrote nothing. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p, "latin1"));
    }
  };
  walk(dir);
  return out;
}
