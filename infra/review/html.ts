/**
 * The review as one self-contained HTML file: tables, and two charts drawn by Chart.js (cost by job
 * and service; GPU memory need vs usable per GPU). Chart.js's UMD build is inlined, so the file reads
 * with no network; a Content-Security-Policy allows exactly the two inline scripts (by hash) and no
 * fetch at all. Every user-controlled string is escaped (escapeHtml), and the chart data travels as
 * JSON in a non-executed script element that no string can close.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { PolicyVerdict } from "../plan/policy-types";
import { policySummary } from "./markdown";
import type { Review, ReviewItem, ReviewPromotion } from "./model";
import { escapeHtml as h, fitPercent, fmtMoney, fmtNumber, fmtSigned, jsonForScript } from "./text";

let chartJs: string | undefined;

/** Chart.js's UMD build (chart.js/dist/chart.umd.min.js, MIT), read once. */
function chartJsSource(): string {
  if (chartJs === undefined) {
    // The package's exports map does not export the UMD file: find it next to the main entry (dist/).
    const src = readFileSync(
      path.join(path.dirname(require.resolve("chart.js")), "chart.umd.min.js"),
      "utf8",
    );
    // Inline script text must not contain "</script"; the minified build does not, and this keeps it so.
    chartJs = src.replace(/<\/(script)/gi, "<\\/$1");
  }
  return chartJs;
}

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** The data the charts draw (also what the browser test reads back). */
export interface ChartData {
  /** logScale: the largest cost is over 50 × the smallest (a job's run next to a service's month). */
  cost: {
    labels: string[];
    values: (number | null)[];
    kinds: string[];
    currency: string;
    region: string;
    logScale: boolean;
  };
  memory: { labels: string[]; need: number[]; usable: number[]; fits: boolean[] };
}

export function chartData(review: Review): ChartData {
  const currency = review.totals.monthly[0]?.currency ?? "CNY";
  const label = (i: ReviewItem) =>
    `${i.kind === "job" ? "job" : "service"} ${i.name}${i.kind === "job" ? " (run)" : " (month, max replicas)"}`;
  const values = review.items.map((i) => (i.cost && i.cost.currency === currency ? i.cost.amount : null));
  const positive = values.filter((v): v is number => v !== null && v > 0);
  return {
    cost: {
      labels: review.items.map((i) => (i.cost ? label(i) : `${label(i)}: no price`)),
      values,
      kinds: review.items.map((i) => i.kind),
      currency,
      region: review.region,
      logScale: positive.length > 1 && Math.max(...positive) > 50 * Math.min(...positive),
    },
    memory: {
      labels: review.items.map((i) => `${i.kind} ${i.name} (${i.gpus.model})`),
      need: review.items.map((i) => i.memory.needGiB),
      usable: review.items.map((i) => i.memory.usableGiB),
      fits: review.items.map((i) => i.memory.fits),
    },
  };
}

