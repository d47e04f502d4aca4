/**
 * Config errors that a person can act on: the file, the key path as written in the YAML, the line
 * when we know it, and what was expected. Never a stack trace.
 */

/** One thing wrong with the config. `path` is the YAML key path, e.g. ["config", "pai-finetune:jobs", 0, "method"]. */
export interface ConfigIssue {
  path: (string | number)[];
  message: string;
  line?: number;
}

/** Renders a key path the way a reader finds it in the file: config › pai-finetune:jobs › [0] › method. */
export function formatKeyPath(path: readonly (string | number)[]): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : p)).join(" › ") || "(top level)";
}

/** A binary or garbage file can yield hundreds of problems; past this many, only their count is printed. */
export const MAX_LISTED_ISSUES = 20;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(ConfigError.render(file, issues));
  }

  private static render(file: string, issues: ConfigIssue[]): string {
    const lines = issues.slice(0, MAX_LISTED_ISSUES).map((i) => {
      const where = i.line !== undefined ? `${file}:${i.line}` : file;
      return `  - ${where}: ${formatKeyPath(i.path)}: ${i.message}`;
    });
    const more = issues.length - MAX_LISTED_ISSUES;
    if (more > 0) lines.push(`  … and ${more} more problem${more === 1 ? "" : "s"} (fix these first)`);
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    return `Invalid stack config ${file} (${count}):\n${lines.join("\n")}`;
  }
}

/** Short, readable rendering of a value the user wrote, for "got ..." in messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return "a mapping";
}
