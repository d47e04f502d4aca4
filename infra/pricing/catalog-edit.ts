// Rewrites only the `price:` blocks of chosen instances in instances.yaml.
//
// The yaml Document API locates each instance's map and its `price` pair (with source offsets);
// the new text is the old text with just those spans replaced, so comments, anchors, aliases,
// ordering and the formatting of every other line stay byte-for-byte the same. Re-serialising
// the whole Document would keep comments but reflow every flow mapping (hundreds of changed
// lines), so we splice instead. The result is then re-parsed and checked: every instance must
// be unchanged except for the intended prices, and every other top-level key must be unchanged.
// Prices are rendered the way Prettier formats this file, so `npm run format:check` stays green.
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import {
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parse,
  parseDocument,
  type Node,
  type YAMLMap,
} from "yaml";
import { isDeepStrictEqual } from "node:util";
import { InstanceTypeSchema, parseCatalogFile, type InstanceType, type Price } from "../catalog";

/** A text edit: replace [start, end) with `text`. */
interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Parses and validates instances.yaml (the same rules as the catalog loader). */
export function readInstances(file: string, text: string): InstanceType[] {
  return parseCatalogFile(file, text, "instances", InstanceTypeSchema);
}

/** The YAML lines of a price's fields (no indentation, no separators). */
function priceFields(p: Price): string[] {
  return [
    `amount: ${formatNumber(p.amount)}`,
    `currency: ${p.currency}`,
    `per: ${p.per}`,
    `kind: ${p.kind}`,
    `date: ${JSON.stringify(p.date)}`,
    `source: ${JSON.stringify(p.source)}`,
  ];
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`price amount must be finite, got ${n}`);
  // Up to 6 decimals, no float noise (0.1 + 0.2), no exponent for ordinary prices.
  return String(Number(n.toFixed(6)));
}

/** `price:` as a block mapping whose key starts at column `col`. */
function renderBlock(p: Price, col: number): string {
  const inner = " ".repeat(col + 2);
  return ["price:", ...priceFields(p).map((f) => inner + f)].join("\n");
}

