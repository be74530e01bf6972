// The CRL re-signed in the background (DESIGN §10, issue 14 item 4): a revocation marks its CA's CRL
// stale after its commit and answers at once; the re-signing waits `coalesceMs` so that revocations
// arriving together share one signature, then runs once (coordination.runExclusive: one instance of
// many). Revocations committed while it signs mark it stale again, so the next round lists them. A
// failed signing is logged and retried with a growing pause (up to a minute) and never clears the mark;
// the scheduler's pass (CrlService.refreshCrls) also re-signs any CRL older than a status change in the
// database, so even a process that dies with a mark set loses no revocation.
import type { PkiCoordination } from "./ca.coordination";
import type { CaLog } from "./ca.types";

export interface CrlResignerDeps {
  /** Signs and stores the CA's next CRL. */
  sign: (caId: string) => Promise<void>;
  coordination: PkiCoordination;
  log: CaLog;
  coalesceMs: number;
  /** First pause after a failure (doubled each time, at most 60 s). Default 1000 ms. */
  retryMs?: number;
}

interface CaState {
  stale: boolean;
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
  failures: number;
}

const RETRY_MAX_MS = 60_000;

export function createCrlResigner(deps: CrlResignerDeps) {
  const { coordination, log, coalesceMs } = deps;
  const retryMs = deps.retryMs ?? 1000;
  const states = new Map<string, CaState>();
  let closed = false;

  const stateOf = (caId: string): CaState => {
    let s = states.get(caId);
    if (!s) {
      s = { stale: false, timer: null, running: null, failures: 0 };
      states.set(caId, s);
    }
    return s;
  };

  function schedule(caId: string, s: CaState, ms: number): void {
    if (closed || s.timer || s.running) return;
    s.timer = setTimeout(() => {
      s.timer = null;
      void run(caId, s);
    }, ms);
    s.timer.unref();
  }

  function run(caId: string, s: CaState): Promise<void> {
    if (s.running) return s.running;
    s.stale = false;
    s.running = coordination
      .runExclusive(`pki.crl.${caId}`, () => deps.sign(caId))
      .then(
        () => {
          s.failures = 0;
        },
        (err: unknown) => {
          s.stale = true;
          s.failures++;
          if (!closed) log.error({ err, caId, failures: s.failures }, "CRL re-signing failed; retrying");
        },
      )
      .finally(() => {
        s.running = null;
        if (!s.stale) return;
        const pause = s.failures ? Math.min(retryMs * 2 ** (s.failures - 1), RETRY_MAX_MS) : coalesceMs;
        schedule(caId, s, pause);
      });
    return s.running;
  }

  return {
    /** The CA's CRL no longer lists what the database says: re-sign within `coalesceMs`. */
    markStale(caId: string): void {
      const s = stateOf(caId);
      s.stale = true;
      schedule(caId, s, coalesceMs);
    },
    /**
     * Signs every stale CRL now and waits until none is stale or being signed (the CLI before it exits,
     * a shutdown, tests). A signing that keeps failing is tried at most three times here.
     */
    async flush(): Promise<void> {
      for (let round = 0; round < 3; round++) {
        const waiting = [...states.entries()].filter(([, s]) => s.stale || s.running || s.timer);
        if (waiting.length === 0) return;
        await Promise.all(
          waiting.map(async ([caId, s]) => {
            if (s.running) await s.running;
            if (s.timer) clearTimeout(s.timer);
            s.timer = null;
            if (s.stale) await run(caId, s);
          }),
        );
      }
    },
    /** Whether a CRL of `caId` waits to be re-signed or is being signed. */
    pending: (caId: string): boolean => {
      const s = states.get(caId);
      return !!s && (s.stale || !!s.running || !!s.timer);
    },
    close(): void {
      closed = true;
      for (const s of states.values()) if (s.timer) clearTimeout(s.timer);
    },
  };
}

export type CrlResigner = ReturnType<typeof createCrlResigner>;
