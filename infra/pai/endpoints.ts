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
  studio: "pai", // docs/sources.md#pai-3
};

/**
 * Per-region hosts that differ from `<prefix>.<region>.aliyuncs.com`, per product. Empty today, on
 * purpose: for PAIStudio in cn-hangzhou the endpoint documentation
 * (https://api.aliyun.com/product/PaiStudio, "Endpoints") says `pai.cn-hangzhou.aliyuncs.com`,
 * while the SDKs generated since late 2025 (aliyun/alibabacloud-typescript-sdk, paistudio-20220112
 * `_endpointMap`) use `pai.cn-hangzhou.data.aliyun.com`. We keep the documented host
 * (decisions.md, "PAIStudio's cn-hangzhou host"); a region that turns out to need another host gets
 * a row here (e.g. `studio: { "cn-hangzhou": "pai.cn-hangzhou.data.aliyun.com" }`), and
 * PAI_STUDIO_ENDPOINT overrides it for one run.
 */
export const REGION_HOST_OVERRIDES: Readonly<Record<PaiProduct, Readonly<Record<string, string>>>> = {
  dlc: {},
  eas: {},
  studio: {},
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
 * product's environment variable (ENDPOINT_ENV), then the region's row in REGION_HOST_OVERRIDES,
 * then `<prefix>.<region>.aliyuncs.com`.
 */
export function resolveEndpoint(
  product: PaiProduct,
  region: string,
  override?: string,
  env: NodeJS.ProcessEnv = process.env,
  overrides: Readonly<Record<PaiProduct, Readonly<Record<string, string>>>> = REGION_HOST_OVERRIDES,
): ResolvedEndpoint {
  const explicit = override?.trim() || env[ENDPOINT_ENV[product]]?.trim();
  if (explicit) {
    return parseEndpoint(explicit);
  }
  if (!isRegionId(region)) {
    throw new Error(`invalid Alibaba Cloud region "${region}" (expected e.g. cn-hangzhou)`);
  }
  const host = overrides[product][region] ?? `${HOST_PREFIX[product]}.${region}.aliyuncs.com`;
  return { protocol: "https", host };
}