/** `price:` as a pair inside a broken flow mapping whose key starts at column `col` (Prettier's layout). */
function renderFlowPair(p: Price, col: number): string {
  const brace = " ".repeat(col + 2);
  const inner = " ".repeat(col + 4);
  return ["price:", `${brace}{`, ...priceFields(p).map((f) => `${inner}${f},`), `${brace}}`].join("\n");
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

/** End offset of a node's own text (block collections: the end of their last value, not the newline). */
function nodeEnd(node: Node): number {
  if (isCollection(node) && !node.flow) {
    const last = node.items[node.items.length - 1];
    if (last === undefined) return node.range![1];
    if (isPair(last)) return nodeEnd((last.value ?? last.key) as Node);
    return nodeEnd(last as Node);
  }
  return node.range![1];
}

function keyName(pair: unknown): string | undefined {
  if (!isPair(pair) || !isScalar(pair.key)) return undefined;
  return typeof pair.key.value === "string" ? pair.key.value : undefined;
}

function pairStart(pair: unknown): number {
  const key = (pair as { key: Node }).key;
  return key.range![0];
}

/** The edit that sets `price` on one instance mapping. */
function priceEdit(text: string, map: YAMLMap, price: Price): Edit {
  const pairs = map.items;
  const existing = pairs.find((p) => keyName(p) === "price");
  const first = pairs[0];
  const last = pairs[pairs.length - 1];
  if (!first || !last) throw new Error("cannot add a price to an empty mapping");

  if (!map.flow) {
    if (existing) {
      const start = pairStart(existing);
      return { start, end: nodeEnd(existing.value as Node), text: renderBlock(price, columnOf(text, start)) };
    }
    const col = columnOf(text, pairStart(first));
    const at = nodeEnd((last.value ?? last.key) as Node);
    return { start: at, end: at, text: `\n${" ".repeat(col)}${renderBlock(price, col)}` };
  }

  const [open, close] = [map.range![0], map.range![1]];
  const multiLine = text.slice(open, pairStart(first)).includes("\n");
  if (multiLine) {
    if (existing) {
      const start = pairStart(existing);
      return {
        start,
        end: nodeEnd(existing.value as Node),
        text: renderFlowPair(price, columnOf(text, start)),
      };
    }
    const col = columnOf(text, pairStart(first));
    let at = nodeEnd((last.value ?? last.key) as Node);
    const comma = /^[ \t]*,/.exec(text.slice(at));
    at += comma ? comma[0].length : 0;
    return {
      start: at,
      end: at,
      text: `${comma ? "" : ","}\n${" ".repeat(col)}${renderFlowPair(price, col)},`,
    };
  }

  // A one-line flow mapping: Prettier breaks it once a nested mapping is added, so lay it out
  // one pair per line, keeping each other pair's source text verbatim.
  const lineStart = text.lastIndexOf("\n", open - 1) + 1;
  const before = text.slice(lineStart, open);
  const braceCol = /^\s*(-\s+)*$/.test(before) ? open - lineStart : before.length - before.trimStart().length;
  const col = braceCol + 2;
  const lines = pairs
    .filter((p) => p !== existing)
    .map((p) => {
      const slice = text.slice(pairStart(p), nodeEnd((p.value ?? p.key) as Node));
      if (slice.includes("\n")) throw new Error("unexpected line break inside a one-line flow mapping");
      return `${" ".repeat(col)}${slice},`;
    });
  lines.push(`${" ".repeat(col)}${renderFlowPair(price, col)},`);
  return { start: open, end: close, text: `{\n${lines.join("\n")}\n${" ".repeat(braceCol)}}` };
}

/** Thrown when the edited text does not verify (nothing is written then). */
export class CatalogEditError extends Error {
  override name = "CatalogEditError";
}

/**
 * Returns `text` with the `price` of each instance in `updates` set (added or replaced);
 * everything else is left as it was. Verifies the result before returning it.
 */
export function setPrices(file: string, text: string, updates: ReadonlyMap<string, Price>): string {
  const doc = parseDocument(text, { merge: true, keepSourceTokens: false });
  if (doc.errors.length > 0) throw new CatalogEditError(`${file}: not valid YAML: ${doc.errors[0]?.message}`);
  const seq = doc.get("instances", true);
  if (!isSeq(seq)) throw new CatalogEditError(`${file}: instances: expected a list`);
  const edits: Edit[] = [];
  const seen = new Set<string>();
  for (const item of seq.items) {
    if (!isMap(item)) continue;
    const idPair = item.items.find((p) => keyName(p) === "id");
    const id = idPair && isScalar(idPair.value) ? String(idPair.value.value) : undefined;
    if (id === undefined) continue;
    const price = updates.get(id);
    if (!price) continue;
    seen.add(id);
    edits.push(priceEdit(text, item, price));
  }
  const missing = [...updates.keys()].filter((id) => !seen.has(id));
  if (missing.length > 0)
    throw new CatalogEditError(`${file}: no instance mapping found for ${missing.join(", ")}`);

  edits.sort((a, b) => b.start - a.start);
  let out = text;
  let limit = Infinity;
  for (const e of edits) {
    if (e.end > limit) throw new CatalogEditError(`${file}: overlapping price edits`);
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
    limit = e.start;
  }
  verifyEdit(file, text, out, updates);
  return out;
}

/** Checks that `after` differs from `before` only in the prices named by `updates`. */
export function verifyEdit(
  file: string,
  before: string,
  after: string,
  updates: ReadonlyMap<string, Price>,
): void {
  let oldList: InstanceType[];
  let newList: InstanceType[];
  try {
    oldList = readInstances(file, before);
    newList = readInstances(file, after);
  } catch (e) {
    throw new CatalogEditError(`edited ${file} does not validate: ${(e as Error).message}`);
  }
  if (oldList.length !== newList.length) throw new CatalogEditError(`edited ${file}: instance count changed`);
  oldList.forEach((old, i) => {
    const now = newList[i]!;
    const { price: oldPrice, ...oldRest } = old;
    const { price: newPrice, ...newRest } = now;
    if (!isDeepStrictEqual(oldRest, newRest))
      throw new CatalogEditError(`edited ${file}: instance ${old.id} changed outside its price`);
    const want = updates.get(old.id) ?? oldPrice;
    if (!isDeepStrictEqual(newPrice, want))
      throw new CatalogEditError(`edited ${file}: price of ${old.id} is not what was intended`);
  });
  const rest = (t: string) => {
    const { instances: _i, ...others } = (parse(t, { merge: true }) ?? {}) as Record<string, unknown>;
    return others;
  };
  if (!isDeepStrictEqual(rest(before), rest(after)))
    throw new CatalogEditError(`edited ${file}: keys other than instances changed`);
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
