import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

/**
 * The Redis of tests that need one (TEST_REDIS_URL, default the local one CI starts), with a key prefix
 * of this run's own; null, and a stated reason on stderr, when none answers.
 */
export async function testRedis(what: string): Promise<{ url: string; prefix: string } | null> {
  const url = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0 });
  probe.on("error", () => {});
  try {
    await probe.connect();
    await probe.ping();
    return { url, prefix: `certhall-test:${randomUUID().slice(0, 8)}:` };
  } catch (err) {
    console.warn(`SKIPPED ${what}: no Redis at ${url} (${(err as Error).message})`);
    return null;
  } finally {
    probe.disconnect();
  }
}
