// Tiny timing helpers shared by the benchmarks. The machine is shared (2 cores, other jobs), so
// candidates are measured interleaved in short slices and the median slice rate is reported: a burst
// of outside load then hurts every candidate alike instead of whichever ran at that moment.

export interface Measurement {
  name: string;
  /** Median operations per second over the slices. */
  perSecond: number;
  /** Lowest and highest slice rates, to show the noise. */
  minPerSecond: number;
  maxPerSecond: number;
  ops: number;
}

export interface Candidate {
  name: string;
  fn: () => unknown;
}

export function arg(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

async function slice(fn: () => unknown, ms: number): Promise<{ ops: number; seconds: number }> {
  let ops = 0;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  while (now < end) {
    // Check the clock every 8 operations to keep its cost out of the loop.
    for (let k = 0; k < 8; k++) {
      const r = fn();
      if (r instanceof Promise) await r;
    }
    ops += 8;
    now = performance.now();
  }
  return { ops, seconds: (now - start) / 1000 };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Runs every candidate back to back for `seconds` in total each, in `rounds` interleaved slices. */
export async function compare(candidates: Candidate[], seconds: number, rounds = 10): Promise<Measurement[]> {
  for (const c of candidates) await slice(c.fn, 200); // warm-up (JIT, caches)
  const rates = candidates.map(() => [] as number[]);
  const ops = candidates.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    for (const [i, c] of candidates.entries()) {
      const s = await slice(c.fn, (seconds * 1000) / rounds);
      rates[i]!.push(s.ops / s.seconds);
      ops[i]! += s.ops;
    }
  }
  return candidates.map((c, i) => ({
    name: c.name,
    perSecond: median(rates[i]!),
    minPerSecond: Math.min(...rates[i]!),
    maxPerSecond: Math.max(...rates[i]!),
    ops: ops[i]!,
  }));
}

export function printTable(title: string, rows: Measurement[]): void {
  console.log(`\n${title}`);
  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(`  ${"".padEnd(width)}  ${"median".padStart(9)}  ${"µs/op".padStart(7)}  slice range`);
  for (const r of rows) {
    console.log(
      `  ${r.name.padEnd(width)}  ${r.perSecond.toFixed(0).padStart(7)}/s  ${(1e6 / r.perSecond).toFixed(1).padStart(7)}  ${r.minPerSecond.toFixed(0)}–${r.maxPerSecond.toFixed(0)}/s`,
    );
  }
}
