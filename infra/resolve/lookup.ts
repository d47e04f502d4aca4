/** Catalog lookups that report a readable problem (with close ids) instead of throwing. */
import type { Catalog, InstanceType, CatalogModel } from "../catalog";
import { editDistance } from "../config/load";

export function catalogLookup(
  catalog: Catalog,
  kind: "model",
  id: string,
  report: (m: string) => void,
): CatalogModel | undefined;
export function catalogLookup(
  catalog: Catalog,
  kind: "instance",
  id: string,
  report: (m: string) => void,
): InstanceType | undefined;
export function catalogLookup(
  catalog: Catalog,
  kind: "model" | "instance",
  id: string,
  report: (m: string) => void,
): CatalogModel | InstanceType | undefined {
  const map: ReadonlyMap<string, CatalogModel | InstanceType> =
    kind === "model" ? catalog.models : catalog.instances;
  const found = map.get(id);
  if (found) return found;
  const close = [...map.keys()]
    .map((k) => [k, editDistance(id.toLowerCase(), k.toLowerCase())] as const)
    .sort((a, b) => a[1] - b[1])
    .slice(0, 3)
    .map(([k]) => k);
  report(
    `unknown ${kind === "model" ? "base model" : "instance type"} ${JSON.stringify(id)}; expected a catalog id such as ${close.join(", ")} (or add it under pai-finetune:catalog.${kind === "model" ? "models" : "instances"})`,
  );
  return undefined;
}

/** A bucket prefix always ends in "/", so mounts and URIs name a directory. */
export function withSlash(p: string): string {
  return p.endsWith("/") ? p : `${p}/`;
}
