import { Redis } from "ioredis";
import type { Config } from "../config";
import type { DbHandle } from "../db/database";
import { type CacheBus, inProcessBus, redisBus } from "./bus";
import { exclusiveFor, type RunExclusive } from "./exclusive";

/**
 * What the instances of one deployment share besides the database (DESIGN §10), opened by main.ts:
 * with REDIS_URL, the Redis client for rate limits and the bus for cache invalidation; without, the
 * in-process bus of the one embedded process. Scheduled jobs take the PostgreSQL advisory lock (or the
 * in-process one on SQLite) through `exclusive`.
 */
export interface SharedState {
  redis: Redis | null;
  /** Key prefix of everything this deployment keeps in Redis (REDIS_KEY_PREFIX). */
  prefix: string;
  bus: CacheBus;
  exclusive: RunExclusive;
  close(): Promise<void>;
}

export async function openSharedState(
  config: Pick<Config, "scale">,
  database: DbHandle,
  log: { error(obj: object, msg: string): void },
): Promise<SharedState> {
  const exclusive = exclusiveFor(database);
  const r = config.scale.redis;
  if (!r) {
    const bus = inProcessBus();
    return { redis: null, prefix: "", bus, exclusive, close: () => bus.close() };
  }
  // As @fastify/rate-limit advises: a short connect timeout and one retry, so a request is not held up
  // long by a Redis that went away.
  const redis = new Redis(r.url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1 });
  let lastError = "";
  redis.on("error", (err: Error) => {
    if (err.message !== lastError) log.error({ err }, "Redis connection failed (REDIS_URL)");
    lastError = err.message;
  });
  redis.on("ready", () => {
    lastError = "";
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(`REDIS_URL: cannot reach Redis at ${redactUrl(r.url)}: ${(err as Error).message}`);
  }
  const bus = await redisBus(redis, r.prefix);
  return {
    redis,
    prefix: r.prefix,
    bus,
    exclusive,
    async close() {
      await bus.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
}
