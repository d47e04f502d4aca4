/**
 * A fast road for the common stack file: plain YAML 1.2 (block and flow collections, plain and
 * quoted scalars, comments) loaded with js-yaml, about five times faster than the `yaml` package's
 * document composer on a large file (decisions.md, "Two YAML readers"). Anything else (tags,
 * anchors and aliases, directives, complex keys, several documents, or anything js-yaml refuses)
 * returns `undefined`, and the caller takes the `yaml` package's road, which stays the authority for
 * every error and its line. A false alarm only costs speed.
 */
import * as jsyaml from "js-yaml";

// YAML 1.2 core schema scalars exactly as the `yaml` package resolves them (js-yaml's core schema
// also reads 0b binary ints and refuses signed ".5" floats).
const INT_DECIMAL = /^[-+]?[0-9]+$/;
const INT_OCTAL = /^0o[0-7]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const INFINITY = /^[-+]?\.(?:inf|Inf|INF)$/;
const NAN = /^\.(?:nan|NaN|NAN)$/;

const NULL = /^(?:~|null|Null|NULL|)$/;
const BOOL = /^(?:true|True|TRUE|false|False|FALSE)$/;

const core12Null = new jsyaml.Type("tag:yaml.org,2002:null", {
  kind: "scalar",
  resolve: (data: string | null) => data === null || NULL.test(data),
  construct: () => null,
});

const core12Bool = new jsyaml.Type("tag:yaml.org,2002:bool", {
  kind: "scalar",
  resolve: (data: string | null) => data !== null && BOOL.test(data),
  construct: (data: string) => data.toLowerCase() === "true",
});

const core12Int = new jsyaml.Type("tag:yaml.org,2002:int", {
  kind: "scalar",
  resolve: (data: string | null) =>
    data !== null && (INT_DECIMAL.test(data) || INT_OCTAL.test(data) || INT_HEX.test(data)),
  construct: (data: string) =>
    INT_OCTAL.test(data)
      ? parseInt(data.slice(2), 8)
      : INT_HEX.test(data)
        ? parseInt(data.slice(2), 16)
        : Number(data),
});

const core12Float = new jsyaml.Type("tag:yaml.org,2002:float", {
  kind: "scalar",
  resolve: (data: string | null) =>
    data !== null && (FLOAT.test(data) || INFINITY.test(data) || NAN.test(data)),
  construct: (data: string) =>
    NAN.test(data) ? NaN : INFINITY.test(data) ? (data.startsWith("-") ? -Infinity : Infinity) : Number(data),
});

// FAILSAFE brings strings, sequences and mappings; the scalars above are the YAML 1.2 core rest.
const CORE_12 = jsyaml.FAILSAFE_SCHEMA.extend({ implicit: [core12Null, core12Bool, core12Int, core12Float] });

// js-yaml merges a mapping's `<<` key when the key resolves to this tag.
const mergeKey = new jsyaml.Type("tag:yaml.org,2002:merge", {
  kind: "scalar",
  resolve: (data: string | null) => data === "<<",
});
const CORE_12_WITH_MERGE = CORE_12.extend({ implicit: [mergeKey] });

/**
 * Our own data files (the catalog), which share entries through anchors and `<<` merge keys: YAML
 * 1.2 core scalars as above plus merge keys, like `yaml`'s `parse(text, { merge: true })`. Throws
 * js-yaml's error (with its line) on bad YAML, and AliasExpansionError past the expansion cap.
 */
export function loadDataYaml(text: string): unknown {
  const value = jsyaml.load(text, { schema: CORE_12_WITH_MERGE });
  assertBoundedExpansion(value);
  return value;
}

/**
 * A token that could start a tag (!), an explicit key (?) or a directive (%) — wherever a node may
 * begin. Inside a string it is a false alarm, which is fine.
 */
