/** Temporary stack files for tests: start from a real stack file, change it, write it, clean up. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";

export const STACKS_DIR = path.resolve(__dirname, "..", "..", "stacks");

export function readStackYaml(stack: string): { config: Record<string, unknown> } {
  return parse(fs.readFileSync(path.join(STACKS_DIR, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
}

/** A scratch directory removed by `cleanup()`. */
export function scratchDir(): { dir: string; write(name: string, text: string): string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pai-finetune-test-"));
  return {
    dir,
    write(name, text) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return file;
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The dev stack's YAML with `mutate` applied to its config mapping. The scratch file lies outside the
 * project, where a job's `dataset.file` cannot reach (a local dataset must stay inside the project),
 * so such jobs read the same data from the bucket instead (`path` with its size stated), as they
 * would once uploaded. Tests of `dataset.file` itself write their own data next to the stack file.
 */
export function mutatedStack(base: string, mutate: (config: Record<string, any>) => void): string {
  const doc = readStackYaml(base);
  const jobs = (doc.config["pai-finetune:jobs"] ?? []) as { dataset?: Record<string, unknown> }[];
  for (const job of jobs) {
    if (job.dataset?.file === undefined) continue;
    const { file: _file, ...rest } = job.dataset;
    job.dataset = { ...rest, path: "tv-intents/v3/train.jsonl", examples: 2400, avgTokensPerExample: 320 };
  }
  mutate(doc.config);
  return stringify(doc);
}
