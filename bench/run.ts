/**
 * `npm run bench [-- --quick]`: every benchmark, one after the other, each in its own process.
 *
 *   1. bench/sizing-accuracy.ts: the memory estimator (training and inference) against every
 *      published measurement in bench/data, next to the naive rules. Seconds.
 *   2. bench/plan-scale.ts: plan time and peak memory for 10/100/1,000 jobs against the bare SDK
 *      mock runtime, median of 5 fresh processes per cell. Minutes on a small machine.
 *      `--quick`: sizes 10 and 100, one run each (a smoke run; its figures are not a measurement).
 *
 * Exit code: 0 when every benchmark ran, else the first failing one's code. Targets are printed by
 * the benchmarks themselves and do not change the exit code.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { parseOptions, UsageError } from "../infra/cli/args";

const BENCHMARKS: { script: string; quickArgs: string[] }[] = [
  { script: "sizing-accuracy.ts", quickArgs: [] },
  { script: "plan-scale.ts", quickArgs: ["--sizes", "10,100", "--runs", "1"] },
];

function main(argv: readonly string[]): number {
  let quick: boolean;
  try {
    quick = parseOptions(argv, { quick: { type: "boolean" } }).quick === true;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`bench: ${e.message}\nusage: npm run bench [-- --quick]`);
    return 2;
  }
  for (const { script, quickArgs } of BENCHMARKS) {
    console.log(`\n==== bench/${script}${quick && quickArgs.length ? ` ${quickArgs.join(" ")}` : ""} ====\n`);
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(__dirname, script), ...(quick ? quickArgs : [])],
      { stdio: "inherit" },
    );
    if (r.status !== 0) {
      console.error(`bench: bench/${script} failed (${r.status ?? r.signal})`);
      return r.status ?? 1;
    }
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
