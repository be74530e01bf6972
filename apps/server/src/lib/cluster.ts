import cluster from "node:cluster";

/**
 * WORKERS=N (DESIGN §10): this primary process prepares the database and the CA once (migrations,
 * seed, the hierarchy on first start), so the workers never race to create them, then forks N workers
 * that each run the whole server on the shared port (node:cluster hands connections round-robin). A
 * worker that dies is replaced after a second; SIGTERM/SIGINT are passed on and the primary exits when
 * the workers have finished their in-flight requests.
 */
export async function runClusterPrimary(
  workers: number,
  prepare: () => Promise<void>,
  log: (msg: string) => void = (m) => console.log(m),
): Promise<void> {
  await prepare();
  let stopping = false;
  const fork = () => cluster.fork();
  for (let i = 0; i < workers; i++) fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    log(`certhall worker ${worker.process.pid} ended (${signal ?? `exit ${code}`}); starting another`);
    setTimeout(fork, 1000).unref();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`certhall: ${signal}, stopping ${workers} workers`);
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    setTimeout(() => process.exit(1), 15_000).unref();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

/** The banner is printed once: by the one process, or by the first worker. */
export const printsBanner = () => cluster.isPrimary || cluster.worker?.id === 1;
export const isClusterPrimary = (workers: number) => workers > 1 && cluster.isPrimary;
