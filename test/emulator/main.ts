// CLI: npm run emulator -- [--port <n>] [--region <r>] [--access-key-id X --access-key-secret Y]
//                          [--fault-rate <0..1>] [--seed <0..4294967295>]
// Prints the URL, serves until SIGINT or SIGTERM (or until its parent process goes away), then closes.
// Exit codes: 0 stopped by a signal, 1 could not start (port in use, say), 2 bad usage.
import { isRegionId } from "../../infra/pai/region";
import { integerArg, numberArg, parseOptions, UsageError } from "../../infra/cli/args";
import { FAULT_KINDS } from "./faults";
import { startEmulator, type EmulatorOptions } from "./index";

const PARENT_AT_START = process.ppid;

const OPTIONS = {
  port: { type: "string" },
  region: { type: "string" },
  "access-key-id": { type: "string" },
  "access-key-secret": { type: "string" },
  "fault-rate": { type: "string" },
  seed: { type: "string" },
} as const;

const USAGE =
  "usage: npm run emulator -- [--port <n>] [--region <region id>] [--access-key-id X --access-key-secret Y] [--fault-rate <0..1>] [--seed <0..4294967295>]";

/** Printed at start-up when no keys are given: such an emulator would accept a forged request too. */
export const ANY_SIGNATURE_WARNING =
  "WARNING: no --access-key-id/--access-key-secret given: this emulator accepts ANY access key and ANY " +
  "signature (it still checks the signature's form). Give keys to check signatures as PAI does.";

/** What the command line asks for, checked. Throws UsageError. */
export function emulatorOptions(argv: readonly string[]): {
  options: EmulatorOptions;
  faultRate?: number;
} {
  const values = parseOptions(argv, OPTIONS);
  const keyId = values["access-key-id"];
  const secret = values["access-key-secret"];
  if ((keyId === undefined) !== (secret === undefined))
    throw new UsageError("--access-key-id and --access-key-secret go together");
  if (keyId === "" || secret === "") throw new UsageError("--access-key-id/--access-key-secret: empty");
  const region = values.region ?? "cn-hangzhou";
  if (!isRegionId(region))
    throw new UsageError(`--region: expected a region id like cn-hangzhou, got "${region}"`);
  return {
    options: {
      port: values.port === undefined ? 0 : integerArg("--port", values.port, { min: 0, max: 65_535 }),
      region,
      // The fault generator is a 32-bit PRNG: a seed is an unsigned 32-bit integer.
      seed:
        values.seed === undefined
          ? undefined
          : integerArg("--seed", values.seed, { min: 0, max: 2 ** 32 - 1 }),
      credentials:
        keyId !== undefined && secret !== undefined
          ? [{ accessKeyId: keyId, accessKeySecret: secret }]
          : undefined,
    },
    faultRate:
      values["fault-rate"] === undefined
        ? undefined
        : numberArg("--fault-rate", values["fault-rate"], { min: 0, max: 1, inclusiveMax: true }),
  };
}

async function main(argv: readonly string[]): Promise<void> {
  let parsed;
  try {
    parsed = emulatorOptions(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`emulator: ${e.message}\n${USAGE}`);
    process.exit(2);
  }
  const emulator = await startEmulator(parsed.options);
  if (parsed.faultRate !== undefined) emulator.faults.setRandom(parsed.faultRate, [...FAULT_KINDS]);
  if (!parsed.options.credentials) console.error(ANY_SIGNATURE_WARNING);
  console.log(emulator.url);

  let stopping = false;
  const stop = (why: string): void => {
    if (stopping) return;
    stopping = true;
    console.error(`emulator: ${why}; closing`);
    void emulator.close().finally(() => process.exit(0));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGHUP", () => stop("SIGHUP"));
  // A wrapper between the shell and this process (npm's `sh -c`, tsx's watcher) may die from a signal
  // without passing it on; then this process is re-parented. Stop then too, instead of serving on as
  // an orphan holding the port.
  // (Node reads process.ppid once, so ask whether that parent still exists. PARENT_AT_START was read
  // before the URL was printed: whoever sees the URL may already stop the parent.)
  const parent = PARENT_AT_START;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      stop(`parent process ${parent} exited`);
    }
  }, 500).unref();
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(`emulator: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
