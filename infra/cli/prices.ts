// `npm run --silent prices [-- --json] [--catalog <file>]`
//   Lists every instance type with its hourly price and provenance (kind, date, source);
//   warns about missing and unverified prices.
// `npm run prices -- --refresh [--region <r>] [--only <id,...>] [--dry-run] [--allow-partial] [--catalog <file>]`
//   Fetches current pay-as-you-go list prices from ECS DescribePrice (infra/pricing) for the ECS
//   instance types used by DLC/EAS and rewrites only their `price:` blocks (kind: official-list, today's
//   date, source "ECS DescribePrice <region> <date>"). `kind: user` prices are never overwritten; PAI-only
//   specs (ml.*) are skipped: no official price API for them is known.
//   Region: --region, else env ALIBABA_CLOUD_REGION_ID, else cn-hangzhou. Endpoint: env ECS_ENDPOINT.
//   Credentials: the Alibaba Cloud default chain; none found → exit 2, nothing written.
//   Some fetches fail → each failure is reported; nothing is written and the exit code is 1, unless
//   --allow-partial, which writes the successful ones (exit 0; exit 1 when none succeeded).
//   The file is replaced atomically (temporary file + rename).
// Exit codes: 0 ok, 1 fetch failures, 2 bad input or no credentials.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CatalogError, type InstanceType, type Price } from "../catalog";
import { type CredentialSource, defaultCredentialSource } from "../pai/credentials";
import { parseEndpoint } from "../pai/endpoints";
import {
  CatalogEditError,
  ECS_ENDPOINT_ENV,
  EcsPriceClient,
  fetchPrices,
  isRegionId,
  readInstances,
  selectForRefresh,
  SelectionError,
  setPrices,
  writeFileAtomic,
  type RefreshOutcome,
} from "../pricing";
import { formatTable } from "../text/table";
import { type OptionValues, parseOptions, UsageError } from "./args";

export const DEFAULT_CATALOG = join(__dirname, "..", "catalog", "instances.yaml");
const DEFAULT_REGION = "cn-hangzhou";

const FLAGS = {
  json: { type: "boolean" },
  catalog: { type: "string" },
  refresh: { type: "boolean" },
  region: { type: "string" },
  only: { type: "string" },
  "dry-run": { type: "boolean" },
  "allow-partial": { type: "boolean" },
} as const;

/** Where output goes, and what the process sees (tests inject these). */
export interface PricesIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** Today's ISO date (YYYY-MM-DD). */
  today: () => string;
  /** Credential source for the refresh. Default: the Alibaba Cloud default chain. */
  credentials?: CredentialSource;
}

const NO_CREDENTIALS =
  "prices: no Alibaba Cloud credentials found; provide them with env ALIBABA_CLOUD_ACCESS_KEY_ID and " +
  "ALIBABA_CLOUD_ACCESS_KEY_SECRET, a profile (~/.alibabacloud/credentials or `aliyun configure`, " +
  "choose one with ALIBABA_CLOUD_PROFILE), or an ECS RAM role (ALIBABA_CLOUD_ECS_METADATA); nothing was written";

/** One row of the listing (also the --json shape). */
export interface PriceRow {
  id: string;
  usage: InstanceType["usage"];
  price: Price | null;
  warnings: string[];
}

export function priceRows(instances: readonly InstanceType[]): PriceRow[] {
  return instances.map((t) => {
    const warnings: string[] = [];
    if (!t.price) warnings.push("no price: estimates show no cost for this type");
    else if (t.price.kind === "unverified") warnings.push("unverified third-party price");
    else if (t.price.kind === "official-upper-bound")
      warnings.push("an official upper bound, not a list price");
    return { id: t.id, usage: t.usage, price: t.price ?? null, warnings };
  });
}

