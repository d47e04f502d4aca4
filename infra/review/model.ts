/**
 * The review of one stack: what each job and service costs and needs, the stack's monthly total,
 * what changed against a base, and the policy pack's verdicts. Plain data (the `--format json`
 * output), built only from offline plans: every figure is the plan's, which sized through the one
 * estimator (infra/sizing), so the review never computes a second memory or cost figure.
 */
import type { OfflinePlan, PlanReport } from "../plan";
import type { PolicyOutcome } from "../plan/policy-types";
import type { PriceUsed } from "../plan/report";

/** The offline plan's result; `policy` absent means the pack did not run (the review says so). */
export type PlanResult = Omit<OfflinePlan, "policy"> & { policy?: PolicyOutcome };

export interface Money {
  amount: number;
  currency: string;
}

export interface ReviewItem {
  kind: "job" | "service";
  name: string;
  /** Fine-tune method (full, freeze, lora, qlora) for jobs; "serve" for services. */
  method: string;
  model: string;
  placement: string;
  /** GPUs the item runs on (a service: per replica): count and model. */
  gpus: { count: number; model: string };
  /** Estimated peak per GPU vs what one GPU of the placement may use (its memory less headroom). */
  memory: { needGiB: number; usableGiB: number; availableGiB: number; fits: boolean };
  /** Jobs: estimated hours of one run. Services: hours per month (730) at every replica. */
  hours: number;
  /** Jobs: one run. Services: one month at max replicas. Absent: no price in the stack's region. */
  cost?: Money;
  /** Services: replicas (min–max) the monthly range spans. */
  replicas?: { min: number; max: number };
  /** Services: one month at min replicas. */
  monthlyMin?: Money;
  price?: PriceUsed;
}

export type ChangeKind = "added" | "removed" | "changed";

export interface ReviewChange {
  change: ChangeKind;
  kind: "job" | "service";
  name: string;
  /** What differs, "field: before → after" (changed only). */
  details: string[];
  /** Cost after minus cost before (a removed item's is negative); absent when a side has no price. */
  costDelta?: Money;
}

export interface ReviewTotals {
  /** Per currency: the jobs' runs plus the services' months at max replicas. */
  monthly: Money[];
  /** Items whose cost is unknown (no price in the region): never counted as zero silently. */
  unpriced: string[];
}

export interface Review {
  stack: string;
  file: string;
  region: string;
  environment: string;
  items: ReviewItem[];
  totals: ReviewTotals;
  /** The plan's own problems (out of memory, refused inputs): any makes the review exit 1. */
  errors: string[];
  warnings: string[];
  /** Absent: the policy pack did not run. */
  policy?: PolicyOutcome;
  base?: {
    /** What the base is: `HEAD~1:stacks/Pulumi.staging.yaml` or a file path. */
    label: string;
    totals: ReviewTotals;
    changes: ReviewChange[];
    /** Head total minus base total, per currency present on either side. */
    totalDelta: Money[];
  };
  /** The model this stack serves by promotion (its history's entry in force), if any. */
  promotion?: ReviewPromotion;
  /** True when there are no plan errors and no mandatory policy violation. */
  ok: boolean;
}

/** What a promoted stack serves and the evidence it was promoted on (stacks/promotions/<stack>.jsonl). */
export interface ReviewPromotion {
  job: string;
  from: string;
  time: string;
  artifact: { stack: string; job: string; uri: string; runHash: string };
  /** The evaluation the gates were checked on. */
  metrics?: { dataset: { path: string; contentVersion: string }; values: Record<string, number> };
  gates: { metric: string; min?: number; max?: number; value?: number }[];
}

const HOURS_PER_MONTH = 730;
const round2 = (n: number) => Math.round(n * 100) / 100;

function jobItem(j: PlanReport["jobs"][number]): ReviewItem {
  return {
    kind: "job",
    name: j.name,
    method: j.method,
    model: j.model,
    placement: j.placement,
    gpus: { count: j.gpus.perNode * j.gpus.nodes, model: j.gpus.model },
    memory: { needGiB: j.perGpuGiB, usableGiB: j.usableGiB, availableGiB: j.availableGiB, fits: j.fits },
    hours: j.hours,
    ...(j.cost ? { cost: { amount: j.cost.amount, currency: j.cost.currency } } : {}),
    ...(j.price ? { price: j.price } : {}),
  };
}

function serviceItem(s: PlanReport["services"][number]): ReviewItem {
  return {
    kind: "service",
    name: s.name,
    method: "serve",
    model: s.model,
    placement: s.instance,
    gpus: { count: s.gpus.perReplica, model: s.gpus.model },
    memory: { needGiB: s.perGpuGiB, usableGiB: s.usableGiB, availableGiB: s.availableGiB, fits: s.fits },
    hours: HOURS_PER_MONTH * s.replicas.max,
    replicas: s.replicas,
    ...(s.monthlyCost
      ? {
          cost: { amount: s.monthlyCost.max, currency: s.monthlyCost.currency },
          monthlyMin: { amount: s.monthlyCost.min, currency: s.monthlyCost.currency },
        }
      : {}),
    ...(s.price ? { price: s.price } : {}),
  };
}

