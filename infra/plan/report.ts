/**
 * The offline plan's report: every resource the program registers with its key inputs, and per job
 * and service the estimated GPU memory against what the chosen instance offers, and the cost.
 * Built from the same ResolvedStack the components were built from, so the figures are the ones the
 * program acted on.
 */
import { describeSavings, describeSuggestion } from "../resolve/savings";
import type { Price } from "../catalog";
import type { MemoryItem } from "../sizing";
import { SERVICE_HEADROOM } from "../resolve/services";
import type { ResolvedJob, ResolvedService, ResolvedStack } from "../resolve/types";
import { maskSecrets, type RegisteredResource } from "./mock-runtime";
import { formatTable } from "../text/table";
import type { PolicyOutcome } from "./policy-types";

const GiB = 2 ** 30;

export interface PlannedResource {
  type: string;
  name: string;
  kind: "resource" | "component";
  keyInputs: Record<string, unknown>;
  /**
   * Every input as the engine receives it (`pulumi preview --json` shows the same), secrets as
   * "[secret]"; a dynamic resource's serialized provider (`__provider`) as its size and SHA-256.
   * Only in `--json`: the table shows keyInputs.
   */
  inputs: Record<string, unknown>;
}

/** The hourly price an estimate used, and where it comes from. */
export interface PriceUsed {
  instance: string;
  amount: number;
  currency: string;
  kind: Price["kind"];
  /** The region the price is for. */
  region: string;
  source: string;
  date: string;
}

export interface PlannedJob {
  name: string;
  method: string;
  model: string;
  placement: string;
  gpus: { perNode: number; nodes: number; model: string };
  perGpuGiB: number;
  availableGiB: number;
  usableGiB: number;
  fits: boolean;
  breakdown: { name: string; GiB: number; note: string }[];
  hours: number;
  cost?: { amount: number; currency: string; priceKind: string };
  /** The training data the time and cost come from: measured from a local file, or stated for data in OSS. */
  data: PlannedData;
  /** What the right-sizer's memory savers turned on and saved, the advisory cheaper option, spot figures. */
  notes?: string[];
  /** The price behind `cost`; absent when the placement has no price in the stack's region. */
  price?: PriceUsed;
  warnings: string[];
}

export interface PlannedData {
  /** Local file (as the stack names it) or bucket path. */
  source: string;
  measured: boolean;
  examples: number;
  avgTokensPerExample: number;
  epochs: number;
  /** examples × avgTokensPerExample × epochs: the tokens the time estimate is computed from. */
  trainedTokens: number;
  /** Measured files only: content version, token statistics and the tokenizer that counted them. */
  version?: string;
  tokens?: { p50: number; p95: number; max: number; total: number };
  tokenizer?: string;
}

export interface PlannedEvaluation {
  name: string;
  /** The fine-tune job whose model it scores. */
  job: string;
  dataset: string;
  /** Content version of the evaluation set (first 16 hex digits), or "unknown". */
  datasetVersion: string;
  metrics: string[];
  placement: string;
  gpus: { perNode: number; nodes: number; model: string };
  perGpuGiB: number;
  usableGiB: number;
  fits: boolean;
  /** Upper bound: the evaluation's maxRunningHours. */
  maxHours: number;
  cost?: { amount: number; currency: string; priceKind: string };
}

export interface PlannedService {
  name: string;
  model: string;
  instance: string;
  replicas: { min: number; max: number };
  autoscaling?: string;
  /** GPUs of one replica (all of the instance's, tensor parallel). */
  gpus: { perReplica: number; model: string };
  perGpuGiB: number;
  availableGiB: number;
  /** What the estimate may use: the GPU's memory less the service headroom. */
  usableGiB: number;
  fits: boolean;
  monthlyCost?: { min: number; max: number; currency: string; priceKind: string };
  /** The price behind `monthlyCost`; absent when the instance has no price in the stack's region. */
  price?: PriceUsed;
  warnings: string[];
}

