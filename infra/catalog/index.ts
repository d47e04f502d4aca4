// Typed loader of the catalog data files. The YAML is read and validated once per process and cached;
// a stack can add or override entries with `loadCatalog({ models, instances })`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type z } from "zod";
import { loadDataYaml } from "../config/plain-yaml";
import {
  InstanceTypeSchema,
  CatalogModelSchema,
  RegionalPriceSchema,
  type CatalogModel,
  type InstanceType,
  type Price,
  type RegionalPrice,
} from "./schema";

export * from "./schema";
export { contextLengthProblem } from "./context-length";
export {
  parameterCount,
  activeParameterCount,
  headDim,
  layerParams,
  embeddingParams,
  attentionParams,
  mlpParamsPerExpert,
} from "./parameters";

/** The loaded catalog: models and instance types by id. */
export interface Catalog {
  /** The region whose prices the instances carry. */
  region: string;
  models: ReadonlyMap<string, CatalogModel>;
  instances: ReadonlyMap<string, InstanceType>;
  /** The model with this id; throws an error listing close ids when unknown. */
  model(id: string): CatalogModel;
  /** The instance type with this id; throws an error listing close ids when unknown. */
  instance(id: string): InstanceType;
}

/** A data file that does not match its schema: names the file, the key path and what was expected. */
export class CatalogError extends Error {
  override name = "CatalogError";
}

const MODELS_FILE = join(__dirname, "models.yaml");
const INSTANCES_FILE = join(__dirname, "instances.yaml");
export const PRICES_FILE = join(__dirname, "prices.yaml");

/** The region whose prices a catalog loaded without one carries (tools with no stack, e.g. `size`). */
export const DEFAULT_PRICE_REGION = "cn-hangzhou";

/** Parses one YAML data file and validates `key` (a list) item by item with `schema`; `keyOf` names
 *  what must be unique (default: the item's id). */
export function parseCatalogFile<T>(
  file: string,
  text: string,
  key: string,
  schema: z.ZodType<T>,
  keyOf: (item: T) => string = (item) => (item as { id: string }).id,
): T[] {
  let doc: unknown;
  try {
    // Merge keys (`<<: *anchor`) let the data files share one architecture between variants.
    doc = loadDataYaml(text);
  } catch (e) {
    throw new CatalogError(`${file}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  const list = (doc as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(list)) throw new CatalogError(`${file}: ${key}: expected a list`);
  const items: T[] = [];
  const seen = new Set<string>();
  list.forEach((raw, i) => {
    const r = schema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      const path = [`${key}[${i}]`, ...(issue?.path ?? []).map(String)].join(".");
      throw new CatalogError(`${file}: ${path}: ${issue?.message ?? "invalid"}`);
    }
    const id = keyOf(r.data);
    if (seen.has(id)) throw new CatalogError(`${file}: ${key}[${i}]: duplicate entry "${id}"`);
    seen.add(id);
    items.push(r.data);
  });
  return items;
}

/** The key of one regional price: instance type and region. */
export const priceKey = (instance: string, region: string): string => `${instance}@${region}`;

/** Parses and validates prices.yaml (one entry per instance and region). */
export function parsePricesFile(file: string, text: string): RegionalPrice[] {
  return parseCatalogFile(file, text, "prices", RegionalPriceSchema, (p) => priceKey(p.instance, p.region));
}

interface CatalogFiles {
  models: CatalogModel[];
  instances: InstanceType[];
  prices: RegionalPrice[];
}

let cached: CatalogFiles | undefined;

function loadFiles(): CatalogFiles {
  if (cached) return cached;
  const models = parseCatalogFile(
    "models.yaml",
    readFileSync(MODELS_FILE, "utf8"),
    "models",
    CatalogModelSchema,
  );
  const instances = parseCatalogFile(
    "instances.yaml",
    readFileSync(INSTANCES_FILE, "utf8"),
    "instances",
    InstanceTypeSchema,
  );
  const prices = parsePricesFile("prices.yaml", readFileSync(PRICES_FILE, "utf8"));
  const ids = new Set(instances.map((t) => t.id));
  prices.forEach((p, i) => {
    if (!ids.has(p.instance))
      throw new CatalogError(`prices.yaml: prices[${i}].instance: unknown instance type "${p.instance}"`);
  });
  cached = { models, instances, prices };
  return cached;
}

/** Every shipped regional price (prices.yaml), in file order. */
export function regionalPrices(): readonly RegionalPrice[] {
  return loadFiles().prices;
}

/** The shipped price of an instance type in a region, or undefined: never another region's price. */
export function priceIn(instance: string, region: string): Price | undefined {
  const hit = loadFiles().prices.find((p) => p.instance === instance && p.region === region);
  if (!hit) return undefined;
  const { instance: _instance, ...price } = hit;
  return price;
}

/**
 * Loads the catalog (files cached) for one region: every instance carries that region's price from
 * prices.yaml, or none. `extra` entries (a stack's own) are validated too and override entries with
 * the same id; an extra instance keeps its own price (stamped with the region) or gets the region's.
 */
export function loadCatalog(extra?: {
  models?: CatalogModel[];
  instances?: InstanceType[];
  /** Default DEFAULT_PRICE_REGION. */
  region?: string;
}): Catalog {
  const files = loadFiles();
  const region = extra?.region ?? DEFAULT_PRICE_REGION;
  const regional = new Map<string, Price>();
  for (const { instance, ...price } of files.prices) {
    if (price.region === region) regional.set(instance, price);
  }
  const withPrice = (t: InstanceType): InstanceType => {
    const price = t.price ? { ...t.price, region: t.price.region ?? region } : regional.get(t.id);
    const { price: _drop, ...rest } = t;
    return price ? { ...rest, price } : rest;
  };
  const models = new Map(files.models.map((m) => [m.id, m]));
  const instances = new Map(files.instances.map((t) => [t.id, withPrice(t)]));
  for (const [i, m] of (extra?.models ?? []).entries()) {
    models.set(validateExtra(CatalogModelSchema, m, `extra.models[${i}]`).id, m);
  }
  for (const [i, t] of (extra?.instances ?? []).entries()) {
    validateExtra(InstanceTypeSchema, t, `extra.instances[${i}]`);
    if (t.price?.region !== undefined && t.price.region !== region)
      throw new CatalogError(
        `instances[${i}].price.region: "${t.price.region}" is not this catalog's region "${region}" (prices are per region)`,
      );
    instances.set(t.id, withPrice(t));
  }
  return {
    region,
    models,
    instances,
    model: (id) => lookup(models, id, "model"),
    instance: (id) => lookup(instances, id, "instance type"),
  };
}

function validateExtra<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new CatalogError(`${[where, ...(issue?.path ?? []).map(String)].join(".")}: ${issue?.message}`);
}

function lookup<T>(map: ReadonlyMap<string, T>, id: string, what: string): T {
  const found = map.get(id);
  if (found) return found;
  const close = closeIds([...map.keys()], id);
  const hint = close.length ? `; did you mean ${close.join(", ")}?` : "";
  throw new CatalogError(`unknown ${what} "${id}"${hint}`);
}

/** Up to five known ids closest to `id` (substring matches first, then edit distance). */
export function closeIds(ids: string[], id: string): string[] {
  const q = id.toLowerCase();
  return ids
    .map((k) => ({ k, d: k.includes(q) || q.includes(k) ? 0 : editDistance(k, q) }))
    .filter((x) => x.d <= Math.max(3, Math.floor(q.length / 3)))
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .slice(0, 5)
    .map((x) => x.k);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, sub));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
