// Cache invalidation between instances (issue 14): two CA services on one database, each with its own
// warm OCSP cache and its own connection to the bus; the periodic database sync is pushed out to an
// hour, so only the bus can tell the second one of the first one's revocation.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CacheBus, inProcessBus, redisBus } from "../../lib/bus";
import { inProcessExclusive } from "../../lib/exclusive";
import { testRedis } from "../../test/redis";
import { sharedCoordination } from "./ca.coordination";
import { type CaService, createCaService } from "./ca.service";
import { type CaTestApp, createCaTestApp, ENTERPRISE, makeCsr, opensslOk, write } from "./test-support";

const system = { type: "system" as const, id: null };
const HOUR = 3600_000;
let t: CaTestApp;
const redis = await testRedis("OCSP invalidation over Redis");
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  t = await createCaTestApp();
});
afterAll(async () => {
  for (const close of closers) await close();
  await t?.close();
});

async function instance(bus?: CacheBus): Promise<CaService> {
  const ca = createCaService({
    db: t.database.db,
    clock: () => new Date(),
    config: t.config,
    revocationSyncMs: HOUR,
    coordination: bus && sharedCoordination(bus, inProcessExclusive()),
  });
  await ca.loadAll();
  return ca;
}

async function connectedBus(): Promise<CacheBus> {
  const client = new Redis(redis!.url);
  const bus = await redisBus(client, redis!.prefix);
  closers.push(
    () => bus.close(),
    () => client.quit(),
  );
  return bus;
}

async function ocspStatus(ca: CaService, name: string): Promise<string> {
  const req = readFileSync(path.join(t.dir, `${name}.req`));
  write(t.dir, `${name}.resp`, (await ca.ocsp(req)).der);
  const out = await opensslOk(
    ["ocsp", "-respin", `${name}.resp`, "-issuer", "issuer.pem", "-cert", `${name}.pem`, "-noverify"],
    t.dir,
  );
  return /: (good|revoked|unknown)/.exec(out)?.[1] ?? out;
}

async function within(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function revokedElsewhereIsSeen(name: string, a: CaService, b: CaService, control: CaService) {
  const csrPem = await makeCsr(t.dir, "p256", name);
  const cert = await a.issue(system, { csrPem, profile: "enterprise-sign", subject: ENTERPRISE });
  write(t.dir, `${name}.pem`, cert.certificatePem);
  write(t.dir, "issuer.pem", a.issuing().certPem);
  await opensslOk(
    ["ocsp", "-issuer", "issuer.pem", "-cert", `${name}.pem`, "-no_nonce", "-reqout", `${name}.req`],
    t.dir,
  );
  // Both other instances have the good answer in memory.
  expect(await ocspStatus(b, name)).toBe("good");
  expect(await ocspStatus(control, name)).toBe("good");
  const crlBefore = await b.currentCrl(a.issuing().slug);
  await a.revoke(system, { serialHex: cert.serialHex, reason: "keyCompromise" });
  expect(await within(1000, async () => (await ocspStatus(b, name)) === "revoked")).toBe(true);
  // The CRL is re-signed in the background (CRL_COALESCE_MS); the other instance hears of the new one.
  await a.flushCrls();
  expect(
    await within(1000, async () => (await b.currentCrl(a.issuing().slug)).number > crlBefore.number),
  ).toBe(true);
  // Without the bus, the instance keeps its cached answer until its own database sync.
  expect(await ocspStatus(control, name)).toBe("good");
}

describe("a revocation on one instance reaches the OCSP cache of another", () => {
  it("through the in-process bus (several services in one process)", async () => {
    const bus = inProcessBus();
    await revokedElsewhereIsSeen("bus-local", await instance(bus), await instance(bus), await instance());
  });

  it.skipIf(!redis)("through Redis pub/sub within 1 s", async () => {
    await revokedElsewhereIsSeen(
      "bus-redis",
      await instance(await connectedBus()),
      await instance(await connectedBus()),
      await instance(),
    );
  });
});
