// A tiny local stand-in for ECS DescribePrice on 127.0.0.1. It checks that each request is a signed
// RPC call of DescribePrice 2014-05-26 with the expected query parameters (rejecting anything else
// with an ECS-style 400) and answers with the recorded response shape of the official doc /
// alibabacloud-typescript-sdk ecs-20140526 DescribePriceResponseBody.
import { createServer, type IncomingMessage } from "node:http";
import { type AddressInfo } from "node:net";
import { expectedSignature, parseAuthorization, sha256Hex, signaturesEqual } from "../emulator/signature";

export const TEST_AK = "AKIDpricingtest";
export const TEST_SECRET = "pricing-test-secret";

/** How the server answers one instance type. */
export type Quote =
  | { amount: number; currency?: string; noDetail?: boolean }
  | { error: { status: number; code: string; message: string } };

export interface PriceServerOptions {
  /** RegionId every request must carry. */
  region: string;
  /** Quote per InstanceType; unknown types get InvalidInstanceType.ValueNotSupported. */
  quotes: Record<string, Quote>;
}

export interface ReceivedRequest {
  instanceType: string;
  query: Record<string, string>;
}

const EXPECTED_QUERY_KEYS = ["Amount", "InstanceType", "Period", "PriceUnit", "RegionId", "ResourceType"];

/** A recorded DescribePrice body: total = instance line + a small system-disk line. */
export function recordedBody(requestId: string, amount: number, currency = "CNY", noDetail = false) {
  const disk = 0.04;
  const price: Record<string, unknown> = {
    Currency: currency,
    OriginalPrice: Number((amount + disk).toFixed(4)),
    DiscountPrice: 0,
    TradePrice: Number((amount + disk).toFixed(4)),
  };
  if (!noDetail) {
    price.DetailInfos = {
      DetailInfo: [
        {
          Resource: "instance",
          OriginalPrice: amount,
          DiscountPrice: 0,
          TradePrice: amount,
          SubRules: { Rule: [] },
        },
        { Resource: "systemDisk", OriginalPrice: disk, DiscountPrice: 0, TradePrice: disk },
      ],
    };
  }
  return { RequestId: requestId, PriceInfo: { Price: price, Rules: { Rule: [] } } };
}

function check(
  req: IncomingMessage,
  rawPath: string,
  query: Record<string, string>,
  body: string,
  region: string,
) {
  const problems: string[] = [];
  if (req.method !== "POST") problems.push(`method ${req.method}`);
  if (rawPath !== "/") problems.push(`path ${rawPath}`);
  if (req.headers["x-acs-action"] !== "DescribePrice")
    problems.push(`action ${String(req.headers["x-acs-action"])}`);
  if (req.headers["x-acs-version"] !== "2014-05-26")
    problems.push(`version ${String(req.headers["x-acs-version"])}`);
  const keys = Object.keys(query).sort();
  if (keys.join(",") !== EXPECTED_QUERY_KEYS.join(",")) problems.push(`query keys ${keys.join(",")}`);
  if (query.RegionId !== region) problems.push(`RegionId ${query.RegionId}`);
  if (query.ResourceType !== "instance") problems.push(`ResourceType ${query.ResourceType}`);
  if (query.PriceUnit !== "Hour") problems.push(`PriceUnit ${query.PriceUnit}`);
  if (query.Amount !== "1") problems.push(`Amount ${query.Amount}`);
  if (query.Period !== "1") problems.push(`Period ${query.Period}`);
  if (!query.InstanceType?.startsWith("ecs.")) problems.push(`InstanceType ${query.InstanceType}`);
  // The signature (ACS3-HMAC-SHA256, as the PAI emulator verifies it).
  try {
    const auth = parseAuthorization(String(req.headers.authorization ?? ""));
    if (auth.accessKeyId !== TEST_AK) problems.push(`access key ${auth.accessKeyId}`);
    const hashed = String(req.headers["x-acs-content-sha256"] ?? "");
    if (hashed !== sha256Hex(body)) problems.push("payload hash");
    const expected = expectedSignature(TEST_SECRET, {
      method: req.method ?? "",
      rawPath,
      query,
      headers: req.headers,
      signedHeaders: auth.signedHeaders,
      hashedPayload: hashed,
    });
    if (!signaturesEqual(expected, auth.signature)) problems.push("signature");
  } catch (e) {
    problems.push(`authorization: ${(e as Error).message}`);
  }
  return problems;
}

/** Starts the server; `rejected` collects every request that failed the checks. */
export async function startPriceServer(options: PriceServerOptions) {
  const received: ReceivedRequest[] = [];
  const rejected: string[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const rawUrl = req.url ?? "/";
      const rawPath = rawUrl.split("?")[0] ?? "/";
      const query = Object.fromEntries(new URL(rawUrl, "http://x").searchParams);
      const requestId = `PRICE-REQ-${++n}`;
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(payload));
      };
      const problems = check(req, rawPath, query, body, options.region);
      if (problems.length > 0) {
        rejected.push(problems.join("; "));
        reply(400, { RequestId: requestId, Code: "InvalidParameter", Message: problems.join("; ") });
        return;
      }
      const instanceType = query.InstanceType!;
      received.push({ instanceType, query });
      const quote = options.quotes[instanceType];
      if (!quote) {
        reply(400, {
          RequestId: requestId,
          Code: "InvalidInstanceType.ValueNotSupported",
          Message: "The specified InstanceType does not exist or beyond the permitted range.",
        });
      } else if ("error" in quote) {
        reply(quote.error.status, {
          RequestId: requestId,
          Code: quote.error.code,
          Message: quote.error.message,
        });
      } else {
        reply(200, recordedBody(requestId, quote.amount, quote.currency, quote.noDetail));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    rejected,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
