// Small strict validators for JSON bodies and query strings. Each failure names the
// offending field (dotted path, e.g. "JobSpecs[0].PodCount") in the error Message.
import { invalidParameter, missingParameter } from "./errors";

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function asObject(v: unknown, path: string): Json {
  if (!isObject(v)) throw invalidParameter(path, "must be a JSON object");
  return v;
}

/** Refuse keys that are not wire names of the documented model (catches typos such as "Cpu"). */
export function onlyKeys(obj: Json, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw invalidParameter(path ? `${path}.${key}` : key, "unknown field");
  }
}

const present = (v: unknown): boolean => v !== undefined && v !== null;

export function reqString(obj: Json, key: string, path = key): string {
  const v = obj[key];
  if (!present(v) || v === "") throw missingParameter(path);
  if (typeof v !== "string") throw invalidParameter(path, "must be a string");
  return v;
}

export function optString(obj: Json, key: string, path = key): string | undefined {
  const v = obj[key];
  if (!present(v)) return undefined;
  if (typeof v !== "string") throw invalidParameter(path, "must be a string");
  return v;
}

export function optEnum<T extends string>(
  obj: Json,
  key: string,
  values: readonly T[],
  path = key,
): T | undefined {
  const v = optString(obj, key, path);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v))
    throw invalidParameter(path, `must be one of ${values.join("|")} (case-sensitive), got "${v}"`);
  return v as T;
}

export function reqEnum<T extends string>(obj: Json, key: string, values: readonly T[], path = key): T {
  const v = optEnum(obj, key, values, path);
  if (v === undefined) throw missingParameter(path);
  return v;
}

export function optInt(obj: Json, key: string, min: number, max: number, path = key): number | undefined {
  const v = obj[key];
  if (!present(v)) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw invalidParameter(path, "must be an integer");
  if (v < min || v > max) throw invalidParameter(path, `must be between ${min} and ${max}, got ${v}`);
  return v;
}

export function reqInt(obj: Json, key: string, min: number, max: number, path = key): number {
  const v = optInt(obj, key, min, max, path);
  if (v === undefined) throw missingParameter(path);
  return v;
}

export function optBool(obj: Json, key: string, path = key): boolean | undefined {
  const v = obj[key];
  if (!present(v)) return undefined;
  if (typeof v !== "boolean") throw invalidParameter(path, "must be a boolean");
  return v;
}

export function optArray(obj: Json, key: string, path = key): unknown[] | undefined {
  const v = obj[key];
  if (!present(v)) return undefined;
  if (!Array.isArray(v)) throw invalidParameter(path, "must be an array");
  return v as unknown[];
}

export function optStringMap(obj: Json, key: string, path = key): Record<string, string> | undefined {
  const v = obj[key];
  if (!present(v)) return undefined;
  const m = asObject(v, path);
  for (const [k, val] of Object.entries(m)) {
    if (typeof val !== "string") throw invalidParameter(`${path}.${k}`, "map values must be strings");
  }
  return m as Record<string, string>;
}

export function optStringArray(obj: Json, key: string, path = key): string[] | undefined {
  const arr = optArray(obj, key, path);
  arr?.forEach((x, i) => {
    if (typeof x !== "string") throw invalidParameter(`${path}[${i}]`, "must be a string");
  });
  return arr as string[] | undefined;
}

// ---- query strings (all values arrive as strings; docs/sources.md#pai-0: booleans as "true"/"false")

export type Query = Record<string, string>;

export function queryBool(q: Query, key: string): boolean | undefined {
  const v = q[key];
  if (v === undefined) return undefined;
  if (v !== "true" && v !== "false") throw invalidParameter(key, `must be "true" or "false", got "${v}"`);
  return v === "true";
}

export function queryInt(q: Query, key: string, min: number, max: number): number | undefined {
  const v = q[key];
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw invalidParameter(key, `must be an integer, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max) throw invalidParameter(key, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function queryEnum<T extends string>(q: Query, key: string, values: readonly T[]): T | undefined {
  const v = q[key];
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v))
    throw invalidParameter(key, `must be one of ${values.join("|")}, got "${v}"`);
  return v as T;
}

/** Map-valued query params travel as a JSON string of a map (docs/sources.md#pai-0). */
export function queryJsonMap(q: Query, key: string): Record<string, string> | undefined {
  const v = q[key];
  if (v === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    throw invalidParameter(key, "must be a JSON string of a map");
  }
  return optStringMap({ [key]: parsed }, key);
}

export function onlyQueryKeys(q: Query, allowed: readonly string[]): void {
  for (const key of Object.keys(q)) {
    if (!allowed.includes(key)) throw invalidParameter(key, "unknown query parameter for this operation");
  }
}

export function paginate<T>(items: T[], q: Query, defaultSize: number, maxSize: number): T[] {
  const page = queryInt(q, "PageNumber", 1, Number.MAX_SAFE_INTEGER) ?? 1;
  const size = queryInt(q, "PageSize", 1, maxSize) ?? defaultSize;
  return items.slice((page - 1) * size, page * size);
}
