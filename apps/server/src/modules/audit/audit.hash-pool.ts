import { Worker } from "node:worker_threads";

/** One page of entries to check: each entry's hash version, hashed message and stored hash. */
export interface HashJob {
  versions: number[];
  messages: string[];
  hashes: string[];
}

/**
 * The HMACs of a long audit chain computed on worker threads (the verification's heaviest step, about
 * 10 µs an entry), while the walk fetches and links the next pages. Jobs go round-robin; each answers
 * the index of its first entry whose hash fails, or -1.
 */
export function createHashPool(key: Buffer, size: number) {
  const url = new URL("./audit.hash-worker.mjs", import.meta.url);
  const waiting = new Map<number, { resolve: (bad: number) => void; reject: (err: unknown) => void }>();
  const workers = Array.from({ length: size }, () => {
    const w = new Worker(url, { workerData: { key: new Uint8Array(key) }, execArgv: [] });
    w.on("message", ({ id, bad }: { id: number; bad: number }) => {
      waiting.get(id)?.resolve(bad);
      waiting.delete(id);
    });
    w.on("error", (err) => {
      for (const p of waiting.values()) p.reject(err);
      waiting.clear();
    });
    return w;
  });
  let nextId = 0;
  return {
    check(job: HashJob): Promise<number> {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        workers[id % size]!.postMessage({ id, ...job });
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