export interface PlanReport {
  stack: string;
  file: string;
  region: string;
  environment: string;
  resources: PlannedResource[];
  jobs: PlannedJob[];
  /** Evaluation jobs (one per job with `evaluation:`), with placement and cost bound. */
  evaluations: PlannedEvaluation[];
  services: PlannedService[];
  /** Problems that make the plan fail (a job or service that would run out of GPU memory). */
  errors: string[];
  warnings: string[];
  /** The policy pack's verdicts and exemptions (policies/config/<environment>.json). */
  policy?: PolicyOutcome;
  /** No error and no mandatory policy violation without an active exemption. */
  ok: boolean;
}

/** The inputs worth showing per resource type; others show their first few scalar inputs. */
const KEY_INPUTS: Record<string, string[]> = {
  "alicloud:pai/workspaceWorkspace:WorkspaceWorkspace": ["workspaceName", "envTypes"],
  "alicloud:oss/bucket:Bucket": ["bucket", "versioning", "serverSideEncryptionRule", "forceDestroy"],
  "alicloud:oss/bucketAcl:BucketAcl": ["bucket", "acl"],
  "alicloud:oss/bucketPublicAccessBlock:BucketPublicAccessBlock": ["bucket", "blockPublicAccess"],
  "alicloud:ram/role:Role": ["roleName"],
  "alicloud:oss/bucketObject:BucketObject": ["bucket", "key", "source"],
  "alicloud:ram/policy:Policy": ["policyName"],
  "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment": ["roleName", "policyName"],
  "alicloud:pai/service:Service": ["serviceConfig"],
  "pulumi-nodejs:dynamic/pai:GpuQuota": ["quotaName", "nodeSpec", "nodeCount"],
  "pulumi-nodejs:dynamic/pai:DlcJob": ["displayName", "ecsSpec", "resourceConfig", "podCount", "waitFor"],
  "pulumi-nodejs:dynamic/pai:EasAutoscaler": ["serviceName", "min", "max", "strategies"],
};

function keyInputs(r: RegisteredResource): Record<string, unknown> {
  if (!r.custom) return {};
  const keys =
    KEY_INPUTS[r.type] ??
    Object.keys(r.inputs)
      .filter((k) => typeof r.inputs[k] !== "object")
      .slice(0, 3);
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (r.inputs[k] === undefined) continue;
    out[k] = k === "serviceConfig" ? summariseServiceConfig(r.inputs[k]) : r.inputs[k];
  }
  return out;
}

function summariseServiceConfig(raw: unknown): unknown {
  try {
    const c = JSON.parse(String(raw)) as {
      metadata?: { instance?: number };
      cloud?: { computing?: { instance_type?: string } };
      networking?: { disable_internet_endpoint?: boolean };
    };
    return {
      instance_type: c.cloud?.computing?.instance_type,
      replicas: c.metadata?.instance,
      internet: c.networking?.disable_internet_endpoint === true ? "off" : "on",
    };
  } catch {
    return raw;
  }
}

function priceUsed(instance: string, p: Price | undefined, region: string): PriceUsed | undefined {
  if (!p) return undefined;
  return {
    instance,
    amount: p.amount,
    currency: p.currency,
    kind: p.kind,
    region: p.region ?? region,
    source: p.source,
    date: p.date,
  };
}

const gib = (bytes: number) => Math.round((bytes / GiB) * 100) / 100;
const breakdown = (items: MemoryItem[]) =>
  items.map((i) => ({ name: i.name, GiB: gib(i.bytes), note: i.note }));