// Runs in the page: builds the two charts from the JSON data element. Plain ES2017, no imports.
const INIT = `(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var charts = [];
  var common = { animation: false, responsive: true, maintainAspectRatio: false };
  var cost = data.cost;
  charts.push(new Chart(document.getElementById("cost-chart"), {
    type: "bar",
    data: {
      labels: cost.labels,
      datasets: [{
        label: "Cost (" + cost.currency + ")",
        data: cost.values,
        backgroundColor: cost.kinds.map(function (k) { return k === "job" ? "#3b82f6" : "#f59e0b"; })
      }]
    },
    options: Object.assign({}, common, {
      indexAxis: "y",
      plugins: { legend: { display: false },
        title: { display: true, text: cost.values.some(function (v) { return v !== null; })
          ? "Cost by job (one run) and service (one month at max replicas), " + cost.currency +
            (cost.logScale ? " (log scale)" : "")
          : "Cost: no job or service has a price in " + cost.region + " (see Prices used)" } },
      scales: { x: cost.logScale
        ? { type: "logarithmic", ticks: { autoSkip: true, maxRotation: 0 },
            title: { display: true, text: cost.currency + " (log scale)" } }
        : { beginAtZero: true, title: { display: true, text: cost.currency } } }
    })
  }));
  var mem = data.memory;
  charts.push(new Chart(document.getElementById("memory-chart"), {
    type: "bar",
    data: {
      labels: mem.labels,
      datasets: [
        { label: "Need per GPU (GiB)", data: mem.need,
          backgroundColor: mem.fits.map(function (f) { return f ? "#10b981" : "#ef4444"; }) },
        { label: "Usable per GPU (GiB)", data: mem.usable, backgroundColor: "#cbd5e1" }
      ]
    },
    options: Object.assign({}, common, {
      plugins: { title: { display: true, text: "GPU memory per GPU: estimated need vs usable (memory less headroom)" } },
      scales: { y: { beginAtZero: true, title: { display: true, text: "GiB" } } }
    })
  }));
  window.reviewCharts = charts;
})();`;

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #0f172a; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.meta { color: #475569; margin-bottom: 16px; }
.badge { display: inline-block; padding: 2px 8px; border-radius: 10px; font-weight: 600; }
.ok { background: #dcfce7; color: #166534; } .bad { background: #fee2e2; color: #991b1b; }
.warn { background: #fef3c7; color: #92400e; } .muted { background: #e2e8f0; color: #334155; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { border: 1px solid #e2e8f0; border-radius: 8px; padding: 10px 14px; min-width: 200px; }
.card .v { font-size: 20px; font-weight: 600; } .card .k { color: #64748b; font-size: 12px; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin-top: 16px; }
.chart { position: relative; height: 320px; border: 1px solid #e2e8f0; border-radius: 8px; padding: 8px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid #e2e8f0; padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f8fafc; } td.num { text-align: right; white-space: nowrap; } td.nowrap { white-space: nowrap; }
.bar { position: relative; width: 160px; height: 12px; background: #e2e8f0; border-radius: 6px; overflow: hidden; }
.bar > span { position: absolute; left: 0; top: 0; bottom: 0; background: #10b981; }
.bar.over > span { background: #ef4444; }
.small { color: #64748b; font-size: 12px; }
code { white-space: nowrap; }
`;

const replicas = (n: number) => `${n} replica${n === 1 ? "" : "s"}`;

function fitBar(i: ReviewItem): string {
  const pct = fitPercent(i.memory.needGiB, i.memory.usableGiB);
  const width = Math.max(0, Math.min(100, pct));
  return (
    `<div class="bar${i.memory.fits ? "" : " over"}" title="${pct} % of usable"><span style="width:${width}%"></span></div>` +
    `<div class="small">${fmtNumber(i.memory.needGiB)} / ${fmtNumber(i.memory.usableGiB)} GiB (${pct} %)${i.memory.fits ? "" : " — does not fit"}</div>`
  );
}

/** `numeric`: right-aligned columns; `nowrap`: columns kept on one line. */
function table(head: string[], rows: string[][], numeric: number[] = [], nowrap: number[] = []): string {
  const th = head.map((c) => `<th>${h(c)}</th>`).join("");
  const cls = (i: number) =>
    numeric.includes(i) ? ' class="num"' : nowrap.includes(i) ? ' class="nowrap"' : "";
  const tr = rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${c}</td>`).join("")}</tr>`).join("\n");
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

/** Mandatory first, then advisory, then exempted. */
const verdictOrder = (v: PolicyVerdict) => (v.exemption ? 2 : v.enforcementLevel === "mandatory" ? 0 : 1);

function verdictLevel(v: PolicyVerdict): string {
  if (v.exemption) return `<span class="badge muted">exempted</span>`;
  if (v.enforcementLevel === "mandatory") return `<span class="badge bad">mandatory</span>`;
  return `<span class="badge warn">${h(v.enforcementLevel)}</span>`;
}

function policySection(review: Review): string {
  const p = review.policy;
  if (!p)
    return `<h2>Policy</h2><p><span class="badge muted">policy pack not run</span> no verdicts or exemptions to show.</p>`;
  const verdicts =
    p.verdicts.length === 0
      ? "<p>Every policy passed.</p>"
      : table(
          ["Level", "Policy", "Resource", "Message", "Exemption"],
          [...p.verdicts]
            .sort((a, b) => verdictOrder(a) - verdictOrder(b))
            .map((v) => [
              verdictLevel(v),
              `<code>${h(v.policyId)}</code>`,
              v.resourceName ? h(v.resourceName) : "(stack)",
              h(v.message),
              v.exemption ? `${h(v.exemption.reason)} (until ${h(v.exemption.expires)})` : "",
            ]),
        );
  const exemptions =
    p.exemptions.length === 0
      ? "<p>The stack declares no exemption.</p>"
      : table(
          ["Status", "Policy", "Resource", "Reason", "Expires"],
          p.exemptions.map((e) => [
            e.status === "expired"
              ? `<span class="badge warn">expired: no longer applies</span>`
              : `<span class="badge muted">${h(e.status)}</span>`,
            `<code>${h(e.policyId)}</code>`,
            h(e.resource),
            h(e.reason),
            h(e.expires),
          ]),
        );
  return `<h2>Policy verdicts (${p.verdicts.length})</h2>${verdicts}<h2>Exemptions (${p.exemptions.length})</h2>${exemptions}`;
}

function promotionSection(p: ReviewPromotion): string {
  const a = p.artifact;
  const gates = p.gates.map((g) => [
    h(g.metric),
    g.value !== undefined ? h(fmtNumber(g.value)) : "?",
    g.min !== undefined ? `≥ ${h(fmtNumber(g.min))}` : g.max !== undefined ? `≤ ${h(fmtNumber(g.max))}` : "",
  ]);
  return `<h2>Promoted model</h2><p>Serves <code>${h(a.uri)}</code> (run <code>${h(a.runHash)}</code>, trained by job ${h(a.job)} of stack ${h(a.stack)}), promoted from ${h(p.from)} on ${h(p.time)}${
    p.metrics
      ? `, evaluated on <code>${h(p.metrics.dataset.path)}</code> (version <code>${h(p.metrics.dataset.contentVersion.slice(0, 16))}</code>)`
      : ""
  }.</p>${gates.length ? table(["Gate metric", "Value", "Threshold"], gates, [1]) : ""}`;
}

export function renderHtml(review: Review): string {
  const total = review.totals.monthly.map(fmtMoney).join(" + ") || `unknown: no price in ${review.region}`;
  const status = review.ok
    ? `<span class="badge ok">OK</span>`
    : `<span class="badge bad">${review.errors.length > 0 ? "plan errors" : "mandatory policy violations"}</span>`;
  const cards = [
    `<div class="card"><div class="k">Monthly total (jobs one run each, services at max replicas)</div><div class="v">${h(total)}</div>${
      review.totals.unpriced.length
        ? `<div class="small">+ ${review.totals.unpriced.length} with no price: ${h(review.totals.unpriced.join(", "))}</div>`
        : ""
    }</div>`,
  ];
  if (review.base) {
    const d = review.base.totalDelta.map(fmtSigned).join(", ") || "±0";
    const c = review.base.changes;
    cards.push(
      `<div class="card"><div class="k">Against base ${h(review.base.label)}</div><div class="v">${h(d)}</div><div class="small">${(["added", "removed", "changed"] as const).map((k) => `${c.filter((x) => x.change === k).length} ${k}`).join(", ")}</div></div>`,
    );
  }
  cards.push(
    `<div class="card"><div class="k">Policy</div><div class="v" style="font-size:14px">${h(policySummary(review))}</div></div>`,
  );

  const items = table(
    ["Kind", "Name", "Method", "Model", "Placement", "GPU memory per GPU", "Hours", "Cost"],
    review.items.map((i) => [
      h(i.kind),
      h(i.name),
      h(i.method),
      h(i.model),
      `${h(i.placement)}<div class="small">${i.gpus.count} × ${h(i.gpus.model)}</div>`,
      fitBar(i),
      i.kind === "job"
        ? Number.isFinite(i.hours)
          ? `${fmtNumber(i.hours)} h`
          : "unknown"
        : `${fmtNumber(i.hours, 0)} h/month`,
      i.cost
        ? `${h(fmtMoney(i.cost))}<div class="small">${i.kind === "job" ? "one run" : `per month at ${replicas(i.replicas?.max ?? 1)}${i.monthlyMin && i.monthlyMin.amount !== i.cost.amount ? `; ${h(fmtMoney(i.monthlyMin))} at ${i.replicas?.min ?? 1}` : ""}`}</div>`
        : `<span class="badge warn">no price</span>`,
    ]),
    [6, 7],
  );

  const changes = review.base
    ? `<h2>Changes against ${h(review.base.label)} (${review.base.changes.length})</h2>${
        review.base.changes.length === 0
          ? "<p>No job or service was added, removed or changed.</p>"
          : table(
              ["Change", "Kind", "Name", "What changed", "Cost difference"],
              review.base.changes.map((x) => [
                h(x.change),
                h(x.kind),
                h(x.name),
                x.details.map(h).join("<br>"),
                x.costDelta ? h(fmtSigned(x.costDelta)) : "unknown",
              ]),
              [4],
            )
      }`
    : "";

  const prices = table(
    ["For", "Instance", "Price", "Kind", "Region", "Date", "Source"],
    review.items.map((i) =>
      i.price
        ? [
            `${h(i.kind)} ${h(i.name)}`,
            h(i.price.instance),
            `${fmtNumber(i.price.amount, 6)} ${h(i.price.currency)}/h`,
            h(i.price.kind),
            h(i.price.region),
            h(i.price.date),
            h(i.price.source),
          ]
        : [
            `${h(i.kind)} ${h(i.name)}`,
            h(i.placement),
            `<span class="badge warn">no price</span>`,
            "",
            h(review.region),
            "",
            "",
          ],
    ),
    [],
    [1, 2, 3, 4, 5],
  );

  const errors =
    review.errors.length > 0
      ? `<h2>Plan errors</h2><ul>${review.errors.map((e) => `<li>${h(e)}</li>`).join("")}</ul>`
      : "";
  const warnings =
    review.warnings.length > 0
      ? `<h2>Warnings</h2><ul>${review.warnings.map((w) => `<li>${h(w)}</li>`).join("")}</ul>`
      : "";

  const lib = chartJsSource();
  const csp = `default-src 'none'; script-src ${sha256(lib)} ${sha256(INIT)}; style-src 'unsafe-inline'; img-src data:`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pai-finetune review: ${h(review.stack)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>pai-finetune review of stack ${h(review.stack)} ${status}</h1>
<div class="meta">region ${h(review.region)} · environment ${h(review.environment)} · file ${h(review.file)}</div>
<div class="cards">${cards.join("")}</div>
${errors}
<div class="charts">
<div class="chart"><canvas id="cost-chart" role="img" aria-label="Cost by job and service"></canvas></div>
<div class="chart"><canvas id="memory-chart" role="img" aria-label="GPU memory need vs usable per GPU"></canvas></div>
</div>
<h2>Jobs and services</h2>
${items}
${review.promotion ? promotionSection(review.promotion) : ""}
${changes}
${policySection(review)}
<h2>Prices used (region ${h(review.region)})</h2>
${prices}
${warnings}
<p class="small">Generated by npm run review from the offline plan (the same sizing as pulumi up). List prices are undiscounted; an item with no price is listed, never counted as free. Charts: Chart.js (MIT), inlined.</p>
<script type="application/json" id="review-data">${jsonForScript(chartData(review))}</script>
<script>${lib}</script>
<script>${INIT}</script>
</body>
</html>
`;
}
