// Test fixture: a tiny node:http server on 127.0.0.1 that plays the platform's JSON endpoints, with
// every request recorded. The routes are the test's own (real CA code signs behind them).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
}

export interface Reply {
  status: number;
  body: unknown;
  /** application/json by default; refusals use application/problem+json. */
  type?: string;
}

export interface JsonServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** problem+json as the platform answers a refusal (RFC 9457 with `code` and `field`). */
export function problem(status: number, detail: string, code: string, field?: string): Reply {
  return {
    status,
    type: "application/problem+json",
    body: { type: "about:blank", title: "请求被拒绝", status, detail, code, ...(field ? { field } : {}) },
  };
}

export async function startJsonServer(
  route: (request: SeenRequest) => Reply | Promise<Reply>,
): Promise<JsonServer> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      raw += chunk;
    });
    req.on("end", async () => {
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // Kept as text; the route decides what to answer.
      }
      const seen: SeenRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body };
      requests.push(seen);
      let reply: Reply;
      try {
        reply = await route(seen);
      } catch (error) {
        reply = { status: 500, body: { detail: `fake platform failed: ${String(error)}` } };
      }
      res.writeHead(reply.status, { "content-type": reply.type ?? "application/json" });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
