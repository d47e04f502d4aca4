/** A small, strict flag parser for the CLIs: unknown flags and missing values are usage errors. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export type FlagKind = "string" | "number" | "boolean";
export type FlagValues<S extends Record<string, FlagKind>> = {
  [K in keyof S]?: S[K] extends "boolean" ? boolean : S[K] extends "number" ? number : string;
};

export function parseFlags<S extends Record<string, FlagKind>>(argv: string[], spec: S): FlagValues<S> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
    const kind = spec[name];
    if (!kind)
      throw new UsageError(
        `unknown flag --${name}; expected one of ${Object.keys(spec)
          .map((k) => `--${k}`)
          .join(", ")}`,
      );
    if (kind === "boolean") {
      out[name] = inline === undefined ? true : inline !== "false";
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith("--")) throw new UsageError(`--${name} needs a value`);
    if (kind === "number") {
      const n = Number(value);
      if (!Number.isFinite(n))
        throw new UsageError(`--${name}: expected a number, got ${JSON.stringify(value)}`);
      out[name] = n;
    } else {
      out[name] = value;
    }
  }
  return out as FlagValues<S>;
}