function planJob(j: ResolvedJob, region: string): PlannedJob {
  const usable = j.gpuMemoryBytes * (1 - j.headroom);
  const cost = j.cost.cost;
  return {
    name: j.name,
    method: j.config.method,
    model: j.model.id,
    placement: `${j.placement.kind === "quota" ? "quota" : "pay-as-you-go"} ${j.placement.instance.id}${j.placement.rightSized ? " (right-sized)" : ""}`,
    gpus: {
      perNode: j.placement.gpusPerNode,
      nodes: j.placement.nodes,
      model: j.placement.instance.gpuModel,
    },
    perGpuGiB: gib(j.memory.perGpuBytes),
    availableGiB: gib(j.gpuMemoryBytes),
    usableGiB: gib(usable),
    fits: j.fits,
    breakdown: breakdown(j.memory.breakdown),
    hours: Math.round(j.cost.hours.value * 100) / 100,
    ...(cost && j.cost.currency
      ? {
          cost: {
            amount: Math.round(cost.value * 100) / 100,
            currency: j.cost.currency,
            priceKind: j.cost.priceKind ?? "unknown",
          },
        }
      : {}),
    data: planData(j),
    ...(jobNotes(j).length ? { notes: jobNotes(j) } : {}),
    ...(cost && j.cost.price ? { price: priceUsed(j.placement.instance.id, j.cost.price, region) } : {}),
    warnings: j.cost.warnings,
  };
}

function planData(j: ResolvedJob): PlannedData {
  const w = j.sizing.workload;
  const d = j.dataset;
  return {
    source: d ? d.file : j.paths.dataset,
    measured: d !== undefined,
    examples: w.examples,
    avgTokensPerExample: Math.round(w.avgTokensPerExample * 10) / 10,
    epochs: w.epochs,
    trainedTokens: Math.round(w.examples * w.avgTokensPerExample * w.epochs),
    ...(d
      ? {
          version: d.version,
          tokens: { p50: d.tokens.p50, p95: d.tokens.p95, max: d.tokens.max, total: d.tokens.total },
          tokenizer: `${d.tokenizer.package} (${d.tokenizer.closeness})`,
        }
      : {}),
  };
}

function planEvaluation(j: ResolvedJob): PlannedEvaluation[] {
  const e = j.evaluation;
  if (!e) return [];
  const cost = e.cost.cost;
  return [
    {
      name: e.name,
      job: j.name,
      dataset: e.dataset.path,
      datasetVersion: e.dataset.version?.slice(0, 16) ?? "unknown",
      metrics: e.metrics,
      placement: `${e.placement.kind === "quota" ? "quota" : "pay-as-you-go"} ${e.placement.instance.id}${e.placement.rightSized ? " (right-sized)" : ""}`,
      gpus: {
        perNode: e.placement.gpusPerNode,
        nodes: e.placement.nodes,
        model: e.placement.instance.gpuModel,
      },
      perGpuGiB: gib(e.memory.perGpuBytes),
      usableGiB: gib(e.gpuMemoryBytes * (1 - e.headroom)),
      fits: e.fits,
      maxHours: e.cost.hours.value,
      ...(cost && e.cost.currency
        ? {
            cost: {
              amount: Math.round(cost.value * 100) / 100,
              currency: e.cost.currency,
              priceKind: e.cost.priceKind ?? "unknown",
            },
          }
        : {}),
    },
  ];
}

function planService(s: ResolvedService, region: string): PlannedService {
  const c = s.cost;
  return {
    name: s.name,
    model: s.fromJob ? `${s.model.id} + job ${s.fromJob.name}` : s.model.id,
    instance: `${s.instance.id}${s.rightSized ? " (right-sized)" : ""}`,
    replicas: s.replicas,
    ...(s.autoscaling
      ? { autoscaling: `${s.autoscaling.metricName} target ${s.autoscaling.threshold}` }
      : {}),
    gpus: { perReplica: s.instance.gpuCount, model: s.instance.gpuModel },
    perGpuGiB: gib(s.memory.perGpuBytes),
    availableGiB: gib(s.gpuMemoryBytes),
    usableGiB: gib(s.gpuMemoryBytes * (1 - SERVICE_HEADROOM)),
    fits: s.fits,
    ...(c.monthlyMin && c.monthlyMax && c.currency
      ? {
          monthlyCost: {
            min: Math.round(c.monthlyMin.value),
            max: Math.round(c.monthlyMax.value),
            currency: c.currency,
            priceKind: c.priceKind ?? "unknown",
          },
        }
      : {}),
    ...(c.monthlyMax && c.price ? { price: priceUsed(s.instance.id, c.price, region) } : {}),
    warnings: c.warnings,
  };
}

