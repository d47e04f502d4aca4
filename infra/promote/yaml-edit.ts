/**
 * Edits a few keys of one mapping in a YAML file and leaves every other byte as it was. The
 * `yaml` package's Document API locates the nodes (parseDocument, node ranges) and renders the new
 * values (stringify); the edit is spliced into the original text. Re-serialising the whole
 * Document (doc.toString()) would keep comments and key order but not every scalar's spelling
 * (`1.0e-5` comes back as `1e-5`), and the promise is: unrelated keys survive byte for byte.
 */
import { isCollection, isMap, isScalar, parseDocument, stringify, type Pair } from "yaml";

export class YamlEditError extends Error {
  override readonly name = "YamlEditError";
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

const lineStart = (text: string, offset: number) => text.lastIndexOf("\n", offset - 1) + 1;
const column = (text: string, offset: number) => offset - lineStart(text, offset);
const lineEnd = (text: string, offset: number) => {
  const nl = text.indexOf("\n", offset);
  return nl === -1 ? text.length : nl + 1;
};

/**
 * Where a node's own text ends: a block collection's range runs on to the next key, over blank
 * lines and the comment lines that belong to that key; those stay.
 */
function contentEnd(text: string, start: number, end: number): number {
  let e = end;
  for (;;) {
    while (e > start && /[ \t\r\n]/.test(text[e - 1]!)) e--;
    const ls = lineStart(text, e);
    if (ls > start && text.slice(ls, e).trimStart().startsWith("#")) {
      e = ls;
      continue;
    }
    return e;
  }
}

/** Deep equality of plain JSON-like values (key order ignored). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => sameValue(x, bb[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/** A value as block YAML whose first line starts where the cursor is and later lines at `indent`. */
function renderBlock(value: unknown, indent: number): string {
  const lines = stringify(value, { lineWidth: 0 }).replace(/\n$/, "").split("\n");
  return lines.map((l, i) => (i === 0 ? l : `${" ".repeat(indent)}${l}`)).join("\n");
}

const isBlockValue = (v: unknown) =>
  typeof v === "object" && v !== null && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);

/**
 * Sets (value) or removes (undefined) keys of the mapping at `mapPath`. Keys equal to the wanted
 * value are left untouched, bytes and comments included. Returns the new text.
 */
export function editMapping(
  text: string,
  mapPath: readonly (string | number)[],
  changes: Readonly<Record<string, unknown>>,
): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new YamlEditError(`not valid YAML: ${doc.errors[0]!.message}`);
  const map = doc.getIn(mapPath, true);
  if (!isMap(map) || map.flow || map.items.length === 0)
    throw new YamlEditError(`${mapPath.join(".")} is not a non-empty block mapping`);
  const m = map;
  const keyOf = (p: Pair<unknown, unknown>) => (isScalar(p.key) ? p.key.value : p.key);
  const first = m.items[0]!;
  const indent = column(text, (first.key as { range: [number, number, number] }).range[0]);
  const edits: Edit[] = [];
  const inserts: string[] = [];
  for (const [key, want] of Object.entries(changes)) {
    const pair = m.items.find((p) => keyOf(p) === key);
    const node = pair?.value as
      { range?: [number, number, number]; toJSON?: () => unknown } | null | undefined;
    if (!pair) {
      if (want === undefined) continue;
      inserts.push(
        isBlockValue(want)
          ? `${" ".repeat(indent)}${key}:\n${" ".repeat(indent + 2)}${renderBlock(want, indent + 2)}\n`
          : `${" ".repeat(indent)}${key}: ${renderBlock(want, indent + 2)}\n`,
      );
      continue;
    }
    const keyStart = (pair.key as { range: [number, number, number] }).range[0];
    const current = node && typeof node === "object" && "toJSON" in node ? node.toJSON!() : node;
    if (want === undefined) {
      const end = node?.range
        ? contentEnd(text, node.range[0], node.range[1])
        : (pair.key as { range: [number, number, number] }).range[1];
      edits.push({
        start: lineStart(text, keyStart),
        end: lineEnd(text, Math.max(end - 1, keyStart)),
        text: "",
      });
      continue;
    }
    if (sameValue(current, want)) continue;
    if (!node?.range) throw new YamlEditError(`${[...mapPath, key].join(".")} has no value to replace`);
    const vs = node.range[0];
    const ve = contentEnd(text, vs, node.range[1]);
    if (isCollection(node) && !node.flow && isBlockValue(want)) {
      edits.push({ start: vs, end: ve, text: renderBlock(want, column(text, vs)) });
    } else if (isBlockValue(want)) {
      edits.push({ start: vs, end: ve, text: `\n${" ".repeat(indent + 2)}${renderBlock(want, indent + 2)}` });
    } else {
      edits.push({ start: vs, end: ve, text: renderBlock(want, indent + 2) });
    }
  }
  if (inserts.length > 0) {
    const last = m.items[m.items.length - 1]!;
    const lastNode = last.value as { range?: [number, number, number] } | null;
    const end = lastNode?.range
      ? contentEnd(text, lastNode.range[0], lastNode.range[1])
      : (last.key as { range: [number, number, number] }).range[1];
    const at = lineEnd(text, Math.max(end - 1, 0));
    const prefix = at === text.length && !text.endsWith("\n") ? "\n" : "";
    edits.push({ start: at, end: at, text: prefix + inserts.join("") });
  }
  edits.sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  const check = parseDocument(out);
  if (check.errors.length > 0)
    throw new YamlEditError(`the edit produced invalid YAML: ${check.errors[0]!.message}`);
  return out;
}