function totalsOf(items: readonly ReviewItem[]): ReviewTotals {
  const sums = new Map<string, number>();
  const unpriced: string[] = [];
  for (const i of items) {
    if (!i.cost) unpriced.push(`${i.kind} ${i.name}`);
    else sums.set(i.cost.currency, (sums.get(i.cost.currency) ?? 0) + i.cost.amount);
  }
  return {
    monthly: [...sums].map(([currency, amount]) => ({ amount: round2(amount), currency })),
    unpriced,
  };
}

/** The review items of one plan: jobs first, then services, in the stack file's order. */
export function reviewItems(plan: PlanResult): ReviewItem[] {
  return [...plan.report.jobs.map(jobItem), ...plan.report.services.map(serviceItem)];
}

function describeChange(before: ReviewItem, after: ReviewItem): string[] {
  const out: string[] = [];
  const cmp = (field: string, a: string | number, b: string | number) => {
    if (a !== b) out.push(`${field}: ${a} → ${b}`);
  };
  cmp("method", before.method, after.method);
  cmp("model", before.model, after.model);
  cmp("placement", before.placement, after.placement);
  cmp("GPUs", `${before.gpus.count} × ${before.gpus.model}`, `${after.gpus.count} × ${after.gpus.model}`);
  cmp("need per GPU (GiB)", before.memory.needGiB, after.memory.needGiB);
  cmp("usable per GPU (GiB)", before.memory.usableGiB, after.memory.usableGiB);
  if (before.replicas && after.replicas)
    cmp(
      "replicas",
      `${before.replicas.min}-${before.replicas.max}`,
      `${after.replicas.min}-${after.replicas.max}`,
    );
  cmp("hours", before.hours, after.hours);
  const money = (m?: Money) => (m ? `${m.amount} ${m.currency}` : "unknown");
  cmp("cost", money(before.cost), money(after.cost));
  return out;
}

function delta(after?: Money, before?: Money): Money | undefined {
  if (after && before && after.currency === before.currency)
    return { amount: round2(after.amount - before.amount), currency: after.currency };
  return undefined;
}

/** Added, removed and changed jobs and services (matched by kind and name), with the cost difference. */
export function diffItems(base: readonly ReviewItem[], head: readonly ReviewItem[]): ReviewChange[] {
  const key = (i: ReviewItem) => `${i.kind}\u0000${i.name}`;
  const before = new Map(base.map((i) => [key(i), i]));
  const after = new Map(head.map((i) => [key(i), i]));
  const changes: ReviewChange[] = [];
  for (const h of head) {
    const b = before.get(key(h));
    if (!b) {
      changes.push({
        change: "added",
        kind: h.kind,
        name: h.name,
        details: [],
        ...(h.cost ? { costDelta: h.cost } : {}),
      });
      continue;
    }
    const details = describeChange(b, h);
    if (details.length === 0) continue;
    const d = delta(h.cost, b.cost);
    changes.push({ change: "changed", kind: h.kind, name: h.name, details, ...(d ? { costDelta: d } : {}) });
  }
  for (const b of base) {
    if (after.has(key(b))) continue;
    changes.push({
      change: "removed",
      kind: b.kind,
      name: b.name,
      details: [],
      ...(b.cost ? { costDelta: { amount: -b.cost.amount, currency: b.cost.currency } } : {}),
    });
  }
  return changes;
}

function totalDelta(head: ReviewTotals, base: ReviewTotals): Money[] {
  const currencies = [...new Set([...head.monthly, ...base.monthly].map((m) => m.currency))];
  return currencies.map((currency) => {
    const h = head.monthly.find((m) => m.currency === currency)?.amount ?? 0;
    const b = base.monthly.find((m) => m.currency === currency)?.amount ?? 0;
    return { amount: round2(h - b), currency };
  });
}

/** The review of `head`, against `base` when given. */
export function buildReview(head: PlanResult, base?: { label: string; plan: PlanResult }): Review {
  const r = head.report;
  const items = reviewItems(head);
  const totals = totalsOf(items);
  const mandatory = head.policy?.mandatoryViolations ?? 0;
  const review: Review = {
    stack: r.stack,
    file: r.file,
    region: r.region,
    environment: r.environment,
    items,
    totals,
    errors: r.errors,
    warnings: r.warnings,
    ...(head.policy ? { policy: head.policy } : {}),
    ok: r.errors.length === 0 && mandatory === 0,
  };
  if (base) {
    const baseItems = reviewItems(base.plan);
    const baseTotals = totalsOf(baseItems);
    review.base = {
      label: base.label,
      totals: baseTotals,
      changes: diffItems(baseItems, items),
      totalDelta: totalDelta(totals, baseTotals),
    };
  }
  return review;
}
