// A tiny HTTP server that records what a client sends and replies with scripted responses.
import { type IncomingHttpHeaders, createServer } from "node:http";
import { type AddressInfo } from "node:net";

/** One recorded request. */
export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: unknown;
}

/** What to do with a request: reply with status+JSON, or drop the connection. */
export type Reply = { status?: number; body: Record<string, unknown> } | "drop";

/** Starts a recorder; `respond` decides each reply (default 200 with a RequestId). */
export async function startRecorder(respond: (req: Recorded, index: number) => Reply = () => ({ body: {} })) {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const recorded: Recorded = {
        method: req.method ?? "",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        rawBody,
        body: rawBody ? (JSON.parse(rawBody) as unknown) : undefined,
      };
      requests.push(recorded);
      const reply = respond(recorded, requests.length - 1);
      if (reply === "drop") {
        req.socket.destroy();
        return;
      }
      res.writeHead(reply.status ?? 200, { "content-type": "application/json" });
      res.end(JSON.stringify({ RequestId: `REQ-${requests.length}`, ...reply.body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
