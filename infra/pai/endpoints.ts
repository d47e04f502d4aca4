// Region → endpoint per PAI product, with per-product overrides (how tests reach the emulator).
// Endpoint patterns: docs/sources.md#pai-1 (DLC), docs/sources.md#pai-2 (EAS), docs/sources.md#pai-3 (PAIStudio).

/** The three PAI APIs our clients speak. */
import { isRegionId } from "./region";

export type PaiProduct = "dlc" | "studio" | "eas";

/** Where to send a product's requests. */
export interface ResolvedEndpoint {
  /** Host (and optional port) sent as the `host` header, e.g. `pai-dlc.cn-hangzhou.aliyuncs.com`. */
  host: string;
  /** `https` for real endpoints (default); `http` only when an override URL says so. */
  protocol: "http" | "https";
}

/** Environment variables that override a product's endpoint (full URL or bare host). */
export const ENDPOINT_ENV: Readonly<Record<PaiProduct, string>> = {
  dlc: "PAI_DLC_ENDPOINT",
  studio: "PAI_STUDIO_ENDPOINT",
  eas: "PAI_EAS_ENDPOINT",
};

const HOST_PREFIX: Readonly<Record<PaiProduct, string>> = {
  dlc: "pai-dlc", // docs/sources.md#pai-1
  eas: "pai-eas", // docs/sources.md#pai-2
  // docs/sources.md#pai-3: [META] says pai.<region>.aliyuncs.com; the TS SDK maps cn-hangzhou to
  // pai.cn-hangzhou.data.aliyun.com (UNCONFIRMED, docs/sources.md#pai-6.8). We follow the documented metadata;
  // override with PAI_STUDIO_ENDPOINT if a region needs the other host.
  studio: "pai",
};

/** Parses an override: `http://127.0.0.1:1234` sets protocol too; a bare host means https. */
export function parseEndpoint(value: string): ResolvedEndpoint {
  const trimmed = value.trim();
  const match = /^(https?):\/\/([^/]+)\/?$/i.exec(trimmed);
  if (match) {
    return { protocol: match[1]!.toLowerCase() as "http" | "https", host: match[2]! };
  }
  if (/^[A-Za-z0-9.-]+(:\d+)?$/.test(trimmed)) {
    return { protocol: "https", host: trimmed };
  }
  throw new Error(`invalid PAI endpoint "${value}": expected a host or an http(s)://host[:port] URL`);
}

/**
 * Endpoint for `product` in `region`. Precedence: `override` (config/input), then the
 * product's environment variable (ENDPOINT_ENV), then `<prefix>.<region>.aliyuncs.com`.
 */
export function resolveEndpoint(
  product: PaiProduct,
  region: string,
  override?: string,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedEndpoint {
  const explicit = override?.trim() || env[ENDPOINT_ENV[product]]?.trim();
  if (explicit) {
    return parseEndpoint(explicit);
  }
  if (!isRegionId(region)) {
    throw new Error(`invalid Alibaba Cloud region "${region}" (expected e.g. cn-hangzhou)`);
  }
  return { protocol: "https", host: `${HOST_PREFIX[product]}.${region}.aliyuncs.com` };
}
