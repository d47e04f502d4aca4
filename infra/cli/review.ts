/**
 * `npm run review -- (--stack <name> | --config <file>) [--base <git revision> | --base-config <file>]
 *                    [--format md|html|json] [--out <file>]`
 *
 * The policy review of a stack, from the offline plan: per job and service the method, model,
 * placement, GPU memory need vs usable, hours and cost; the monthly total; against a base, what was
 * added, removed and changed with the cost difference; every policy verdict and exemption.
 * Markdown (default) fits a pull-request comment; HTML is one self-contained file with charts.
 *
 * Exit codes: 0 ok; 1 the plan has errors or a mandatory policy violation (the report is still
 * written); 2 bad usage, a bad config (head or base) or a base that cannot be read.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../config/errors";
import { stackFilePath, stackNameProblem } from "../config/load";
import { runOfflinePlan, stackNameOf } from "../plan";
import { BaseError, checkoutAtRevision } from "../review/base";
import { renderHtml } from "../review/html";
import { renderMarkdown } from "../review/markdown";
import { currentPromotion, HistoryError, type PromotionEntry } from "../promote/history";
import { buildReview, type PlanResult, type Review, type ReviewPromotion } from "../review/model";
import { oneOf, parseOptions, UsageError } from "./args";

const USAGE =
  "usage: npm run review -- (--stack <name> | --config <stack YAML>) [--base <git revision> | --base-config <stack YAML>] [--format md|html|json] [--out <file>]";

const FORMATS = ["md", "html", "json"] as const;
type Format = (typeof FORMATS)[number];

export interface ReviewIo {
  out: (text: string) => void;
  err: (line: string) => void;
}

export function render(review: Review, format: Format): string {
  if (format === "html") return renderHtml(review);
  if (format === "json") return `${JSON.stringify(review, null, 2)}\n`;
  return renderMarkdown(review);
}

/** The history entry in force, as the review shows it. */
function reviewPromotion(e: PromotionEntry): ReviewPromotion {
  return {
    job: e.job,
    from: e.from,
    time: e.time,
    artifact: e.artifact,
    ...(e.metrics ? { metrics: { dataset: e.metrics.dataset, values: e.metrics.values } } : {}),
    gates: e.gates.map((g) => ({
      metric: g.metric,
      ...(g.min !== undefined ? { min: g.min } : {}),
      ...(g.max !== undefined ? { max: g.max } : {}),
      ...(g.value !== undefined ? { value: g.value } : {}),
    })),
  };
}

/** Runs the plan of a base file; its errors name the base (never the temp path). */
async function planBase(file: string, label: string, stack: string, display: string): Promise<PlanResult> {
  try {
    const plan = (await runOfflinePlan(file, stack)) as PlanResult;
    plan.report.file = display;
    return plan;
  } catch (err) {
    if (err instanceof ConfigError)
      throw new BaseError(`base ${label}: ${err.message.split(file).join(display)}`);
    throw err;
  }
}

export async function main(argv: string[], io: ReviewIo): Promise<number> {
  process.setSourceMapsEnabled(false);
  let flags;
  let format: Format;
  try {
    flags = parseOptions(argv, {
      stack: { type: "string" },
      config: { type: "string" },
      base: { type: "string" },
      "base-config": { type: "string" },
      format: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean" },
    });
    if (flags.help) {
      io.out(`${USAGE}\n`);
      return 0;
    }
    if ((flags.stack === undefined) === (flags.config === undefined))
      throw new UsageError("give exactly one of --stack or --config");
    if (flags.base !== undefined && flags["base-config"] !== undefined)
      throw new UsageError("give at most one of --base or --base-config");
    format = oneOf("--format", flags.format ?? "md", FORMATS);
    const problem = stackNameProblem(flags.stack ?? stackNameOf(flags.config!));
    if (problem)
      throw new UsageError(
        flags.stack !== undefined ? problem : `${problem} (named after --config's file name)`,
      );
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`review: ${err.message}\n${USAGE}`);
      return 2;
    }
    throw err;
  }

  const file = flags.config !== undefined ? path.resolve(flags.config) : stackFilePath(flags.stack!);
  const stack = flags.stack ?? stackNameOf(file);
  let review: Review;
  try {
    const head = (await runOfflinePlan(file, stack)) as PlanResult;
    let base: { label: string; plan: PlanResult } | undefined;
    if (flags.base !== undefined) {
      const copy = checkoutAtRevision(file, flags.base);
      try {
        base = { label: copy.label, plan: await planBase(copy.file, copy.label, stack, copy.label) };
      } finally {
        copy.cleanup();
      }
    } else if (flags["base-config"] !== undefined) {
      const baseFile = path.resolve(flags["base-config"]);
      const label = path.relative(process.cwd(), baseFile) || baseFile;
      base = { label, plan: await planBase(baseFile, label, stackNameOf(baseFile), label) };
    }
    review = buildReview(head, base);
    const promoted = currentPromotion(path.dirname(file), stack);
    if (promoted) review.promotion = reviewPromotion(promoted);
  } catch (err) {
    if (err instanceof HistoryError) {
      io.err(`review: ${err.message}`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof BaseError) {
      io.err(err.message);
      return 2;
    }
    throw err;
  }

  const text = render(review, format);
  if (flags.out !== undefined) {
    try {
      writeFileSync(flags.out, text);
    } catch (e) {
      io.err(`review: cannot write --out ${flags.out}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      return 2;
    }
  } else {
    io.out(text);
  }
  if (review.ok) return 0;
  const why = [
    review.errors.length > 0
      ? `${review.errors.length} plan error${review.errors.length === 1 ? "" : "s"}`
      : "",
    review.policy && review.policy.mandatoryViolations > 0
      ? `${review.policy.mandatoryViolations} mandatory policy violation${review.policy.mandatoryViolations === 1 ? "" : "s"}`
      : "",
  ].filter(Boolean);
  io.err(`review: stack ${stack} has ${why.join(" and ")} (listed in the report)`);
  return 1;
}

if (require.main === module) {
  main(process.argv.slice(2), {
    out: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`review: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 3;
    },
  );
}
