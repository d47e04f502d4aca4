// The review built from real offline plans: items, totals, the diff against a base, policy verdicts
// and exemptions (from PolicyOutcome fixtures until the pack runs inside the plan), and escaping.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { runOfflinePlan } from "../../infra/plan";
import { renderHtml } from "../../infra/review/html";
import { MAX_COMMENT_CHARS, renderMarkdown } from "../../infra/review/markdown";
import { buildReview, diffItems, type PlanResult, type ReviewItem } from "../../infra/review/model";
import { mdText } from "../../infra/review/text";
import { mutatedStack, scratchDir } from "../helpers/stack-files";
import { devChanged, devWithoutService, devWithUserPrice, policyOutcome } from "./fixtures";

const scratch = scratchDir();
after(() => scratch.cleanup());

async function plan(name: string, text?: string): Promise<PlanResult> {
  const file = text === undefined ? `stacks/Pulumi.${name}.yaml` : scratch.write(`Pulumi.${name}.yaml`, text);
  return runOfflinePlan(file, name);
}

describe("review model", () => {
  it("lists every job and service with the plan's own figures, and totals jobs' runs plus services' months", async () => {
    const p = await plan("dev");
    const r = buildReview(p);
    assert.deepEqual(
      r.items.map((i) => `${i.kind} ${i.name}`),
      ["job tvfunc-qlora", "service tvfunc_chat_dev"],
    );
    const [job, svc] = r.items as [ReviewItem, ReviewItem];
    const pj = p.report.jobs[0]!;
    const ps = p.report.services[0]!;
    // No second formula: the numbers are the plan's.
    assert.deepEqual(job.memory, {
      needGiB: pj.perGpuGiB,
      usableGiB: pj.usableGiB,
      availableGiB: pj.availableGiB,
      fits: true,
    });
    assert.equal(job.hours, pj.hours);
    assert.deepEqual(job.cost, { amount: pj.cost!.amount, currency: "CNY" });
    assert.equal(svc.cost?.amount, ps.monthlyCost!.max);
    assert.equal(svc.memory.usableGiB, ps.usableGiB);
    assert.ok(svc.memory.usableGiB < svc.memory.availableGiB, "usable is memory less headroom");
    assert.deepEqual(r.totals, {
      monthly: [{ amount: Math.round((pj.cost!.amount + ps.monthlyCost!.max) * 100) / 100, currency: "CNY" }],
      unpriced: [],
    });
    // Which price, from where, for which region.
    assert.equal(job.price?.region, "cn-wulanchabu");
    assert.equal(job.price?.kind, "official-list");
    assert.match(job.price?.source ?? "", /karpenter-provider-alibabacloud .*5d2e077/);
    // The plan ran the policy pack: its outcome is the review's, and the dev stack passes it.
    assert.deepEqual(r.policy, p.policy);
    assert.equal(r.policy?.mandatoryViolations, 0);
    assert.equal(r.ok, true);
  });

  it("an item with no price in the region is listed as unpriced, never summed as zero", async () => {
    const r = buildReview(await plan("staging"));
    assert.ok(r.totals.unpriced.length > 0);
    for (const name of r.totals.unpriced)
      assert.ok(r.items.some((i) => `${i.kind} ${i.name}` === name && !i.cost));
    assert.match(renderMarkdown(r), /no price/);
  });

  it("diffs against a base: added, removed and changed, with the cost difference", async () => {
    // Both sides written the same way (scratch files, the dataset as an OSS path), so only the
    // fixture's own changes differ.
    const base = await plan(
      "dev-base",
      mutatedStack("dev", () => undefined),
    );
    const head = await plan("dev-changed", devChanged());
    const r = buildReview(head, { label: "HEAD~1:stacks/Pulumi.dev.yaml", plan: base });
    const c = r.base!.changes;
    assert.deepEqual(
      c.map((x) => `${x.change} ${x.kind} ${x.name}`),
      ["changed job tvfunc-qlora", "added service tvfunc_chat_dev_b"],
    );
    const job = c[0]!;
    assert.ok(
      job.details.some((d) => /^hours: [\d.]+ → [\d.]+$/.test(d)),
      job.details.join("; "),
    );
    const before = base.report.jobs[0]!.cost!.amount;
    const afterCost = head.report.jobs[0]!.cost!.amount;
    assert.equal(job.costDelta?.amount, Math.round((afterCost - before) * 100) / 100);
    assert.ok((job.costDelta?.amount ?? 0) > 0, "5 epochs cost more than 3");
    assert.equal(c[1]!.costDelta?.amount, head.report.services[1]!.monthlyCost!.max);
    const headTotal = r.totals.monthly[0]!.amount;
    const baseTotal = r.base!.totals.monthly[0]!.amount;
    assert.deepEqual(r.base!.totalDelta, [
      { amount: Math.round((headTotal - baseTotal) * 100) / 100, currency: "CNY" },
    ]);

    const removed = buildReview(await plan("dev-nosvc", devWithoutService()), { label: "b", plan: base });
    assert.deepEqual(
      removed.base!.changes.map((x) => [x.change, x.name, x.costDelta?.amount]),
      [["removed", "tvfunc_chat_dev", -base.report.services[0]!.monthlyCost!.max]],
    );
    // Same on both sides: no change at all.
    assert.deepEqual(diffItems(r.items, r.items), []);

    const md = renderMarkdown(r);
    assert.match(md, /vs base <code>HEAD\\~1:stacks\/Pulumi\.dev\.yaml<\/code>/);
    assert.match(md, /\| changed \| job \| tvfunc-qlora \| .*hours: .* \| \+[\d,.]+ CNY \|/);
    assert.match(md, /\| added \| service \| tvfunc\\_chat\\_dev\\_b \|/);
    assert.match(md, /\*\*\+[\d,.]+ CNY\*\* \(1 added, 0 removed, 1 changed\)/);
  });

  it("renders every policy verdict and exemption; a mandatory violation makes the review not ok", async () => {
    const p = await plan("dev");
    const withPolicy: PlanResult = { ...p, policy: policyOutcome() };
    const r = buildReview(withPolicy);
    assert.equal(r.ok, false);
    const md = renderMarkdown(r);
    for (const v of policyOutcome().verdicts)
      assert.ok(md.includes(`<code>${v.policyId}</code>`), v.policyId);
    assert.match(md, /1 mandatory violation, 1 advisory, 1 exempted, 1 expired exemption/);
    assert.match(
      md,
      /- ❌ <code>gpu-memory-cap<\/code> on platform-job-tvfunc-qlora: job tvfunc-qlora reserves 640 GiB/,
    );
    assert.match(md, /\| exempted \| <code>stack-budget<\/code> \| \(stack\) \|/);
    assert.match(md, /⚠️ expired \(no longer applies\) \| <code>service-access<\/code>/);
    assert.match(md, /<summary>Policy verdicts \(3\)<\/summary>/);
    assert.match(md, /<summary>Exemptions \(2\)<\/summary>/);
    // Mandatory first in the folded table.
    const table = md.slice(md.indexOf("<summary>Policy verdicts"));
    assert.ok(table.indexOf("gpu-memory-cap") < table.indexOf("gpu-overprovisioning"));
    assert.ok(table.indexOf("gpu-overprovisioning") < table.indexOf("stack-budget"));

    const html = renderHtml(r);
    for (const v of policyOutcome().verdicts) assert.ok(html.includes(`<code>${v.policyId}</code>`));
    assert.match(html, /expired: no longer applies/);

    // No pack: said so, not an empty section that reads like a pass.
    const { policy: _ran, ...withoutPack } = p;
    const none = buildReview(withoutPack);
    assert.match(renderMarkdown(none), /\*\*Policy pack not run:\*\*/);
    assert.match(renderMarkdown(none), /\| policy pack not run \|/);
    assert.match(renderHtml(none), /policy pack not run/);
  });

  it("escapes every user-controlled string in Markdown and HTML", async () => {
    const p = await plan("dev-user-price", devWithUserPrice());
    assert.equal(p.report.jobs[0]!.price?.kind, "user");
    const r = buildReview({ ...p, policy: policyOutcome() });
    r.stack = `"><script>alert('stack')</script>`;
    r.file = `stacks/<b>x</b>.yaml`;
    const md = renderMarkdown(r);
    const html = renderHtml(r);
    for (const text of [md, html]) {
      assert.ok(!text.includes("<script>alert"), "no raw script tag");
      assert.ok(!text.includes("<img"), "no raw img tag");
      assert.ok(!text.includes("<b>x</b>"));
      assert.ok(text.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    }
    assert.ok(!/\[l\]\(javascript/.test(md), "no Markdown link can be formed");
    assert.ok(md.includes("\\[l\\]"));
    assert.ok(md.includes("\\| \\*\\*b\\*\\*"), "a pipe cannot end the table cell");
    // The only script elements are the data, Chart.js and the page's own init.
    assert.equal((html.match(/<script/g) ?? []).length, 3);
    assert.equal(mdText("a\nb|c"), "a b\\|c");
    assert.equal(mdText("it's & <x>"), "it&#39;s &amp; &lt;x&gt;");
  });

  it("a stack too large for one comment is cut to fit, saying what was left out; mandatory violations stay", async () => {
    const p = await plan("dev");
    const one = buildReview({ ...p, policy: policyOutcome() });
    const items = Array.from({ length: 1000 }, (_, n) => ({ ...one.items[n % 2]!, name: `item-${n}` }));
    const huge = {
      ...one,
      items,
      warnings: Array.from({ length: 500 }, (_, n) => `warning ${n} ${"x".repeat(5000)}`),
    };
    const md = renderMarkdown(huge);
    assert.ok(md.length <= MAX_COMMENT_CHARS, `${md.length} characters`);
    assert.match(md, /… and \d+ more: see `--format html` or `--format json` for the whole list/);
    assert.match(md, /Prices used \(region <code>cn-wulanchabu<\/code>\): left out to fit one comment/);
    assert.match(md, /- ❌ <code>gpu-memory-cap<\/code> on platform-job-tvfunc-qlora/);
    assert.ok(md.includes("| service | item-1 |") && !md.includes("| item-999 |"), "the first rows, not all");
    // A small review is never cut.
    const small = renderMarkdown(one);
    assert.doesNotMatch(small, /more: see/);
    assert.match(small, /<summary>Prices used/);
  });
});
