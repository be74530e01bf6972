import type { CacheBus } from "../../lib/bus";
import type { RunExclusive } from "../../lib/exclusive";

// How the CA's instances hear of each other's changes and take turns (DESIGN §10). The default is one
// process: events go to this process's own listeners and "exclusively" means "not twice at once here".
// With several instances, plug in a bus that reaches every instance (e.g. Redis pub/sub) and a lock
// every instance sees (e.g. a PostgreSQL advisory lock or a lease row); nothing else changes.
//
// Events, each sent after the transaction that made it committed:
// - crl-stale: a revocation (or release) of a certificate of `caId` committed; its CRL must be
//   re-signed. Every instance coalesces them; the one that wins runExclusive signs.
// - crl-published: a CRL numbered `number` of `caId` was stored; instances drop an older cached one.
// - ocsp-changed: the status of `serialHex` changed; instances drop its cached OCSP answers.

export type PkiEvent =
  | { type: "crl-stale"; caId: string }
  | { type: "crl-published"; caId: string; number: number }
  | { type: "ocsp-changed"; caId: string; serialHex: string };

export interface PkiCoordination {
  /** Sends `event` to every instance's listeners, this instance's included. */
  publish(event: PkiEvent): void;
  /** Listens to the events of every instance; returns the function that stops listening. */
  subscribe(listener: (event: PkiEvent) => void): () => void;
  /**
   * Runs `fn` unless a run under the same `name` is going on (in any instance): then it returns false
   * at once without running `fn`. A failure of `fn` is passed on.
   */
  runExclusive(name: string, fn: () => Promise<void>): Promise<boolean>;
}

/** Several instances: the events go over the shared bus (lib/bus.ts), turns by the shared lock (lib/exclusive.ts). */
export function sharedCoordination(bus: CacheBus, runExclusive: RunExclusive): PkiCoordination {
  return {
    publish: (event) => bus.publish("pki", event),
    subscribe: (listener) => bus.subscribe("pki", listener),
    runExclusive,
  };
}

export function inProcessCoordination(): PkiCoordination {
  const listeners = new Set<(event: PkiEvent) => void>();
  const running = new Set<string>();
  return {
    publish(event) {
      for (const l of listeners) l(event);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async runExclusive(name, fn) {
      if (running.has(name)) return false;
      running.add(name);
      try {
        await fn();
        return true;
      } finally {
        running.delete(name);
      }
    },
  };
}
