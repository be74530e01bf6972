// Closed-loop HTTP load generator for the full-path benchmarks (issue-http.ts, ocsp.ts): `concurrency`
// workers each send a request, read the whole body and check it, back to back, for a fixed time.
// The same code loads every peer in a comparison. Unlike load.ts it sends arbitrary headers and
// binary bodies (OCSP requests are DER), over node:http with a keep-alive agent.
import http from "node:http";
import net from "node:net";

export interface HttpLoadOptions {
  name: string;
  url: string;
  concurrency: number;
  seconds: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** The request body for the n-th request (POST). */
  body?: (n: number) => string | Buffer;
  /** For GET: the path of the n-th request (defaults to the URL's). */
  path?: (n: number) => string;
  /** Returns an error message when a response is not a success. */
  check: (status: number, body: Buffer) => string | undefined;
}

export interface HttpLoadResult {
  name: string;
  ok: number;
  failed: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  firstError?: string;
}

export async function httpLoad(o: HttpLoadOptions): Promise<HttpLoadResult> {
  const u = new URL(o.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let n = 0;
  let firstError: string | undefined;
  const once = (i: number) =>
    new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const body = o.body?.(i);
      const req = http.request(
        {
          agent,
          host: u.hostname,
          port: u.port,
          method: o.method ?? "POST",
          path: o.path ? o.path(i) : u.pathname,
          headers: {
            ...o.headers,
            ...(body !== undefined ? { "content-length": Buffer.byteLength(body) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const start = performance.now();
  const end = start + o.seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        const res = await once(n++);
        const error = o.check(res.status, res.body);
        if (error) {
          failed++;
          firstError ??= error;
        } else {
          ok++;
          latencies.push(performance.now() - t);
        }
      } catch (err) {
        failed++;
        firstError ??= String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  agent.destroy();
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? Number.NaN;
  return {
    name: o.name,
    ok,
    failed,
    seconds,
    perSecond: ok / seconds,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    firstError,
  };
}

export function printHttpLoad(results: HttpLoadResult[]): void {
  const width = Math.max(...results.map((r) => r.name.length));
  for (const r of results) {
    console.log(
      `  ${r.name.padEnd(width)}  ${r.perSecond.toFixed(0).padStart(6)}/s  p50 ${r.p50Ms.toFixed(1)} ms  p99 ${r.p99Ms.toFixed(1)} ms  ok ${r.ok}  failed ${r.failed}${r.firstError ? `  (${r.firstError.slice(0, 160)})` : ""}`,
    );
  }
}

/** Polls until `probe` resolves true (a server is up), or throws after `ms`. */
export async function waitFor(
  probe: () => Promise<boolean>,
  ms = 60_000,
  isDead?: () => boolean,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (isDead?.()) throw new Error("server exited before it was ready");
    try {
      if (await probe()) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready in ${ms / 1000} s`);
}

/** A TCP port free on 127.0.0.1 right now (for a server the benchmark starts). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}
