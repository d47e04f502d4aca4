// The one reader of numeric settings taken from the environment (PAI_RETRY_*, PAI_POLL_*,
// PAI_READ_TIMEOUT_MS, PAI_QUOTA_WAIT_MINUTES, PAI_DLC_STOP_TIMEOUT_MINUTES).
//
// Rule: unset or blank → the default. Otherwise the value must be a finite decimal number ≥ the
// setting's minimum (0 where zero means something, e.g. no backoff in tests; 1 where it would not,
// e.g. a timeout); anything else is an error naming the variable. A typo never silently falls back
// to the default, and 0 never silently means "the default".

/** Environment settings are validated here; a bad one is an error naming the variable. */
export class EnvSettingError extends Error {
  override readonly name = "EnvSettingError";
}

/** `env[name]` as a number ≥ `min`, or `fallback` when unset or blank. */
export function envNumber(
  name: string,
  fallback: number,
  { min = 0, env = process.env }: { min?: number; env?: NodeJS.ProcessEnv } = {},
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new EnvSettingError(
      `${name}=${JSON.stringify(raw)}: expected a number ≥ ${min} (unset for the default ${fallback})`,
    );
  return value;
}