/** `checkFailures`: what the dynamic providers' check refused (provider-checks.ts). */
export function buildReport(
  resolved: ResolvedStack,
  resources: RegisteredResource[],
  checkFailures: readonly string[] = [],
  policy?: PolicyOutcome,
): PlanReport {
  const jobs = resolved.jobs.map((j) => planJob(j, resolved.region));
  const services = resolved.services.map((s) => planService(s, resolved.region));
  const evaluations = resolved.jobs.flatMap(planEvaluation);
  const errors: string[] = [...checkFailures];
  for (const e of evaluations) {
    if (!e.fits)
      errors.push(
        `evaluation ${e.name} needs ${e.perGpuGiB} GiB per GPU, but ${e.placement} offers ${e.usableGiB} GiB usable: it would run out of memory`,
      );
  }
  for (const j of jobs) {
    if (!j.fits)
      errors.push(
        `job ${j.name} needs ${j.perGpuGiB} GiB per GPU, but ${j.placement} offers ${j.usableGiB} GiB usable (${j.availableGiB} GiB less headroom): it would run out of memory`,
      );
  }
  for (const s of services) {
    if (!s.fits)
      errors.push(
        `service ${s.name} needs ${s.perGpuGiB} GiB per GPU, but ${s.instance} offers ${s.availableGiB} GiB: it would run out of memory`,
      );
  }
  const warnings = [
    ...new Set([
      ...jobs.flatMap((j) => j.warnings),
      ...resolved.jobs.flatMap((j) => [
        ...(j.evaluation?.warnings ?? []),
        ...(j.evaluation?.cost.warnings ?? []),
      ]),
      ...services.flatMap((s) => s.warnings),
    ]),
  ];
  return {
    stack: resolved.stack,
    file: resolved.file,
    region: resolved.region,
    environment: resolved.environment,
    resources: resources.map((r) => ({
      type: r.type,
      name: r.name,
      kind: r.custom ? "resource" : "component",
      keyInputs: keyInputs(r),
      inputs: {
        ...(maskSecrets(r.inputs) as Record<string, unknown>),
        ...(r.provider ? { __provider: r.provider } : {}),
      },
    })),
    jobs,
    evaluations,
    services,
    errors,
    warnings,
    ...(policy ? { policy } : {}),
    ok: errors.length === 0 && (policy?.mandatoryViolations ?? 0) === 0,
  };
}

function table(rows: string[][]): string {
  return formatTable(rows, "  ").join("\n");
}

function compact(value: unknown): string {
  const s = typeof value === "string" ? value : JSON.stringify(value);
  return s.length > 90 ? `${s.slice(0, 87)}...` : s;
}

const money = (amount: number, currency: string, kind: string) =>
  `${amount.toLocaleString("en-US")} ${currency}${kind === "official-list" || kind === "user" ? "" : ` (${kind})`}`;

