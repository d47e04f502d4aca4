// Which catalog instances get an official price, fetching those prices, and turning quotes into
// catalog `Price` blocks. No I/O besides the injected `fetch`; the CLI (infra/cli/prices.ts) prints and writes.
import { type InstanceType, type Price } from "../catalog";
import { type InstanceHourlyPrice } from "./ecs-price";

/** What happened to one instance during a refresh. */
export type RefreshOutcome =
  | {
      id: string;
      status: "updated";
      price: Price;
      previous?: Price;
      /** Which part of the quote the amount is (see ecs-price.ts). */
      component: InstanceHourlyPrice["component"];
    }
  | { id: string; status: "skipped"; reason: string }
  | { id: string; status: "failed"; error: string };

/** A bad `--only` list. */
export class SelectionError extends Error {
  override name = "SelectionError";
}

/** True for ids that ECS DescribePrice can quote: ECS instance types used by DLC or EAS. */
export function isEcsPriced(t: InstanceType): boolean {
  return t.id.startsWith("ecs.") && t.usage.some((u) => u === "dlc" || u === "eas");
}

/**
 * Splits the catalog into instances to fetch and instances skipped (with a reason line).
 * `current` is each instance's price in the region being refreshed (user-set ones are never touched).
 * `only` restricts to those ids (unknown ids are an error).
 */
export function selectForRefresh(
  instances: readonly InstanceType[],
  current: ReadonlyMap<string, Price>,
  only?: readonly string[],
): { targets: InstanceType[]; skipped: RefreshOutcome[] } {
  let chosen = [...instances];
  if (only && only.length > 0) {
    const known = new Set(instances.map((t) => t.id));
    const unknown = only.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new SelectionError(`--only: unknown instance type ${unknown.join(", ")}`);
    const wanted = new Set(only);
    chosen = chosen.filter((t) => wanted.has(t.id));
  }
  const targets: InstanceType[] = [];
  const skipped: RefreshOutcome[] = [];
  for (const t of chosen) {
    if (current.get(t.id)?.kind === "user") {
      skipped.push({
        id: t.id,
        status: "skipped",
        reason: `${t.id} has a user-set price (kind: user); left as is`,
      });
    } else if (!t.id.startsWith("ecs.")) {
      // PAI-only specs (ml.*, Lingjun): BSS GetPayAsYouGoPrice exists, but no product code or pricing
      // module for these specs could be confirmed, so no call is invented (see ecs-price.ts header).
      skipped.push({
        id: t.id,
        status: "skipped",
        reason: `no official price API known for ${t.id}; price left as is`,
      });
    } else if (!isEcsPriced(t)) {
      skipped.push({
        id: t.id,
        status: "skipped",
        reason: `${t.id} is not used by DLC or EAS; price left as is`,
      });
    } else {
      targets.push(t);
    }
  }
  return { targets, skipped };
}

/** The catalog price block for a quote; throws when the quote cannot be recorded as one. */
export function priceFromQuote(quote: InstanceHourlyPrice, date: string): Price {
  if (quote.currency !== "CNY" && quote.currency !== "USD") {
    throw new Error(`unsupported currency "${quote.currency}" (the catalog records CNY or USD)`);
  }
  const whole = quote.component === "total" ? " (whole quote incl. default system disk)" : "";
  return {
    amount: quote.amount,
    currency: quote.currency,
    per: "hour",
    kind: "official-list",
    date,
    source: `ECS DescribePrice ${quote.region} ${date}${whole}`,
    region: quote.region,
  };
}

/** Fetches a price for every target with at most `concurrency` requests in flight; never throws.
 *  `current`: each target's price in that region now (reported as `previous`). */
export async function fetchPrices(
  targets: readonly InstanceType[],
  current: ReadonlyMap<string, Price>,
  fetch: (instanceType: string) => Promise<InstanceHourlyPrice>,
  date: string,
  concurrency = 4,
): Promise<RefreshOutcome[]> {
  const results: RefreshOutcome[] = new Array<RefreshOutcome>(targets.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const i = next++;
      const t = targets[i]!;
      try {
        const quote = await fetch(t.id);
        const previous = current.get(t.id);
        results[i] = {
          id: t.id,
          status: "updated",
          price: priceFromQuote(quote, date),
          ...(previous ? { previous } : {}),
          component: quote.component,
        };
      } catch (e) {
        results[i] = { id: t.id, status: "failed", error: e instanceof Error ? e.message : String(e) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, targets.length)) }, worker));
  return results;
}
