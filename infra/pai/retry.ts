// Exponential backoff with full jitter, a bounded number of attempts and a total deadline.
// Defaults can be lowered through the environment (tests) without touching call sites.
import { envNumber } from "./env-settings";

/** How a client retries. Every field is optional; defaults below. */
export interface RetryOptions {
  /** Attempts per call including the first. Default 8, or env PAI_RETRY_MAX_ATTEMPTS. */
  maxAttempts?: number;
  /** First backoff ceiling in ms; doubles each attempt. Default 500, or env PAI_RETRY_BASE_MS. */
  baseDelayMs?: number;
  /** Cap on a single backoff in ms. Default 20000, or env PAI_RETRY_MAX_DELAY_MS. */
  maxDelayMs?: number;
  /** Total time budget for one call including retries, in ms. Default 120000, or env PAI_RETRY_DEADLINE_MS. */
  deadlineMs?: number;
  /** Source of randomness in [0,1) for jitter. Default Math.random. */
  random?: () => number;
  /** Called before each backoff sleep (for logs/tests). Default: none. */
  onRetry?: (info: RetryInfo) => void;
}

/** What `onRetry` hears about. */
export interface RetryInfo {
  operation: string;
  attempt: number;
  delayMs: number;
  error: Error;
}

/** RetryOptions with every default applied. */
export type ResolvedRetryOptions = Required<Omit<RetryOptions, "onRetry">> & Pick<RetryOptions, "onRetry">;

/** Applies defaults (explicit option > environment > built-in). */
export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  return {
    maxAttempts: Math.max(1, options.maxAttempts ?? envNumber("PAI_RETRY_MAX_ATTEMPTS", 8, { min: 1 })),
    baseDelayMs: options.baseDelayMs ?? envNumber("PAI_RETRY_BASE_MS", 500),
    maxDelayMs: options.maxDelayMs ?? envNumber("PAI_RETRY_MAX_DELAY_MS", 20_000),
    deadlineMs: options.deadlineMs ?? envNumber("PAI_RETRY_DEADLINE_MS", 120_000),
    random: options.random ?? Math.random,
    onRetry: options.onRetry,
  };
}

/** Full-jitter delay before retry number `attempt` (1-based): uniform in [0, min(max, base·2^(attempt-1))). */
export function backoffDelay(attempt: number, options: ResolvedRetryOptions): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(options.random() * ceiling);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