export function renderReport(r: PlanReport): string {
  const out: string[] = [];
  out.push(
    `Offline plan of stack "${r.stack}" (${r.file}): region ${r.region}, environment ${r.environment}`,
  );
  out.push("The Pulumi program ran under the SDK's mock runtime: no cloud, no credentials, nothing created.");
  out.push("");
  const custom = r.resources.filter((x) => x.kind === "resource");
  out.push(`Resources: ${custom.length} to create (+ ${r.resources.length - custom.length} components)`);
  out.push(
    table([
      ["TYPE", "NAME", "KEY INPUTS"],
      ...r.resources.map((x) => [
        x.kind === "component" ? `${x.type} (component)` : x.type,
        x.name,
        Object.entries(x.keyInputs)
          .map(([k, v]) => `${k}=${compact(v)}`)
          .join(" "),
      ]),
    ]),
  );
  out.push("");
  if (r.jobs.length > 0) {
    out.push("Fine-tune jobs: estimated peak GPU memory per GPU vs what the placement offers");
    out.push(
      table([
        ["JOB", "METHOD", "MODEL", "PLACEMENT", "GPUS", "NEED/GPU", "USABLE/GPU", "FIT", "TIME", "COST"],
        ...r.jobs.map((j) => [
          j.name,
          j.method,
          j.model,
          j.placement,
          `${j.gpus.nodes}×${j.gpus.perNode} ${j.gpus.model}`,
          `${j.perGpuGiB} GiB`,
          `${j.usableGiB} GiB`,
          j.fits ? "yes" : "NO",
          `${j.hours} h`,
          j.cost ? money(j.cost.amount, j.cost.currency, j.cost.priceKind) : "no price",
        ]),
      ]),
    );
    for (const j of r.jobs) {
      out.push(`  ${j.name}: ${j.breakdown.map((b) => `${b.name} ${b.GiB}`).join(" + ")} GiB`);
      for (const n of j.notes ?? []) out.push(`    ${n}`);
    }
    out.push("");
    out.push("Training data: the tokens each job's time and cost are computed from");
    const n = (x: number) => x.toLocaleString("en-US");
    for (const j of r.jobs) {
      const d = j.data;
      const size = `${n(d.examples)} examples × ${d.avgTokensPerExample} tokens × ${d.epochs} epochs = ${n(d.trainedTokens)} tokens → ${j.hours} h${j.cost ? `, ${money(j.cost.amount, j.cost.currency, j.cost.priceKind)}` : ""}`;
      out.push(
        d.measured
          ? `  ${j.name}: ${d.source} (version ${d.version!.slice(0, 12)}), measured: ${n(d.tokens!.total)} tokens in the file (per example p50 ${d.tokens!.p50}, p95 ${d.tokens!.p95}, max ${d.tokens!.max}) by ${d.tokenizer}; ${size}`
          : `  ${j.name}: ${d.source} in the datasets bucket, size as stated in the stack (not measured); ${size}`,
      );
    }
    out.push("");
  }
  if (r.evaluations.length > 0) {
    out.push(
      "Evaluation jobs: generation on the evaluation set after the fine-tune job, then scoring (cost: at most)",
    );
    out.push(
      table([
        [
          "EVALUATION",
          "JOB",
          "DATASET",
          "VERSION",
          "PLACEMENT",
          "GPUS",
          "NEED/GPU",
          "USABLE/GPU",
          "FIT",
          "MAX TIME",
          "MAX COST",
        ],
        ...r.evaluations.map((e) => [
          e.name,
          e.job,
          e.dataset,
          e.datasetVersion,
          e.placement,
          `${e.gpus.nodes}×${e.gpus.perNode} ${e.gpus.model}`,
          `${e.perGpuGiB} GiB`,
          `${e.usableGiB} GiB`,
          e.fits ? "yes" : "NO",
          `${e.maxHours} h`,
          e.cost ? money(e.cost.amount, e.cost.currency, e.cost.priceKind) : "no price",
        ]),
      ]),
    );
    for (const e of r.evaluations) out.push(`  ${e.name}: ${e.metrics.join(", ")}`);
    out.push("");
  }
  if (r.services.length > 0) {
    out.push("Inference services");
    out.push(
      table([
        ["SERVICE", "MODEL", "INSTANCE", "REPLICAS", "AUTOSCALING", "NEED/GPU", "GPU", "FIT", "MONTHLY"],
        ...r.services.map((s) => [
          s.name,
          s.model,
          s.instance,
          s.replicas.min === s.replicas.max ? `${s.replicas.min}` : `${s.replicas.min}-${s.replicas.max}`,
          s.autoscaling ?? "-",
          `${s.perGpuGiB} GiB`,
          `${s.availableGiB} GiB`,
          s.fits ? "yes" : "NO",
          s.monthlyCost
            ? `${money(s.monthlyCost.min, s.monthlyCost.currency, s.monthlyCost.priceKind)} - ${s.monthlyCost.max.toLocaleString("en-US")}`
            : "no price",
        ]),
      ]),
    );
    out.push("");
  }
  const priced = [
    ...r.jobs.map((j) => ({ what: `job ${j.name}`, instance: j.placement, price: j.price })),
    ...r.services.map((s) => ({ what: `service ${s.name}`, instance: s.instance, price: s.price })),
  ];
  if (priced.length > 0) {
    out.push(`Prices used (region ${r.region})`);
    out.push(
      table([
        ["FOR", "INSTANCE", "PRICE", "KIND", "REGION", "DATE", "SOURCE"],
        ...priced.map(({ what, instance, price: p }) =>
          p
            ? [what, p.instance, `${p.amount} ${p.currency}/h`, p.kind, p.region, p.date, compact(p.source)]
            : [what, instance, `no price in ${r.region}`, "-", "-", "-", "cost unknown, not treated as free"],
        ),
      ]),
    );
    out.push("");
  }
  if (r.warnings.length > 0) out.push("Warnings:", ...r.warnings.map((w) => `  - ${w}`), "");
  if (r.policy) out.push(...renderPolicy(r.policy, r.environment), "");
  const violations = r.policy?.mandatoryViolations ?? 0;
  if (r.errors.length > 0 || violations > 0) {
    out.push("Plan FAILED:", ...r.errors.map((e) => `  - ${e}`));
    if (violations > 0) {
      const ids = [
        ...new Set(
          r
            .policy!.verdicts.filter((v) => v.enforcementLevel === "mandatory" && !v.exemption)
            .map((v) => v.policyId),
        ),
      ];
      out.push(`  - ${violations} mandatory policy violation(s): ${ids.join(", ")}`);
    }
  } else out.push("Plan OK: every job and service fits its GPUs, and no mandatory policy is violated.");
  return out.join("\n");
}