function fmtPrice(p: Price | undefined | null): string {
  return p ? `${p.amount} ${p.currency}/h` : "-";
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

function printTable(rows: PriceRow[], out: (s: string) => void): void {
  const header = ["instance", "usage", "price", "kind", "date", "source"];
  const body = rows.map((r) => [
    r.id,
    r.usage.join(","),
    fmtPrice(r.price),
    r.price?.kind ?? "missing",
    r.price?.date ?? "-",
    clip(r.price?.source ?? "-", 80),
  ]);
  for (const line of formatTable([header, ...body])) out(line);
  const missing = rows.filter((r) => !r.price).length;
  const unverified = rows.filter((r) => r.price?.kind === "unverified").length;
  if (missing > 0) out(`warning: ${missing} of ${rows.length} instance types have no price`);
  if (unverified > 0) out(`warning: ${unverified} prices are unverified third-party claims`);
}

/** Resolves the credential once; returns a reason when none is usable. */
async function credentialProblem(source: CredentialSource): Promise<string | undefined> {
  try {
    const c = await source.getCredential();
    if (c.type === "bearer" ? !c.bearerToken : !c.accessKeyId || !c.accessKeySecret)
      return "empty credential";
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function describeOutcome(o: RefreshOutcome): string {
  switch (o.status) {
    case "updated": {
      const was = o.previous ? ` (was ${fmtPrice(o.previous)}, ${o.previous.kind})` : " (was missing)";
      const whole = o.component === "total" ? " [whole quote: no instance line in DetailInfos]" : "";
      return `updated  ${o.id}: ${fmtPrice(o.price)} official-list${was}${whole}`;
    }
    case "skipped":
      return `skipped  ${o.reason}`;
    case "failed":
      return `failed   ${o.id}: ${o.error}`;
  }
}

async function refresh(
  flags: OptionValues<typeof FLAGS>,
  file: string,
  text: string,
  instances: InstanceType[],
  io: PricesIo,
): Promise<number> {
  const region = flags.region ?? (io.env.ALIBABA_CLOUD_REGION_ID?.trim() || DEFAULT_REGION);
  if (!isRegionId(region)) throw new UsageError(`invalid region "${region}" (expected e.g. cn-hangzhou)`);
  const endpoint = io.env[ECS_ENDPOINT_ENV]?.trim() || undefined;
  if (endpoint !== undefined) {
    try {
      parseEndpoint(endpoint);
    } catch (e) {
      throw new UsageError(`${ECS_ENDPOINT_ENV}: ${(e as Error).message}`);
    }
  }
  const only = flags.only
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (flags.only !== undefined && (!only || only.length === 0)) throw new UsageError("--only needs ids");
  const { targets, skipped } = selectForRefresh(instances, only);

  let fetched: RefreshOutcome[] = [];
  if (targets.length > 0) {
    const credentials = io.credentials ?? defaultCredentialSource();
    const problem = await credentialProblem(credentials);
    if (problem !== undefined) {
      io.err(NO_CREDENTIALS);
      return 2;
    }
    const client = new EcsPriceClient({ region, credentials, endpoint });
    fetched = await fetchPrices(targets, (id) => client.instanceHourlyPrice(id), io.today());
  }

  // Report in catalog order.
  const byId = new Map([...skipped, ...fetched].map((o) => [o.id, o]));
  const outcomes = instances.map((t) => byId.get(t.id)).filter((o): o is RefreshOutcome => o !== undefined);
  for (const o of outcomes) (o.status === "failed" ? io.err : io.out)(describeOutcome(o));

  const updated = outcomes.filter((o) => o.status === "updated");
  const failed = outcomes.filter((o) => o.status === "failed");
  if (failed.length > 0 && !flags["allow-partial"]) {
    io.err(
      `prices: ${failed.length} of ${targets.length} fetches failed; nothing was written` +
        (updated.length > 0 ? ` (--allow-partial writes the ${updated.length} that succeeded)` : ""),
    );
    return 1;
  }
  if (updated.length === 0) {
    if (failed.length > 0) {
      io.err(`prices: all ${failed.length} fetches failed; nothing was written`);
      return 1;
    }
    io.out("prices: nothing to refresh; nothing was written");
    return 0;
  }
  const newText = setPrices(file, text, new Map(updated.map((o) => [o.id, o.price])));
  if (flags["dry-run"]) {
    io.out(
      `prices: dry run: would write ${updated.length} prices (${region}) to ${file}; nothing was written`,
    );
    return 0;
  }
  writeFileAtomic(file, newText);
  io.out(`prices: wrote ${updated.length} prices (${region}) to ${file}`);
  if (failed.length > 0)
    io.err(`prices: warning: ${failed.length} fetches failed; their prices were left as is`);
  return 0;
}

/** CLI entry: resolves to the exit code. */
export async function main(argv: readonly string[], io: PricesIo): Promise<number> {
  try {
    const flags = parseOptions(argv, FLAGS);
    if (flags.refresh && flags.json) throw new UsageError("--json applies to the listing, not to --refresh");
    if (!flags.refresh) {
      for (const f of ["region", "only", "dry-run", "allow-partial"] as const) {
        if (flags[f] !== undefined) throw new UsageError(`--${f} only applies with --refresh`);
      }
    }
    const file = resolve(flags.catalog ?? DEFAULT_CATALOG);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new UsageError(`cannot read catalog ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    const instances = readInstances(file, text);
    if (flags.refresh) return await refresh(flags, file, text, instances, io);
    const rows = priceRows(instances);
    if (flags.json) io.out(JSON.stringify(rows, null, 2));
    else printTable(rows, io.out);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof SelectionError || e instanceof CatalogError) {
      io.err(`prices: ${e.message}`);
      return 2;
    }
    if (e instanceof CatalogEditError) {
      io.err(`prices: ${e.message}; nothing was written`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), {
    out: (s) => console.log(s),
    err: (s) => console.error(s),
    env: process.env,
    today: () => new Date().toISOString().slice(0, 10),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(`prices: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
