/**
 * Reading a stack's config: from a `stacks/Pulumi.<stack>.yaml` file (offline tools) or from the
 * Pulumi runtime (a real `pulumi up`), into one validated `StackConfig`. Both roads end in
 * `parseStackConfig`, so a file is judged the same way offline and in the cloud.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LineCounter, isMap, isScalar, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { ConfigError, describeValue, type ConfigIssue } from "./errors";
import { AliasExpansionError, assertBoundedExpansion, loadPlainYaml } from "./plain-yaml";
import { StackConfigSchema, type StackConfig } from "./schema";

export const PROJECT = "pai-finetune";
const REGION_KEY = "alicloud:region";

/** Raw config values keyed as in the file ("pai-finetune:jobs"), plus a way to find a key's line. */
export interface RawStackConfig {
  file: string;
  values: Record<string, unknown>;
  /** Line (1-based) of a YAML key path, when the source is a file. */
  lineOf(path: (string | number)[]): number | undefined;
}

/**
 * Pulumi's rule for a stack name: 1–100 of A–Z a–z 0–9 - _ . ("Stack names may only contain
 * alphanumeric characters, hyphens, underscores, or periods", https://www.pulumi.com/docs/iac/concepts/stacks/;
 * the regex and length are `ParseStackName` in pulumi/pulumi sdk/go/common/tokens/names.go).
 * No `/`, so a stack name can never leave `stacks/`.
 */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** Why Pulumi would refuse this stack name, or undefined when it accepts it. */
export function stackNameProblem(stack: string): string | undefined {
  if (STACK_NAME.test(stack)) return undefined;
  const shown = JSON.stringify(stack.length > 60 ? `${stack.slice(0, 57)}...` : stack);
  return stack.length > 100
    ? `stack name ${shown} is longer than Pulumi's 100 characters`
    : `stack name ${shown}: Pulumi allows only letters, digits, '-', '_' and '.' (1 to 100 of them)`;
}

/** The stack file of a stack name, as `stackConfigDir: stacks` in Pulumi.yaml places it. */
export function stackFilePath(stack: string, projectRoot = path.resolve(__dirname, "..", "..")): string {
  const problem = stackNameProblem(stack);
  if (problem) throw new Error(problem); // callers check first; this keeps a path from ever leaving stacks/
  return path.join(projectRoot, "stacks", `Pulumi.${stack}.yaml`);
}

/** A path as a reader types it: relative inside the working directory, absolute outside it. */
function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : path.resolve(file);
}

/** Reads and parses a stack YAML file. Syntax errors come back as a ConfigError with the line. */
export function readStackFile(file: string): RawStackConfig {
  const shown = displayPath(file);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(shown, [
      {
        path: [],
        message: code === "ENOENT" ? "file not found" : `cannot read the file (${code ?? String(err)})`,
      },
    ]);
  }
  const plain = loadPlainYaml(text);
  const root = plain ? plain.value : parseWithYaml(text, shown);
  try {
    // Whichever reader parsed it: the fast road's syntax check is not what keeps a bomb out.
    assertBoundedExpansion(root);
  } catch (err) {
    if (err instanceof AliasExpansionError)
      throw new ConfigError(shown, [{ path: [], message: err.message }]);
    throw err;
  }
  if (root === null || root === undefined) {
    throw new ConfigError(shown, [
      { path: ["config"], message: "expected a 'config:' mapping, the file is empty" },
    ]);
  }
  if (typeof root !== "object" || Array.isArray(root)) {
    throw new ConfigError(shown, [
      { path: [], message: `expected a mapping with a 'config:' key, got ${describeValue(root)}` },
    ]);
  }
  const config = (root as Record<string, unknown>).config;
  if (config === undefined || config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new ConfigError(shown, [
      {
        path: ["config"],
        message: `expected a mapping of config keys, got ${describeValue(config)}`,
        line: 1,
      },
    ]);
  }
  // The Document (a node with ranges for every scalar, pair and collection) is several times the
  // size of the values and only serves to point at a line when something is wrong; keeping it alive
  // made every later GC of a large plan walk it. So keep the text and parse it again on demand.
  let located: { doc: Document; lineCounter: LineCounter } | undefined;
  return {
    file: shown,
    values: config as Record<string, unknown>,
    lineOf: (keyPath) => {
      if (!located) {
        const lc = new LineCounter();
        located = { doc: parseDocument(text, { lineCounter: lc, uniqueKeys: true }), lineCounter: lc };
      }
      return lineOfPath(located.doc, located.lineCounter, ["config", ...keyPath]);
    },
  };
}

