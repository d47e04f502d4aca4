// ACS3-HMAC-SHA256 verification, written independently from the algorithm that
// @alicloud/openapi-util 0.3.x `getAuthorization` implements (the signer used by
// @alicloud/openapi-client 0.4.15 `doRequest`, docs/sources.md#pai-0):
//   CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n
//                      SignedHeaders \n HashedPayload
//   StringToSign     = "ACS3-HMAC-SHA256" \n hex(sha256(CanonicalRequest))
//   Signature        = hex(hmac-sha256(secret, StringToSign))
//   Authorization    = ACS3-HMAC-SHA256 Credential=<ak>,SignedHeaders=a;b,Signature=<hex>
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { ApiError } from "./errors";

export const ALGORITHM = "ACS3-HMAC-SHA256";

export interface ParsedAuthorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

const incomplete = (why: string): ApiError =>
  new ApiError(
    400,
    "IncompleteSignature",
    `The request signature does not conform to Aliyun standards: ${why}`,
  );

export function parseAuthorization(value: string): ParsedAuthorization {
  const space = value.indexOf(" ");
  const algorithm = space < 0 ? value : value.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw new ApiError(
      400,
      "InvalidSignatureMethod",
      `Specified signature method is not valid: "${algorithm}" (only ${ALGORITHM} is emulated).`,
    );
  }
  const parts = new Map<string, string>();
  for (const item of value.slice(space + 1).split(",")) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw incomplete(`malformed Authorization item "${item}"`);
    parts.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  const accessKeyId = parts.get("Credential");
  const signedHeaders = parts.get("SignedHeaders");
  const signature = parts.get("Signature");
  if (!accessKeyId) throw incomplete("Credential is missing");
  if (!signedHeaders) throw incomplete("SignedHeaders is missing");
  if (!signature || !/^[0-9a-f]{64}$/.test(signature))
    throw incomplete("Signature must be 64 lower-case hex digits");
  const list = signedHeaders.split(";");
  const sorted = [...list].sort();
  if (list.some((h, i) => h !== h.toLowerCase() || h !== sorted[i]))
    throw incomplete("SignedHeaders must be lower-case and sorted");
  return { accessKeyId, signedHeaders: list, signature };
}

/** Headers that the signer always includes: host, content-type and every x-acs-* header. */
export function checkSignedHeaderCoverage(
  signed: string[],
  headers: Record<string, string | string[] | undefined>,
): void {
  for (const name of Object.keys(headers)) {
    const mustSign = name === "host" || name === "content-type" || name.startsWith("x-acs-");
    if (mustSign && !signed.includes(name))
      throw incomplete(`header "${name}" is not listed in SignedHeaders`);
  }
  for (const name of signed) {
    if (headers[name] === undefined) throw incomplete(`signed header "${name}" is not present`);
  }
}

/** Same percent-encoding as openapi-util `encode` (RFC 3986 unreserved set). */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

export interface CanonicalInput {
  method: string;
  rawPath: string; // path exactly as received on the wire (before "?")
  query: Record<string, string>; // decoded query
  headers: Record<string, string | string[] | undefined>; // Node's lower-cased headers
  signedHeaders: string[];
  hashedPayload: string; // the x-acs-content-sha256 header, already checked against the body
}

export function canonicalRequest(c: CanonicalInput): string {
  // openapi-util applies these three replacements once (String.replace with a string).
  const uri = c.rawPath.replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
  // Keys are sorted by UTF-16 code units and left unencoded; values are percent-encoded.
  const query = Object.keys(c.query)
    .sort()
    .map((k) => `${k}=${percentEncode(c.query[k] ?? "")}`)
    .join("&");
  const headers = c.signedHeaders
    .map((h) => {
      const v = c.headers[h];
      const values = (Array.isArray(v) ? v : [v ?? ""]).map((x) => x.trim()).sort();
      return `${h}:${values.join(",")}\n`;
    })
    .join("");
  return [c.method, uri, query, headers, c.signedHeaders.join(";"), c.hashedPayload].join("\n");
}

export function expectedSignature(secret: string, c: CanonicalInput): string {
  const stringToSign = `${ALGORITHM}\n${sha256Hex(canonicalRequest(c))}`;
  return createHmac("sha256", secret).update(stringToSign).digest("hex");
}

export function signaturesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
