// Route table types and path matching. Paths and methods per docs/sources.md#pai-1.1, docs/sources.md#pai-2.1, docs/sources.md#pai-3.1.
import { type Query } from "./validate";

export type Product = "dlc" | "paistudio" | "eas";

// x-acs-version per product (docs/sources.md#pai-0).
export const VERSIONS: Record<Product, string> = {
  dlc: "2020-12-03",
  paistudio: "2022-01-12",
  eas: "2021-07-01",
};

export function hostId(product: Product, region: string): string {
  const prefix = { dlc: "pai-dlc", paistudio: "pai", eas: "pai-eas" }[product];
  return `${prefix}.${region}.aliyuncs.com`;
}

export interface Ctx {
  params: Record<string, string>;
  query: Query;
  /** parsed JSON body; undefined for operations without a body */
  body: unknown;
  bodyBytes: number;
  requestId: string;
}

export interface Reply {
  status?: number;
  body: Record<string, unknown>;
}

export interface Route {
  product: Product;
  action: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** e.g. "/api/v1/jobs/{JobId}"; a trailing slash is significant */
  pattern: string;
  /** whether the operation takes a JSON body */
  jsonBody: boolean;
  handle(ctx: Ctx): Reply;
}

/**
 * A route maker for one product: `route("CreateJob", "POST", "/api/v1/jobs", true, createJob)`.
 * Handlers take the store first, so each product file stays a list of plain functions.
 */
export function routeMaker<S>(product: Product, store: S) {
  return (
    action: string,
    method: Route["method"],
    pattern: string,
    jsonBody: boolean,
    fn: (s: S, c: Ctx) => Reply,
  ): Route => ({
    product,
    action,
    method,
    pattern,
    jsonBody,
    handle: (ctx) => fn(store, ctx),
  });
}

/** Matches a raw path against a pattern; returns decoded path params or undefined. */
export function matchPath(pattern: string, rawPath: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = rawPath.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? "";
    const g = got[i] ?? "";
    if (w.startsWith("{") && w.endsWith("}")) {
      if (g === "") return undefined;
      try {
        params[w.slice(1, -1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}