/** The job's saver, suggestion and spot lines (resolve/savings.ts, resolve/spot.ts). */
function jobNotes(j: ResolvedJob): string[] {
  const out: string[] = [];
  const saved = j.savings && describeSavings(j.savings);
  if (saved) out.push(saved);
  for (const s of j.suggestions ?? []) out.push(describeSuggestion(s));
  if (j.spot) {
    const e = j.spot.estimate;
    const cost =
      e.costLow !== undefined && e.costHigh !== undefined
        ? `cost ${e.costLow.toFixed(2)}-${e.costHigh.toFixed(2)} ${e.currency ?? ""}, `
        : "";
    out.push(
      `spot: ${cost}${e.expectedRestarts.toFixed(2)} restarts expected (≤ ${e.restartsP95} at p95), +${e.extraHoursExpected.toFixed(2)} h expected (+${e.extraHoursP95.toFixed(2)} h p95); ${e.model}`,
    );
  }
  return out;
}

function renderPolicy(p: PolicyOutcome, environment: string): string[] {
  const out = [
    `Policies (policies/config/${environment}.json): ${p.verdicts.length} verdict(s), ${p.mandatoryViolations} mandatory violation(s)`,
  ];
  const order = { mandatory: 0, advisory: 1, disabled: 2 } as const;
  const sorted = [...p.verdicts].sort((a, b) => order[a.enforcementLevel] - order[b.enforcementLevel]);
  for (const v of sorted) {
    const level = v.exemption ? `exempted ${v.enforcementLevel}` : v.enforcementLevel.toUpperCase();
    out.push(`  [${level}] ${v.policyId} ${v.resourceName ?? "(stack)"}: ${v.message}`);
    if (v.exemption) out.push(`      exemption until ${v.exemption.expires}: ${v.exemption.reason}`);
  }
  if (p.verdicts.length === 0) out.push("  no policy reports anything");
  if (p.exemptions.length > 0) {
    out.push("Exemptions (pai-finetune:exemptions):");
    for (const e of p.exemptions) {
      const what =
        e.status === "expired"
          ? `EXPIRED on ${e.expires}, no longer applies`
          : e.status === "unused"
            ? `until ${e.expires}, waived nothing`
            : `until ${e.expires}, active`;
      out.push(`  - ${e.policyId} on ${e.resource}: ${what} (${e.reason})`);
    }
  }
  return out;
}