const NOT_PLAIN = /(?:^|[\s[{,])[!?%]/;

/**
 * Any `&` or `*` that does not continue a word: every anchor and alias, whatever precedes it
 * (`key: &a`, `[*a]`, `"key":*a` in a flow map, the start of a line), and also `a && b` or a `*` in
 * a comment (false alarms that only cost speed). `Q&A` stays on the fast road: an anchor or alias
 * never starts in the middle of a word.
 */
const MAY_ALIAS = /(?:^|[^\p{L}\p{N}_])[&*]/mu;

/**
 * At most this many values (every scalar and collection, each alias counted as the copy it stands
 * for) in one parsed file. The shipped prod stack has a few hundred; a 1,000-job file ~30,000. An
 * alias bomb (a kilobyte that expands to billions) is refused here, whichever reader parsed it.
 */
export const MAX_EXPANDED_VALUES = 1_000_000;

/** Thrown when a parsed document expands past MAX_EXPANDED_VALUES (or refers to itself). */
export class AliasExpansionError extends Error {
  override readonly name = "AliasExpansionError";
}

/**
 * Refuses a value whose tree, aliases expanded, holds more than `limit` values or a cycle. Counts
 * each distinct object once (memoized), so a bomb costs time linear in what was actually parsed.
 */
export function assertBoundedExpansion(value: unknown, limit = MAX_EXPANDED_VALUES): void {
  const sizes = new Map<object, number>();
  const size = (v: unknown): number => {
    if (v === null || typeof v !== "object") return 1;
    const known = sizes.get(v);
    if (known !== undefined) {
      if (Number.isNaN(known)) throw new AliasExpansionError("an alias refers to a node that contains it");
      return known;
    }
    sizes.set(v, NaN); // in progress: meeting it again is a cycle
    let total = 1;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      total += size(child);
      if (total > limit) break;
    }
    sizes.set(v, total);
    if (total > limit) {
      throw new AliasExpansionError(
        `the document expands to more than ${limit.toLocaleString("en-US")} values (aliases counted as copies); refusing it as an alias bomb`,
      );
    }
    return total;
  };
  size(value);
}

/**
 * Whether a quoted scalar or a flow collection (`[…]`, `{…}`) runs past the end of its line. js-yaml
 * takes such a continuation at any indentation, where `yaml` requires it to be indented more than
 * its parent (BAD_INDENT, MISSING_CHAR); rather than re-implement that rule, the fast road takes
 * only one-line ones. A quote counts only where a scalar starts (`it's` is plain text), and `#`
 * only after white space (a comment), as in YAML.
 */
export function spansLines(text: string): boolean {
  let quote: '"' | "'" | undefined;
  let depth = 0; // open flow collections
  let scalarStart = true; // the next non-blank character starts a node
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\n") return true;
      if (quote === '"' && c === "\\") i++;
      else if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else quote = undefined;
      }
      continue;
    }
    if (c === "\n") {
      if (depth > 0) return true;
      scalarStart = true;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") continue;
    if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i + 1 < text.length && text[i + 1] !== "\n") i++;
      continue;
    }
    if (scalarStart && (c === '"' || c === "'")) {
      quote = c;
      scalarStart = false;
      continue;
    }
    if (c === "[" || c === "{") {
      if (scalarStart || depth > 0) depth++;
      scalarStart = true;
      continue;
    }
    if ((c === "]" || c === "}") && depth > 0) {
      depth--;
      scalarStart = false;
      continue;
    }
    if ((c === "," && depth > 0) || (c === "-" && /\s/.test(text[i + 1] ?? " ")) || c === "?") {
      scalarStart = true;
      continue;
    }
    if (c === ":" && /\s/.test(text[i + 1] ?? " ")) {
      scalarStart = true;
      continue;
    }
    if (c === ":" && depth > 0 && (text[i + 1] === '"' || text[i + 1] === "'")) {
      scalarStart = true; // "key":"value" in a flow mapping
      continue;
    }
    scalarStart = false;
  }
  return quote !== undefined || depth > 0;
}

/** The document's value when it is plain YAML that js-yaml reads like `yaml` does; else undefined. */
export function loadPlainYaml(text: string): { value: unknown } | undefined {
  if (NOT_PLAIN.test(text) || MAY_ALIAS.test(text) || spansLines(text)) return undefined;
  try {
    // Refuses duplicate keys and several documents, like the `yaml` road.
    return { value: jsyaml.load(text, { schema: CORE_12 }) };
  } catch {
    return undefined;
  }
}
