/**
 * `npm run promote -- --from <stack> --to <stack> [--job <name>] --metrics <metrics.json>
 *     [--outputs <pulumi stack output --json>] [--dry-run] [--yes]`
 * `npm run promote -- --to <stack> --rollback [--dry-run] [--yes]`
 *
 * Moves the exact evaluated model into the target stack file (infra/promote/promote.ts), after the
 * gates and the target's plan pass; prints the diff; asks unless --yes (refuses without a terminal);
 * writes atomically and appends stacks/promotions/<target>.jsonl.
 *
 * Exit codes: 0 promoted (or dry run passed, or nothing to change); 1 refused (a gate, the plan or
 * a policy; nothing written); 2 bad usage, config or input.
 */
import * as path from "node:path";
import { createInterface } from "node:readline/promises";
import { ConfigError } from "../config/errors";
import { runOfflinePlan } from "../plan";
import { HistoryError } from "../promote/history";
import {
  applyPromotion,
  preparePromotion,
  PromoteUsageError,
  PromotionRefused,
  type PlanRunner,
} from "../promote/promote";
import { YamlEditError } from "../promote/yaml-edit";
import { parseOptions, UsageError, type OptionValues } from "./args";

const USAGE = [
  "usage: npm run promote -- --from <stack> --to <stack> [--job <name>] --metrics <metrics.json> [--outputs <file>] [--dry-run] [--yes] [--stacks-dir <dir>]",
  "       npm run promote -- --to <stack> --rollback [--dry-run] [--yes]",
].join("\n");

const SPEC = {
  from: { type: "string" },
  to: { type: "string" },
  job: { type: "string" },
  metrics: { type: "string" },
  outputs: { type: "string" },
  "dry-run": { type: "boolean" },
  yes: { type: "boolean" },
  rollback: { type: "boolean" },
  help: { type: "boolean" },
  "stacks-dir": { type: "string" },
} as const;

export interface PromoteIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** Asks a yes/no question; undefined when there is no terminal to ask on. */
  ask?: (question: string) => Promise<boolean>;
  plan?: PlanRunner;
}

async function askOnTty(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export async function main(argv: string[], io: PromoteIo = defaultIo()): Promise<number> {
  process.setSourceMapsEnabled(false);
  let flags: OptionValues<typeof SPEC>;
  try {
    flags = parseOptions(argv, SPEC);
    if (flags.help) {
      io.out.write(`${USAGE}\n`);
      return 0;
    }
    if (flags.to === undefined) throw new UsageError("--to is required");
    if (flags.rollback) {
      for (const f of ["from", "metrics", "outputs", "job"] as const)
        if (flags[f] !== undefined)
          throw new UsageError(`--${f} does not apply to --rollback (it restores from the history)`);
    } else if (flags.from === undefined || flags.metrics === undefined) {
      throw new UsageError("--from and --metrics are required (or --rollback)");
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err.write(`promote: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  const stacksDir = path.resolve(flags["stacks-dir"] ?? path.join(__dirname, "..", "..", "stacks"));
  try {
    const change = await preparePromotion({
      stacksDir,
      to: flags.to,
      ...(flags.from !== undefined ? { from: flags.from } : {}),
      ...(flags.job !== undefined ? { job: flags.job } : {}),
      ...(flags.metrics !== undefined ? { metricsFile: path.resolve(flags.metrics) } : {}),
      ...(flags.outputs !== undefined ? { outputsFile: path.resolve(flags.outputs) } : {}),
      rollback: flags.rollback === true,
      plan: io.plan ?? (async (file, stack) => runOfflinePlan(file, stack)),
    });
    const e = change.entry;
    io.out.write(
      `${e.kind === "rollback" ? "Rollback" : "Promotion"} of ${flags.to} (job ${e.job}): ${e.artifact.uri} (run ${e.artifact.runHash}, trained in ${e.artifact.stack}/${e.artifact.job})\n`,
    );
    for (const g of e.gates)
      io.out.write(
        `  gate ${g.metric} ${g.min !== undefined ? `>= ${g.min}` : `<= ${g.max}`} on ${g.dataset.path}@${g.dataset.version.slice(0, 12)}: ${g.value ?? "not checked"} ok\n`,
      );
    for (const n of change.notes) io.out.write(`  note: ${n}\n`);
    io.out.write(`\n${change.diff}\n\n`);
    if (change.newText === change.oldText) return 0;
    if (flags["dry-run"]) {
      io.out.write("Dry run: every check passed; nothing written.\n");
      return 0;
    }
    if (!flags.yes) {
      if (!io.ask) {
        io.err.write("promote: not a terminal and no --yes: refusing to write without a confirmation\n");
        return 2;
      }
      if (!(await io.ask(`Write ${change.targetFile}? [y/N] `))) {
        io.out.write("Nothing written.\n");
        return 1;
      }
    }
    applyPromotion({ stacksDir }, change);
    io.out.write(
      `Wrote ${change.targetFile} and appended ${path.join(stacksDir, "promotions", `${flags.to}.jsonl`)}.\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof PromotionRefused) {
      io.err.write(`promote: ${err.message}\nNothing written.\n`);
      return 1;
    }
    if (
      err instanceof PromoteUsageError ||
      err instanceof ConfigError ||
      err instanceof HistoryError ||
      err instanceof YamlEditError
    ) {
      io.err.write(`promote: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

function defaultIo(): PromoteIo {
  return {
    out: process.stdout,
    err: process.stderr,
    ...(process.stdin.isTTY ? { ask: askOnTty } : {}),
  };
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`promote: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(3);
    },
  );
}
