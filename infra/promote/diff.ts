/** A readable line diff (unified style, a few lines of context) for the promotion preview. */

export function lineDiff(oldText: string, newText: string, label: string, context = 2): string {
  const a = oldText.split("\n");
  const b = newText.split("\n");
  // LCS table: stack files are a few hundred lines at most.
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: { kind: " " | "-" | "+"; text: string; oldLine: number; newLine: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ kind: " ", text: a[i]!, oldLine: ++i, newLine: ++j });
    // Removals before additions, as diff(1) prints them.
    else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!))
      ops.push({ kind: "-", text: a[i]!, oldLine: ++i, newLine: j });
    else ops.push({ kind: "+", text: b[j]!, oldLine: i, newLine: ++j });
  }
  const changed = ops.map((o, k) => (o.kind !== " " ? k : -1)).filter((k) => k >= 0);
  if (changed.length === 0) return `${label}: no change`;
  const out = [`--- ${label} (now)`, `+++ ${label} (after)`];
  let k = 0;
  while (k < changed.length) {
    let start = Math.max(0, changed[k]! - context);
    let end = Math.min(ops.length - 1, changed[k]! + context);
    while (k + 1 < changed.length && changed[k + 1]! - context <= end + 1) {
      k++;
      end = Math.min(ops.length - 1, changed[k]! + context);
    }
    start = Math.max(0, start);
    out.push(`@@ line ${ops[start]!.oldLine || 1} @@`);
    for (let x = start; x <= end; x++) out.push(`${ops[x]!.kind} ${ops[x]!.text}`);
    k++;
  }
  return out.join("\n");
}
