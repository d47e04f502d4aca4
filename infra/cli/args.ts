// The one argument parser of every CLI (plan, size, prices, the emulator): `node:util` parseArgs in
// strict mode, its errors turned into one-line UsageErrors, and the value checks the CLIs share.
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Bad usage: the CLI prints `<cli>: <message>` and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** An option table as parseArgs takes it (`{ "seq-len": { type: "string" }, json: { type: "boolean" } }`). */
export type OptionTable = NonNullable<ParseArgsConfig["options"]>;

/** Values parsed with `options`: strings for string options, booleans for boolean ones. */
export type OptionValues<T extends OptionTable> = {
  [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean : string;
};

/**
 * Parses `argv` (without node and the script) strictly: unknown options, positionals, a missing
 * value or a value given to a boolean option are UsageErrors naming the option.
 */
export function parseOptions<T extends OptionTable>(argv: readonly string[], options: T): OptionValues<T> {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(usageMessage(err, options));
  }
}

/** parseArgs' messages are long and suggest `--` tricks; say what was wrong in one line instead. */
function usageMessage(err: unknown, options: OptionTable): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string }).code;
  const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? "";
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      // A short table is listed; a long one (size has dozens) is in the command's usage text.
      return Object.keys(options).length <= 12
        ? `${flag}: unknown argument; expected one of ${Object.keys(options)
            .map((k) => `--${k}`)
            .join(", ")}`
        : `${flag}: unknown argument (see the command's usage)`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ""}`.trimEnd();
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return options[flag.replace(/^-+/, "")]?.type === "boolean"
        ? `${flag}: takes no value`
        : `${flag}: expected a value`;
    default:
      return message.split("\n")[0] ?? message;
  }
}

/** `raw` if it is one of `allowed`, else a UsageError naming the flag. */
export function oneOf<T extends string>(flag: string, raw: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(`${flag}: expected one of ${allowed.join(" | ")}, got "${raw}"`);
}

/**
 * A whole number written in decimal digits, within [min, max] and a safe integer: `1e3`, `0x10`,
 * `1.0` and anything past 2^53 − 1 are refused, so a value is never silently rounded.
 */
export function integerArg(
  flag: string,
  raw: string,
  { min = 1, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {},
): number {
  const value = Number(raw);
  const bound = max === Number.MAX_SAFE_INTEGER ? "" : ` (at most ${max})`;
  const what = min === 1 ? "a positive integer" : `an integer ≥ ${min}`;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max)
    throw new UsageError(`${flag}: expected ${what}, got "${raw}"${bound}`);
  return value;
}

/** A finite decimal number within [min, max) (or [min, max] with `inclusiveMax`). */
export function numberArg(
  flag: string,
  raw: string,
  { min, max, inclusiveMax = false }: { min: number; max: number; inclusiveMax?: boolean },
): number {
  const value = raw.trim() === "" ? NaN : Number(raw); // Number("") is 0
  const inRange = value >= min && (inclusiveMax ? value <= max : value < max);
  if (!Number.isFinite(value) || !inRange)
    throw new UsageError(
      `${flag}: expected a number in [${min}, ${max}${inclusiveMax ? "]" : ")"}, got "${raw}"`,
    );
  return value;
}
