// The one plain-text table printer (the plan report, `npm run prices`, the benchmarks).

/**
 * Rows of cells as lines with aligned columns: each column as wide as its widest cell, two spaces
 * between columns, `indent` before each line, no trailing spaces after the cells. The first row is usually the header.
 */
export function formatTable(rows: readonly (readonly string[])[], indent = ""): string[] {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(0, ...rows.map((r) => (r[c] ?? "").length)),
  );
  return rows.map(
    (r) =>
      indent +
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join("  ")
        .trimEnd(),
  );
}
