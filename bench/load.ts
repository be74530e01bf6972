// A tiny closed-loop HTTP load generator: `concurrency` workers each POST, read the body and check
// it, back to back, for a fixed time. The same code loads every peer, so the client's own cost is
// the same on both sides of a comparison. Uses Node's built-in fetch (undici) with keep-alive.

export interface LoadResult {
  name: string;
  ok: number;
  failed: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  firstError?: string;
}

export interface LoadOptions {
  name: string;
  url: string;
  concurrency: number;
  seconds: number;
  /** The request body for the n-th request. */
  body: (n: number) => string;
  /** Returns an error message when a response is not a success. */
  check: (status: number, body: string) => string | undefined;
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let n = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const end = start + opts.seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        const res = await fetch(opts.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: opts.body(n++),
        });
        const text = await res.text();
        const error = opts.check(res.status, text);
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
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? Number.NaN;
  return {
    name: opts.name,
    ok,
    failed,
    seconds,
    perSecond: ok / seconds,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    firstError,
  };
}

export function printLoad(results: LoadResult[]): void {
  const width = Math.max(...results.map((r) => r.name.length));
  for (const r of results) {
    console.log(
      `  ${r.name.padEnd(width)}  ${r.perSecond.toFixed(0).padStart(6)}/s  p50 ${r.p50Ms.toFixed(1)} ms  p99 ${r.p99Ms.toFixed(1)} ms  ok ${r.ok}  failed ${r.failed}${r.firstError ? `  (${r.firstError.slice(0, 120)})` : ""}`,
    );
  }
}
