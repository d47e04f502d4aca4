// Shared helpers of the PAI dynamic providers: input checks, not-found handling, status reporting,
// polling, diffing. Each provider says only what is its own.
import * as pulumi from "@pulumi/pulumi";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { REGION_ID_PATTERN, envNumber, isNotFound, type PaiClientOptions } from "../../../infra/pai";

/** The `region` input of every provider. */
export const regionIdSchema = z.string().regex(REGION_ID_PATTERN, "must be a region id like cn-hangzhou");

/** The value Pulumi passes for not-yet-known inputs during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when `value` (or anything inside it) is still unknown. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/**
 * Reports progress. Under the engine pulumi.log reaches the CLI; outside it (unit tests, the bare
 * dynamic provider host) pulumi.log falls back to the console. PAI_PROVIDER_LOG=silent mutes it.
 */
export function report(message: string): void {
  if (process.env.PAI_PROVIDER_LOG === "silent") return;
  try {
    void pulumi.log.info(message);
  } catch {
    console.error(message);
  }
}

/** Client options for a provider call: region + endpoint override; credentials from the default chain at call time. */
export function clientOptions(region: string, endpoint?: string): PaiClientOptions {
  return { region, endpoint: endpoint || undefined };
}

/** Polling cadence: base (env PAI_POLL_BASE_MS, default 2000) growing ×1.5 to max (env PAI_POLL_MAX_MS, default 30000). */
export function pollCadence(): { baseMs: number; maxMs: number } {
  return { baseMs: envNumber("PAI_POLL_BASE_MS", 2000), maxMs: envNumber("PAI_POLL_MAX_MS", 30_000) };
}

/** A wait limit in minutes from the environment (≥ 1; `fallback` when unset), in milliseconds. */
export function waitLimitMs(envName: string, fallbackMinutes: number): number {
  return envNumber(envName, fallbackMinutes, { min: 1 }) * 60_000;
}

/** The call's result, or undefined when PAI says the thing is not there; other errors propagate. */
export async function unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Outcome of one poll. */
export type PollStep<T> = { done: true; value: T } | { done: false; status: string };

/**
 * Polls `probe` until it reports done, with growing intervals and a deadline. Each status change is
 * reported once. Throws `onTimeout(lastStatus)` at the deadline.
 */
export async function pollUntil<T>(
  label: string,
  probe: () => Promise<PollStep<T>>,
  deadlineMs: number,
  onTimeout: (lastStatus: string) => Error,
): Promise<T> {
  const { baseMs, maxMs } = pollCadence();
  const started = Date.now();
  let interval = baseMs;
  let last = "";
  for (;;) {
    const step = await probe();
    if (step.done) return step.value;
    if (step.status !== last) {
      report(`${label}: ${step.status}`);
      last = step.status;
    }
    if (Date.now() - started + interval > deadlineMs) throw onTimeout(last);
    await new Promise((resolve) => setTimeout(resolve, interval));
    interval = Math.min(maxMs, Math.ceil(interval * 1.5));
  }
}

/**
 * An error the dynamic provider host turns into "created but failed to initialize": the resource
 * is kept in state (so `pulumi destroy` can delete it) instead of being orphaned. `properties`
 * must carry `__provider`, or later operations on the state could not load the provider.
 */
export class ResourceInitFailure extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: object,
    readonly reasons: string[] = [message],
  ) {
    super(message);
    this.name = "ResourceInitFailure";
  }
}

/** Copies the serialized provider from inputs to state, so state written on failure still works. */
export function withProvider<T extends object>(inputs: object, outs: T): T {
  const provider = (inputs as { __provider?: unknown }).__provider;
  return provider === undefined ? outs : { ...outs, __provider: provider };
}

/** Drops undefined values (protobuf Structs reject them). */
export function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** pulumi.dynamic.CheckResult/DiffResult shapes (kept local to avoid loading the SDK types here). */
export type CheckFailures = { property: string; reason: string }[];

/** zod issues → Pulumi check failures (property = top-level input name). */
export function toFailures(error: z.ZodError): CheckFailures {
  return error.issues.map((issue) => ({
    property: String(issue.path[0] ?? ""),
    reason: issue.path.length > 1 ? `${issue.path.join(".")}: ${issue.message}` : issue.message,
  }));
}

/** Runs a call that answers nothing (a delete); true when PAI said the thing was already gone. */
export async function wasNotFound(call: Promise<unknown>): Promise<boolean> {
  return (await unlessNotFound(call.then(() => true))) === undefined;
}

/**
 * The common part of every provider's `check`: each `required` input present (an unknown preview
 * value counts as present) and every known value valid against `schema` (all fields optional there).
 * Returns the failures; the provider adds its own cross-field rules.
 */
export function checkInputs<T extends object>(
  news: T,
  required: readonly (keyof T & string)[],
  schema: z.ZodType,
): dynamic.CheckFailure[] {
  const failures: dynamic.CheckFailure[] = required
    .filter((key) => news[key] === undefined || news[key] === null)
    .map((property) => ({ property, reason: `${property} is required` }));
  const parsed = schema.safeParse(knownOnly(news));
  if (!parsed.success) failures.push(...toFailures(parsed.error));
  return failures;
}

/** Replaces unknown values with undefined so validation skips them during preview. */
export function knownOnly<T extends object>(inputs: T): T {
  return Object.fromEntries(Object.entries(inputs).filter(([, v]) => !containsUnknown(v))) as T;
}

/** Diffs `keys` of olds vs news: which changed, which of those force replacement. */
export function diffKeys(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  replaceKeys: readonly string[],
  updateKeys: readonly string[],
): { changes: boolean; replaces: string[]; changed: string[] } {
  const changed = [...replaceKeys, ...updateKeys].filter((key) => !sameValue(olds[key], news[key]));
  return { changes: changed.length > 0, replaces: changed.filter((k) => replaceKeys.includes(k)), changed };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (containsUnknown(b)) return false;
  const empty = (v: unknown) =>
    v === undefined || v === null || (typeof v === "object" && Object.keys(v).length === 0);
  if (empty(a) && empty(b)) return true;
  return isDeepStrictEqual(a, b);
}
