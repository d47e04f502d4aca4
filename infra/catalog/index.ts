// Typed loader of the catalog data files. The YAML is read and validated once per process and cached;
// a stack can add or override entries with `loadCatalog({ models, instances })`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type z } from "zod";
import { loadDataYaml } from "../config/plain-yaml";
import { InstanceTypeSchema, CatalogModelSchema, type InstanceType, type CatalogModel } from "./schema";

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

/** Parses one YAML data file and validates `key` (a list) item by item with `schema`. */
export function parseCatalogFile<T>(file: string, text: string, key: string, schema: z.ZodType<T>): T[] {
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
    const id = (r.data as { id: string }).id;
    if (seen.has(id)) throw new CatalogError(`${file}: ${key}[${i}].id: duplicate id "${id}"`);
    seen.add(id);
    items.push(r.data);
  });
  return items;
}

let cached: { models: CatalogModel[]; instances: InstanceType[] } | undefined;

function loadFiles(): { models: CatalogModel[]; instances: InstanceType[] } {
  cached ??= {
    models: parseCatalogFile("models.yaml", readFileSync(MODELS_FILE, "utf8"), "models", CatalogModelSchema),
    instances: parseCatalogFile(
      "instances.yaml",
      readFileSync(INSTANCES_FILE, "utf8"),
      "instances",
      InstanceTypeSchema,
    ),
  };
  return cached;
}

/** Loads the catalog (cached); `extra` entries are validated too and override entries with the same id. */
export function loadCatalog(extra?: { models?: CatalogModel[]; instances?: InstanceType[] }): Catalog {
  const files = loadFiles();
  const models = new Map(files.models.map((m) => [m.id, m]));
  const instances = new Map(files.instances.map((t) => [t.id, t]));
  for (const [i, m] of (extra?.models ?? []).entries()) {
    models.set(validateExtra(CatalogModelSchema, m, `extra.models[${i}]`).id, m);
  }
  for (const [i, t] of (extra?.instances ?? []).entries()) {
    instances.set(validateExtra(InstanceTypeSchema, t, `extra.instances[${i}]`).id, t);
  }
  return {
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
