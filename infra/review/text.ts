/**
 * Escaping and number formatting shared by the review's renderers. Every string that comes from a
 * stack file, a policy message or an exemption is user-controlled: it goes through escapeHtml (HTML)
 * or mdText (Markdown, which GitHub also renders as HTML) before it reaches the output.
 */
import type { Money } from "./model";

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text safe in HTML element content and in quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * Text safe in a Markdown table cell and inline: HTML-escaped (GitHub renders raw HTML), Markdown
 * punctuation backslash-escaped so a name cannot open a link, emphasis or code span, `|` cannot end
 * the cell, and line breaks cannot end the row.
 */
export function mdText(s: string): string {
  // Markdown first, then HTML: escaping after HTML would break entities such as &#39;.
  return escapeHtml(s.replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`).replace(/\r?\n|\r/g, " "));
}

/** JSON for an inline `<script type="application/json">`: no `<` can close the element. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export function fmtNumber(n: number, digits = 2): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits });
}

export function fmtMoney(m: Money | undefined): string {
  return m ? `${fmtNumber(m.amount)} ${m.currency}` : "no price";
}

export function fmtSigned(m: Money): string {
  const sign = m.amount > 0 ? "+" : m.amount < 0 ? "−" : "±";
  return `${sign}${fmtNumber(Math.abs(m.amount))} ${m.currency}`;
}

/** Share of the usable GPU memory an estimate needs, in percent (0 when nothing is usable). */
export function fitPercent(needGiB: number, usableGiB: number): number {
  return usableGiB > 0 ? Math.round((needGiB / usableGiB) * 100) : 0;
}

/** A ten-cell text bar of need vs usable; over 100 % fills the bar and is marked. */
export function textBar(needGiB: number, usableGiB: number): string {
  const pct = fitPercent(needGiB, usableGiB);
  const filled = Math.max(0, Math.min(10, Math.round(pct / 10)));
  return `${"█".repeat(filled)}${"░".repeat(10 - filled)}`;
}
