/**
 * The review as a pull-request comment (GitHub-flavoured Markdown), laid out as Infracost's comment
 * is: a headline and a summary table first, every detail folded in <details>.
 */
import type { PolicyVerdict } from "../plan/policy-types";
import type { Review, ReviewItem, ReviewPromotion } from "./model";
import { fitPercent, fmtMoney, fmtNumber, fmtSigned, mdText, textBar } from "./text";

const code = (s: string) => `<code>${mdText(s)}</code>`;

/** Free text (messages, reasons) cut to `n` characters so one string cannot fill the comment. */
const clip = (s: string, n = 400) => mdText(s.length > n ? `${s.slice(0, n - 1)}…` : s);

function row(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function details(summary: string, body: string[]): string[] {
  // The blank line after </summary> lets GitHub render the Markdown (tables) inside.
  return ["<details>", `<summary>${summary}</summary>`, "", ...body, "", "</details>", ""];
}

/** One-line policy status for the headline. */
export function policySummary(review: Review): string {
  const p = review.policy;
  if (!p) return "policy pack not run";
  const advisory = p.verdicts.filter((v) => v.enforcementLevel === "advisory" && !v.exemption).length;
  const exempted = p.verdicts.filter((v) => v.exemption).length;
  const expired = p.exemptions.filter((e) => e.status === "expired").length;
  const parts = [
    p.mandatoryViolations === 0
      ? "no mandatory violation"
      : `${p.mandatoryViolations} mandatory violation${p.mandatoryViolations === 1 ? "" : "s"}`,
    `${advisory} advisory`,
    `${exempted} exempted`,
  ];
  if (expired > 0) parts.push(`${expired} expired exemption${expired === 1 ? "" : "s"}`);
  return parts.join(", ");
}

function countOf(review: Review, kind: "job" | "service"): string {
  const n = review.items.filter((i) => i.kind === kind).length;
  return `${n} ${kind}${n === 1 ? "" : "s"}`;
}

function costCell(i: ReviewItem): string {
  if (!i.cost) return "**no price** (cost unknown)";
  if (i.kind === "job") return `${fmtMoney(i.cost)} per run`;
  const min =
    i.monthlyMin && i.monthlyMin.amount !== i.cost.amount ? `${fmtNumber(i.monthlyMin.amount)}–` : "";
  return `${min}${fmtMoney(i.cost)} per month`;
}

function hoursCell(i: ReviewItem): string {
  if (i.kind === "job") return Number.isFinite(i.hours) ? `${fmtNumber(i.hours)} h` : "unknown";
  const r = i.replicas;
  return `${fmtNumber(i.hours, 0)} h/month${r ? ` (${r.max} replica${r.max === 1 ? "" : "s"})` : ""}`;
}

function fitCell(i: ReviewItem): string {
  const m = i.memory;
  const mark = m.fits ? "" : " ❌ **does not fit**";
  return `<code>${textBar(m.needGiB, m.usableGiB)}</code> ${fmtNumber(m.needGiB)} / ${fmtNumber(m.usableGiB)} GiB (${fitPercent(m.needGiB, m.usableGiB)} %)${mark}`;
}

function verdictRows(verdicts: readonly PolicyVerdict[], rows: number): string[] {
  const level = (v: PolicyVerdict) =>
    v.exemption
      ? "exempted"
      : v.enforcementLevel === "mandatory"
        ? "❌ mandatory"
        : `⚠️ ${v.enforcementLevel}`;
  const order = (v: PolicyVerdict) => (v.exemption ? 2 : v.enforcementLevel === "mandatory" ? 0 : 1);
  return [
    row(["Level", "Policy", "Resource", "Message", "Exemption"]),
    row(["---", "---", "---", "---", "---"]),
    ...capped(
      [...verdicts].sort((a, b) => order(a) - order(b)),
      rows,
      (v) =>
        row([
          level(v),
          code(v.policyId),
          v.resourceName ? mdText(v.resourceName) : "(stack)",
          clip(v.message),
          v.exemption ? `${clip(v.exemption.reason)} (until ${mdText(v.exemption.expires)})` : "",
        ]),
    ),
  ];
}

/** GitHub refuses a comment body over 65,536 characters; keep a margin for what a CI step adds. */
export const MAX_COMMENT_CHARS = 60_000;

/** How much of each list a rendering shows (a large stack is cut down to fit one comment). */
interface Limits {
  rows: number;
  prices: boolean;
}

const MORE = "see `--format html` or `--format json` for the whole list";

/** The first `n` of `list` rendered, and a line saying how many were left out. */
function capped<T>(list: readonly T[], n: number, render: (x: T) => string, bullet = false): string[] {
  const shown = list.slice(0, n).map(render);
  if (list.length <= n) return shown;
  const note = `… and ${list.length - n} more: ${MORE}`;
  return bullet ? [...shown, `- ${note}`] : [...shown, "", note];
}

/**
 * The review as Markdown that fits one pull-request comment: a large stack shows fewer rows per
 * list (each cut list says how many it left out) and drops the price table before anything else.
 */
export function renderMarkdown(review: Review, maxChars = MAX_COMMENT_CHARS): string {
  let text = render(review, { rows: Infinity, prices: true });
  for (let rows = 200; text.length > maxChars && rows >= 5; rows = Math.floor(rows / 2))
    text = render(review, { rows, prices: false });
  return text;
}

/** The promoted model a stack serves, and the gates it passed with the values it passed them on. */
function promotionLines(p: ReviewPromotion): string[] {
  const a = p.artifact;
  const gates = p.gates.map((g) => {
    const bound = g.min !== undefined ? `≥ ${g.min}` : g.max !== undefined ? `≤ ${g.max}` : "";
    return `${mdText(g.metric)} ${g.value !== undefined ? fmtNumber(g.value) : "?"} (gate ${bound})`;
  });
  return [
    `**Serves promoted model** ${code(a.uri)} (run ${code(a.runHash)}, trained by job ${code(a.job)} of stack ${code(a.stack)}), promoted from ${code(p.from)} on ${mdText(p.time)}.`,
    p.metrics
      ? `Evaluated on ${code(p.metrics.dataset.path)} (version ${code(p.metrics.dataset.contentVersion.slice(0, 16))}): ${gates.join("; ") || "no gates"}.`
      : `Gates: ${gates.join("; ") || "none"}.`,
  ];
}

function render(review: Review, limits: Limits): string {
  const out: string[] = [];
  const ok = review.ok ? "✅" : "❌";
  out.push(`## ${ok} pai-finetune review of stack ${code(review.stack)}`, "");
  out.push(
    `Region ${code(review.region)} · environment ${code(review.environment)} · ${countOf(review, "job")}, ${countOf(review, "service")} · file ${code(review.file)}`,
    "",
  );

  // Summary table first.
  const total = review.totals.monthly.map(fmtMoney).join(" + ") || "unknown";
  const unpriced = review.totals.unpriced.map(mdText).join(", ");
  const unknown = !review.totals.unpriced.length
    ? ""
    : review.totals.monthly.length
      ? ` (+ ${review.totals.unpriced.length} with no price: ${unpriced})`
      : ` (no price in ${code(review.region)} for ${unpriced})`;
  const head = ["Monthly total", "Policy"];
  const cells = [`**${total}**${unknown}`, mdText(policySummary(review))];
  if (review.base) {
    head.splice(1, 0, `vs base ${code(review.base.label)}`);
    const d = review.base.totalDelta.map(fmtSigned).join(", ") || "±0";
    const c = review.base.changes;
    const counts = (["added", "removed", "changed"] as const)
      .map((k) => `${c.filter((x) => x.change === k).length} ${k}`)
      .join(", ");
    cells.splice(1, 0, `**${d}** (${counts})`);
  }
  out.push(row(head), row(head.map(() => "---")), row(cells), "");
  if (review.promotion) out.push(...promotionLines(review.promotion), "");
  if (review.errors.length > 0) {
    out.push(
      "**The plan has errors:**",
      "",
      ...capped(review.errors, limits.rows, (e) => `- ❌ ${clip(e)}`, true),
      "",
    );
  }
  if (review.policy && review.policy.mandatoryViolations > 0) {
    out.push(
      `**${review.policy.mandatoryViolations} mandatory policy violation${review.policy.mandatoryViolations === 1 ? "" : "s"}:**`,
      "",
      ...capped(
        review.policy.verdicts.filter((v) => v.enforcementLevel === "mandatory" && !v.exemption),
        limits.rows,
        (v) =>
          `- ❌ ${code(v.policyId)}${v.resourceName ? ` on ${mdText(v.resourceName)}` : ""}: ${clip(v.message)}`,
        true,
      ),
      "",
    );
  }

  out.push(
    row([
      "Kind",
      "Name",
      "Method",
      "Model",
      "Placement",
      "GPU memory per GPU: need / usable",
      "Hours",
      "Cost",
    ]),
    row(["---", "---", "---", "---", "---", "---", "---:", "---:"]),
    ...capped(review.items, limits.rows, (i) =>
      row([
        i.kind,
        mdText(i.name),
        mdText(i.method),
        mdText(i.model),
        `${mdText(i.placement)}, ${i.gpus.count} × ${mdText(i.gpus.model)}`,
        fitCell(i),
        hoursCell(i),
        costCell(i),
      ]),
    ),
    "",
  );

  if (review.base) {
    const c = review.base.changes;
    out.push(
      ...details(
        `Changes against ${code(review.base.label)} (${c.length})`,
        c.length === 0
          ? ["No job or service was added, removed or changed."]
          : [
              row(["Change", "Kind", "Name", "What changed", "Cost difference"]),
              row(["---", "---", "---", "---", "---:"]),
              ...capped(c, limits.rows, (x) =>
                row([
                  x.change,
                  x.kind,
                  mdText(x.name),
                  x.details.map(mdText).join("<br>") || "",
                  x.costDelta ? fmtSigned(x.costDelta) : "unknown",
                ]),
              ),
              "",
              `Base total: ${review.base.totals.monthly.map(fmtMoney).join(" + ") || "no priced item"}.`,
            ],
      ),
    );
  }

  if (review.policy) {
    const p = review.policy;
    out.push(
      ...details(
        `Policy verdicts (${p.verdicts.length})`,
        p.verdicts.length === 0 ? ["Every policy passed."] : verdictRows(p.verdicts, limits.rows),
      ),
    );
    out.push(
      ...details(
        `Exemptions (${p.exemptions.length})`,
        p.exemptions.length === 0
          ? ["The stack declares no exemption."]
          : [
              row(["Status", "Policy", "Resource", "Reason", "Expires"]),
              row(["---", "---", "---", "---", "---"]),
              ...capped(p.exemptions, limits.rows, (e) =>
                row([
                  e.status === "expired" ? "⚠️ expired (no longer applies)" : e.status,
                  code(e.policyId),
                  clip(e.resource, 200),
                  clip(e.reason),
                  mdText(e.expires),
                ]),
              ),
            ],
      ),
    );
  } else {
    out.push("**Policy pack not run:** no verdicts or exemptions to show.", "");
  }

  const priced = review.items.filter((i) => i.price);
  if (!limits.prices)
    out.push(`Prices used (region ${code(review.region)}): left out to fit one comment; ${MORE}.`, "");
  else
    out.push(
      ...details(`Prices used (region ${code(review.region)})`, [
        row(["For", "Instance", "Price", "Kind", "Region", "Date", "Source"]),
        row(["---", "---", "---:", "---", "---", "---", "---"]),
        ...review.items.map((i) =>
          i.price
            ? row([
                `${i.kind} ${mdText(i.name)}`,
                mdText(i.price.instance),
                `${fmtNumber(i.price.amount, 6)} ${i.price.currency}/h`,
                i.price.kind,
                mdText(i.price.region),
                mdText(i.price.date),
                mdText(i.price.source),
              ])
            : row([
                `${i.kind} ${mdText(i.name)}`,
                mdText(i.placement),
                "no price",
                "",
                mdText(review.region),
                "",
                "",
              ]),
        ),
        ...(priced.length < review.items.length
          ? ["", "An item with no price has no cost in the total: it is listed, never counted as free."]
          : []),
      ]),
    );
  if (review.warnings.length > 0)
    out.push(
      ...details(
        `Warnings (${review.warnings.length})`,
        capped(review.warnings, limits.rows, (w) => `- ${clip(w)}`, true),
      ),
    );
  out.push(
    "<sub>Generated by <code>npm run review</code> from the offline plan (the same sizing as <code>pulumi up</code>). Jobs: one run; services: one month (730 h) at max replicas. List prices are undiscounted.</sub>",
    "",
  );
  return out.join("\n");
}
