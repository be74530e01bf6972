import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { PkiEvent } from "../modules/pki/ca.coordination";

/**
 * Cache invalidation between instances (DESIGN §10). What one instance changed and others may hold in
 * memory is announced here after the commit; every instance, the sender too, drops its copy and reads
 * the database again. Catalog and settings are read from the database per request today, so nothing
 * subscribes to their topics yet: a cache added there subscribes here.
 */
export interface BusTopics {
  /** The CA's events (modules/pki/ca.coordination.ts): a stale or published CRL, a changed OCSP status. */
  pki: PkiEvent;
  "catalog.changed": Record<string, never>;
  "settings.changed": Record<string, never>;
}
export type BusTopic = keyof BusTopics;
type Handler<T extends BusTopic> = (payload: BusTopics[T]) => void;

export interface CacheBus {
  publish<T extends BusTopic>(topic: T, payload: BusTopics[T]): void;
  /** Returns the unsubscribe function. */
  subscribe<T extends BusTopic>(topic: T, handler: Handler<T>): () => void;
  close(): Promise<void>;
}

function localHandlers() {
  const handlers = new Map<BusTopic, Set<Handler<BusTopic>>>();
  return {
    deliver(topic: BusTopic, payload: unknown) {
      for (const h of handlers.get(topic) ?? []) h(payload as BusTopics[BusTopic]);
    },
    subscribe<T extends BusTopic>(topic: T, handler: Handler<T>) {
      const set = handlers.get(topic) ?? new Set();
      handlers.set(topic, set);
      set.add(handler as Handler<BusTopic>);
      return () => void set.delete(handler as Handler<BusTopic>);
    },
  };
}

/** One process: subscribers in this process hear it (on the next tick, as they would from Redis). */
export function inProcessBus(): CacheBus {
  const local = localHandlers();
  return {
    publish: (topic, payload) => queueMicrotask(() => local.deliver(topic, payload)),
    subscribe: local.subscribe,
    close: async () => {},
  };
}

/**
 * Redis pub/sub on the channel `<prefix>bus`: delivered to this process at once and to every other
 * instance as soon as Redis relays it (its own copy coming back from Redis is ignored). Pub/sub keeps
 * nothing for an instance that is not connected, so the caches also look at the database on their own
 * (OCSP every 2 s for status changes, the CRL every 5 s): losing Redis makes them slower, not wrong.
 */
export async function redisBus(publisher: Redis, prefix: string): Promise<CacheBus> {
  const channel = `${prefix}bus`;
  const me = randomUUID();
  const local = localHandlers();
  const subscriber = publisher.duplicate();
  subscriber.on("error", () => {}); // reconnects on its own; the publisher's handler logs
  subscriber.on("message", (_ch: string, raw: string) => {
    let msg: { from?: string; topic?: BusTopic; payload?: unknown };
    try {
      msg = JSON.parse(raw);
    } catch {
      return;
    }
    if (msg.from === me || !msg.topic) return;
    local.deliver(msg.topic, msg.payload ?? {});
  });
  await subscriber.subscribe(channel);
  return {
    publish(topic, payload) {
      queueMicrotask(() => local.deliver(topic, payload));
      publisher.publish(channel, JSON.stringify({ from: me, topic, payload })).catch(() => {});
    },
    subscribe: local.subscribe,
    async close() {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
