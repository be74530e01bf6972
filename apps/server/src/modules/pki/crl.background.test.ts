// The CRL re-signed in the background (issue 14 item 4): a burst of revocations shares one or a few
// signatures and every serial is listed after the wait; a failed signing is retried and logged and
// loses nothing; a revocation whose process ended before its re-signing is caught up by the next pass.
import type { Signer } from "@certhall/pki";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CaLog, createCaService } from "./ca.service";
import { type CaTestApp, createCaTestApp, ENTERPRISE, makeCsr, opensslOk, write } from "./test-support";

let t: CaTestApp;
beforeAll(async () => {
  t = await createCaTestApp({ CRL_COALESCE_MS: "1000" });
});
afterAll(async () => {
  await t?.close();
});

const system = { type: "system" as const, id: "test" };

async function issueSome(n: number, prefix: string): Promise<string[]> {
  const serials: string[] = [];
  for (let i = 0; i < n; i++) {
    const csrPem = await makeCsr(t.dir, "p256", `${prefix}${i}`);
    serials.push(
      (await t.ca.issue(system, { csrPem, profile: "enterprise-sign", subject: ENTERPRISE })).serialHex,
    );
  }
  return serials;
}

const crlCount = async () =>
  (await t.database.db.selectFrom("pki_crls").select("id").where("ca_id", "=", t.ca.issuing().id).execute())
    .length;

/** The CRL served over HTTP as openssl reads it, checked against the issuing CA. */
async function servedCrl(): Promise<string> {
  const res = await t.app.inject({ method: "GET", url: `/pki/crl/${t.ca.issuing().slug}.crl` });
  write(t.dir, "bg.crl", res.rawPayload);
  write(t.dir, "bg-issuing.pem", t.ca.issuing().certPem);
  return opensslOk(
    ["crl", "-inform", "DER", "-in", "bg.crl", "-CAfile", "bg-issuing.pem", "-noout", "-text"],
    t.dir,
  );
}

/** Waits (polling, at most `ms`) until `done` holds; the wait is a bound, never a timed assertion. */
async function eventually(done: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lists = (text: string, serials: string[]) =>
  serials.every((s) => text.includes(`Serial Number: ${s.toUpperCase()}`));

describe("background CRL re-signing", () => {
  it("lists every serial of a burst of revocations after the wait, in one or a few CRL signatures", async () => {
    const serials = await issueSome(12, "burst");
    await t.ca.flushCrls();
    const before = await crlCount();
    await Promise.all(serials.map((serialHex) => t.ca.revoke(system, { serialHex, reason: "superseded" })));
    await eventually(async () => lists(await servedCrl(), serials));
    const signed = (await crlCount()) - before;
    expect(signed).toBeGreaterThanOrEqual(1);
    expect(signed).toBeLessThanOrEqual(3);
  });

  it("retries and logs a failed signing and never loses the revocation", async () => {
    const [serial] = await issueSome(1, "retry");
    const errors: string[] = [];
    const log: CaLog = { error: (_o, msg) => errors.push(msg), info: () => undefined };
    // A second service on the same database: its own issuing key, whose token fails twice (an HSM
    // session lost), then signs again.
    const ca = createCaService({ db: t.database.db, clock: () => new Date(), config: t.config, log });
    await ca.loadAll();
    const issuing = ca.issuing();
    const real = issuing.signer!;
    const latestStored = async () =>
      Number(
        (
          await t.database.db
            .selectFrom("pki_crls")
            .select("crl_number")
            .where("ca_id", "=", issuing.id)
            .orderBy("crl_number", "desc")
            .executeTakeFirst()
        )?.crl_number ?? 0,
      );
    const before = await latestStored();
    await ca.revoke(system, { serialHex: serial!, reason: "keyCompromise" });
    let failures = 2;
    const flaky: Signer = {
      algorithm: real.algorithm,
      publicKeySpki: real.publicKeySpki,
      sign: (data) => (failures-- > 0 ? Promise.reject(new Error("token session lost")) : real.sign(data)),
    };
    issuing.signer = flaky;
    try {
      // A CRL stored after the revocation (numbers are taken before signing, rows stored after).
      await eventually(async () => {
        const latest = await latestStored();
        return latest > before && (await ca.currentCrl(issuing.slug)).number === latest;
      });
      expect(errors.filter((m) => m.includes("CRL re-signing failed"))).toHaveLength(2);
      write(t.dir, "retry.crl", (await ca.currentCrl(issuing.slug)).der);
      const text = await opensslOk(["crl", "-inform", "DER", "-in", "retry.crl", "-noout", "-text"], t.dir);
      expect(lists(text, [serial!])).toBe(true);
    } finally {
      ca.close();
    }
  });

  it("catches up, on the next scheduler pass, a revocation whose process ended before re-signing", async () => {
    const [serial] = await issueSome(1, "lost");
    // A CLI-like process that revokes and ends at once, without waiting for its background CRL.
    const gone = createCaService({
      db: t.database.db,
      clock: () => new Date(),
      config: { ...t.config, ca: { ...t.config.ca, crlCoalesceMs: 60_000 } },
    });
    await gone.loadAll();
    await gone.revoke(system, { serialHex: serial!, reason: "cessationOfOperation" });
    gone.close();
    // The CRL's own second must be over before a change in it counts (times are whole seconds).
    await new Promise((r) => setTimeout(r, 1100));
    const refreshed = await t.ca.refreshCrls();
    expect(refreshed.map((c) => c.ca)).toContain(t.ca.issuing().slug);
    expect(lists(await servedCrl(), [serial!])).toBe(true);
    // Nothing changed since: the next pass signs nothing.
    await new Promise((r) => setTimeout(r, 1100));
    expect(await t.ca.refreshCrls()).toEqual([]);
  });
});