/** The authoritative road: every YAML feature, syntax errors located by line. */
function parseWithYaml(text: string, shown: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      shown,
      doc.errors.map((e) => ({
        path: [],
        message: `YAML syntax: ${e.message.split("\n")[0] ?? e.code}`,
        line: lineCounter.linePos(e.pos[0]).line,
      })),
    );
  }
  // Anchors and aliases are fine in a stack file (a team may share job defaults); the cap only
  // guards against runaway expansion. yaml throws a ReferenceError past it: a config error here.
  try {
    return doc.toJS({ maxAliasCount: 10_000 });
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    return configErrorOf(
      shown,
      `YAML aliases: ${err.message} (more than 10,000 aliased values); refusing it`,
    );
  }
}

function configErrorOf(file: string, message: string): never {
  throw new ConfigError(file, [{ path: [], message }]);
}

function lineOfPath(doc: Document, lc: LineCounter, keyPath: (string | number)[]): number | undefined {
  // Walk down as far as the path exists: a missing key is reported at its parent's line.
  for (let depth = keyPath.length; depth > 0; depth--) {
    const prefix = keyPath.slice(0, depth);
    const parent = depth > 1 ? doc.getIn(prefix.slice(0, -1), true) : doc.contents;
    const last = prefix[prefix.length - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
      const offset = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      if (offset !== undefined) return lc.linePos(offset).line;
    }
    const node = doc.getIn(prefix, true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}

/**
 * Reads the config the Pulumi engine handed to this program (`pulumi up`, or the offline plan,
 * which sets the same values). Structured values arrive as JSON strings. `file` is the stack file
 * the values came from (default: `stacks/Pulumi.<stack>.yaml`), read only to locate messages.
 */
export function runtimeStackConfig(
  allConfig: Record<string, string>,
  stack: string,
  file: string = stackFilePath(stack),
): RawStackConfig {
  const values: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(allConfig)) values[key] = decodeConfigValue(raw);
  // The stack file is read only to point at lines, and only when a message needs one: the values
  // come from the engine, and parsing a large file twice would cost the plan real time.
  let located: RawStackConfig | null | undefined;
  const lineOf: RawStackConfig["lineOf"] = (keyPath) => {
    if (located === undefined) {
      try {
        located = fs.existsSync(file) ? readStackFile(file) : null;
      } catch {
        located = null; // a local copy that fails to parse just loses line numbers
      }
    }
    return located?.lineOf(keyPath);
  };
  return { file: displayPath(file), values, lineOf };
}

/** The engine passes objects and lists as JSON text, scalars as plain text. */
export function decodeConfigValue(raw: string): unknown {
  const t = raw.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}

/** The inverse, used by the offline plan to hand a file's values to the runtime exactly as the CLI does. */
export function encodeConfigValue(value: unknown): string {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

/** Validates raw config values into a typed StackConfig, or throws one ConfigError listing every problem. */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
  const issues: ConfigIssue[] = [];
  const input: Record<string, unknown> = {};
  const known = new Set(Object.keys(StackConfigSchema.shape));
  for (const [key, value] of Object.entries(raw.values)) {
    if (key === REGION_KEY) {
      input.region = value;
      continue;
    }
    const [ns, name] = splitKey(key);
    if (ns !== PROJECT) continue; // other namespaces (alicloud:*, pulumi:*) belong to their providers
    if (name === "region" || !known.has(name)) {
      issues.push({
        path: [key],
        message: `unknown key; expected one of ${[...known]
          .filter((k) => k !== "region")
          .map((k) => `${PROJECT}:${k}`)
          .join(", ")}${suggest(name, [...known])}`,
        line: raw.lineOf([key]),
      });
      continue;
    }
    input[name] = value;
  }
  if (input.region === undefined) {
    issues.push({ path: [REGION_KEY], message: "required: the Alibaba Cloud region, e.g. 'cn-wulanchabu'" });
  }
  const result = StackConfigSchema.safeParse(input, { reportInput: true });
  if (!result.success) issues.push(...result.error.issues.map((i) => toConfigIssue(i, raw)));
  if (issues.length > 0) throw new ConfigError(raw.file, issues);
  return (result as { data: StackConfig }).data;
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf(":");
  return i < 0 ? [PROJECT, key] : [key.slice(0, i), key.slice(i + 1)];
}

/** Maps a schema path (["jobs", 0, "method"]) to the YAML key path (["pai-finetune:jobs", 0, "method"]). */
export function yamlPathOf(schemaPath: readonly PropertyKey[]): (string | number)[] {
  const [head, ...rest] = schemaPath.map((p) => (typeof p === "symbol" ? String(p) : p));
  if (head === undefined) return [];
  return [head === "region" ? REGION_KEY : `${PROJECT}:${String(head)}`, ...rest];
}

function toConfigIssue(issue: z.core.$ZodIssue, raw: RawStackConfig): ConfigIssue {
  const keyPath = yamlPathOf(issue.path);
  const got = "input" in issue ? describeValue(issue.input) : undefined;
  let message: string;
  switch (issue.code) {
    case "invalid_type":
      message =
        issue.input === undefined
          ? `required: expected ${article(issue.expected)}`
          : `expected ${article(issue.expected)}, got ${got ?? "something else"}`;
      break;
    case "invalid_value":
      message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(" | ")}, got ${got ?? "something else"}`;
      break;
    case "unrecognized_keys": {
      const allowed = allowedKeysAt(issue.path);
      return {
        path: [...keyPath, issue.keys[0] ?? ""],
        message: `unknown key${issue.keys.length > 1 ? `s ${issue.keys.join(", ")}` : ""}; expected one of ${allowed.join(", ")}${suggest(issue.keys[0] ?? "", allowed)}`,
        line: raw.lineOf([...keyPath, issue.keys[0] ?? ""]),
      };
    }
    case "too_small":
      message = `expected ${issue.origin === "array" ? "at least" : "a value ≥"} ${String(issue.minimum)}${issue.origin === "array" ? " item(s)" : issue.origin === "string" ? " characters" : ""}, got ${got ?? "less"}`;
      break;
    case "too_big":
      message = `expected ${issue.origin === "array" ? "at most" : "a value ≤"} ${String(issue.maximum)}${issue.origin === "array" ? " item(s)" : issue.origin === "string" ? " characters" : ""}, got ${got ?? "more"}`;
      break;
    case "invalid_format":
      message = `expected ${issue.message}, got ${got ?? "something else"}`;
      break;
    case "invalid_union":
      message = `expected one of the documented shapes (see the schema comments), got ${got ?? "something else"}`;
      break;
    default:
      message = `${issue.message}${got ? `, got ${got}` : ""}`;
  }
  return { path: keyPath, message, line: raw.lineOf(keyPath) };
}

function article(expected: string): string {
  if (expected === "int") return "a whole number";
  if (expected === "object") return "a mapping";
  if (expected === "array") return "a list";
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** The keys a strict object at that schema path allows, for "expected one of" lists. */
function allowedKeysAt(schemaPath: readonly PropertyKey[]): string[] {
  let node: z.ZodType = StackConfigSchema;
  for (const seg of schemaPath) {
    node = unwrap(node);
    const def = (
      node as unknown as {
        def: { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; options?: z.ZodType[] };
      }
    ).def;
    if (def.type === "object" && def.shape && typeof seg === "string" && def.shape[seg])
      node = def.shape[seg];
    else if (def.type === "array" && def.element && typeof seg === "number") node = def.element;
    else return [];
  }
  node = unwrap(node);
  const def = (
    node as unknown as { def: { type: string; shape?: Record<string, unknown>; options?: z.ZodType[] } }
  ).def;
  if (def.type === "object" && def.shape) return Object.keys(def.shape);
  if (def.type === "union" && def.options) {
    return [
      ...new Set(
        def.options.flatMap((o) => {
          const od = (unwrap(o) as unknown as { def: { shape?: Record<string, unknown> } }).def;
          return od.shape ? Object.keys(od.shape) : [];
        }),
      ),
    ];
  }
  return [];
}

function unwrap(node: z.ZodType): z.ZodType {
  let cur = node as unknown as { def: { type: string; innerType?: unknown; in?: unknown } };
  while (["optional", "default", "prefault", "nullable", "pipe"].includes(cur.def.type)) {
    const next = (cur.def.innerType ?? cur.def.in) as typeof cur | undefined;
    if (!next) break;
    cur = next;
  }
  return cur as unknown as z.ZodType;
}

/** "did you mean ...?" for a misspelt key, by edit distance. */
function suggest(word: string, candidates: string[]): string {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) [best, bestDist] = [c, d];
  }
  return best !== undefined && bestDist <= Math.max(2, Math.floor(word.length / 3))
    ? ` (did you mean '${best}'?)`
    : "";
}

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
