// Byte units. Sources print "GB", "GiB" and "G" inconsistently (docs/sources.md#mem, Conventions);
// everything inside infra/sizing is bytes, converted only at the edges.

/** 2^30 bytes. */
export const GiB = 2 ** 30;
/** 10^9 bytes. */
export const GB = 1e9;

export function toGiB(bytes: number): number {
  return bytes / GiB;
}

/** "12.34 GiB" (two decimals). */
export function fmtGiB(bytes: number): string {
  return `${toGiB(bytes).toFixed(2)} GiB`;
}

/** Compact parameter count: "7.62B", "40.0M". */
export function fmtParams(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  return `${(n / 1e3).toFixed(1)}K`;
}
