// Sets regional prices in prices.yaml: replaces the entry of an (instance, region) pair in place, or
// adds one after that instance's last entry (or at the end). Only those spans of text change, so
// comments, anchors, the source blocks and every other entry stay byte-for-byte the same; the result
// is re-parsed and checked (every other entry unchanged, the intended ones exactly as intended).
// Entries are rendered as Prettier lays out this file (one line when it fits in 110 columns, else one
// pair per line), so `npm run format:check` stays green.
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap } from "yaml";
import { loadDataYaml } from "../config/plain-yaml";
import { parsePricesFile, priceKey, type RegionalPrice } from "../catalog";

/** Thrown when the edited text does not verify (nothing is written then). */
export class PricesEditError extends Error {
  override name = "PricesEditError";
}

const PRINT_WIDTH = 110;

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new PricesEditError(`price amount must be finite, got ${n}`);
  // Up to 6 decimals, no float noise (0.1 + 0.2), no exponent for ordinary prices.
  return String(Number(n.toFixed(6)));
}

function fields(p: RegionalPrice): string[] {
  return [
    `instance: ${p.instance}`,
    `region: ${p.region}`,
    `amount: ${formatNumber(p.amount)}`,
    `currency: ${p.currency}`,
    `per: ${p.per}`,
    `kind: ${p.kind}`,
    `date: ${JSON.stringify(p.date)}`,
    `source: ${JSON.stringify(p.source)}`,
  ];
}

/** One list item's mapping, `- ` at column `col`. */
export function renderEntry(p: RegionalPrice, col: number): string {
  const one = `{ ${fields(p).join(", ")} }`;
  if (col + 2 + one.length <= PRINT_WIDTH) return one;
  const inner = " ".repeat(col + 4);
  return ["{", ...fields(p).map((f) => `${inner}${f},`), `${" ".repeat(col + 2)}}`].join("\n");
}

function scalarOf(map: YAMLMap, key: string): string | undefined {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  return pair && isScalar(pair.value) ? String(pair.value.value) : undefined;
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

/** Returns `text` with each price of `updates` set; verifies the result before returning it. */
export function setRegionalPrices(file: string, text: string, updates: readonly RegionalPrice[]): string {
  const doc = parseDocument(text, { merge: true });
  if (doc.errors.length > 0) throw new PricesEditError(`${file}: not valid YAML: ${doc.errors[0]?.message}`);
  const seq = doc.get("prices", true);
  if (!isSeq(seq) || seq.items.length === 0)
    throw new PricesEditError(`${file}: prices: expected a non-empty list`);
  const entries = seq.items.map((item) => {
    if (!isMap(item)) throw new PricesEditError(`${file}: prices: every entry must be a mapping`);
    return { map: item, instance: scalarOf(item, "instance"), region: scalarOf(item, "region") };
  });
  const edits: { start: number; end: number; text: string }[] = [];
  const col = columnOf(text, (entries[0]!.map as Node).range![0]) - 2;
  for (const u of updates) {
    const hit = entries.find((e) => e.instance === u.instance && e.region === u.region);
    if (hit) {
      const [start, end] = [hit.map.range![0], hit.map.range![1]];
      if (!hit.map.flow)
        throw new PricesEditError(`${file}: ${priceKey(u.instance, u.region)} is not a flow entry`);
      edits.push({ start, end: text.slice(start, end).trimEnd().length + start, text: renderEntry(u, col) });
      continue;
    }
    const same = entries.filter((e) => e.instance === u.instance);
    const anchor = (same[same.length - 1] ?? entries[entries.length - 1]!).map;
    // After the end of the anchor's line, so a comment on that line stays with its entry.
    const end = anchor.range![0] + text.slice(anchor.range![0], anchor.range![1]).trimEnd().length;
    const eol = text.indexOf("\n", end);
    const at = eol < 0 ? text.length : eol;
    edits.push({ start: at, end: at, text: `\n${" ".repeat(col)}- ${renderEntry(u, col)}` });
  }
  // Apply from the end so earlier offsets stay valid; inserts at one place keep update order.
  const order = edits.map((e, i) => ({ ...e, i })).sort((a, b) => b.start - a.start || b.i - a.i);
  let out = text;
  for (const e of order) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  verifyPricesEdit(file, text, out, updates);
  return out;
}

/** Checks that `after` differs from `before` only by the prices in `updates`. */
export function verifyPricesEdit(
  file: string,
  before: string,
  after: string,
  updates: readonly RegionalPrice[],
): void {
  let oldList: RegionalPrice[];
  let newList: RegionalPrice[];
  try {
    oldList = parsePricesFile(file, before);
    newList = parsePricesFile(file, after);
  } catch (e) {
    throw new PricesEditError(`edited ${file} does not validate: ${(e as Error).message}`);
  }
  const want = new Map(oldList.map((p) => [priceKey(p.instance, p.region), p]));
  for (const u of updates) want.set(priceKey(u.instance, u.region), u);
  const got = new Map(newList.map((p) => [priceKey(p.instance, p.region), p]));
  if (got.size !== want.size)
    throw new PricesEditError(`edited ${file}: entry count is not what was intended`);
  for (const [key, p] of want) {
    if (!isDeepStrictEqual(got.get(key), p))
      throw new PricesEditError(`edited ${file}: price ${key} is not what was intended`);
  }
  const rest = (t: string) => {
    const { prices: _p, ...others } = (loadDataYaml(t) ?? {}) as Record<string, unknown>;
    return others;
  };
  if (!isDeepStrictEqual(rest(before), rest(after)))
    throw new PricesEditError(`edited ${file}: keys other than prices changed`);
}

/**
 * Writes `text` to `file` atomically: a temporary file in the same directory, fsync, then rename.
 * A failure before the rename leaves `file` untouched (and removes the temporary file).
 */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  let mode: number | undefined;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    mode = undefined;
  }
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx", mode ?? 0o644);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
}
