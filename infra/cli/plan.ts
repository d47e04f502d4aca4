/**
 * `npm run plan -- --stack <name> | --config <file> [--json]`
 *
 * Exit codes: 0 the plan is good; 1 a job or service would not fit its GPUs; 2 bad usage or config.
 */
import * as path from "node:path";
import { ConfigError } from "../config/errors";
import { stackFilePath, stackNameProblem } from "../config/load";
import { renderReport, runOfflinePlan, stackNameOf } from "../plan";
import { parseOptions, UsageError } from "./args";

const USAGE =
  "usage: npm run plan -- (--stack <dev|staging|prod|...> | --config <path to a stack YAML>) [--json]";

export async function main(argv: string[]): Promise<number> {
  // The SDK captures a stack trace for every promise and resource it makes (leak debugging, source
  // positions); formatting them, through tsx's source maps, cost more than the registrations
  // themselves. The plan prints no stack traces, so it turns both off (bench/plan-scale.ts measures).
  process.setSourceMapsEnabled(false);
  Error.stackTraceLimit = 0;
  let flags;
  try {
    flags = parseOptions(argv, {
      stack: { type: "string" },
      config: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    });
    if (flags.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if ((flags.stack === undefined) === (flags.config === undefined))
      throw new UsageError("give exactly one of --stack or --config");
    const stackName = flags.stack ?? stackNameOf(String(flags.config));
    const problem = stackNameProblem(stackName);
    if (problem)
      throw new UsageError(
        flags.stack !== undefined ? problem : `${problem} (named after --config's file name)`,
      );
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`plan: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  const file =
    flags.config !== undefined ? path.resolve(String(flags.config)) : stackFilePath(String(flags.stack));
  const stack = flags.stack !== undefined ? String(flags.stack) : stackNameOf(file);
  try {
    const { report } = await runOfflinePlan(file, stack);
    process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderReport(report)}\n`);
    return report.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`plan: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(3);
    },
  );
}
