import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AuditEntry } from "../../db/tables";
import { createTestDatabase } from "../../test/harness";
import { appendAudit, appendAuditEntries, verifyAuditChain } from "./audit.service";

let env: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  env = await createTestDatabase();
});
afterAll(async () => {
  await env.cleanup();
});

const db = () => env.database.db;

async function resetLog() {
  await db().deleteFrom("audit_log").execute();
  await db()
    .updateTable("audit_head")
    .set({ seq: 0, hash: "0".repeat(64) })
    .execute();
}

async function append(n: number) {
  for (let i = 0; i < n; i++) {
    await db()
      .transaction()
      .execute((trx) =>
        appendAudit(trx, {
          at: new Date(),
          actorType: "system",
          actorId: null,
          action: `test.${i}`,
          detail: { i },
        }),
      );
  }
}

describe("audit hash chain", () => {
  beforeEach(resetLog);

  it("verifies an untouched chain", async () => {
    await append(5);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true, checked: 5 });
  });

  it("reports the first entry whose content was altered", async () => {
    await append(5);
    await db().updateTable("audit_log").set({ detail: '{"i":99}' }).where("seq", "=", 3).execute();
    const r = await verifyAuditChain(db());
    expect(r.ok).toBe(false);
    expect(r.firstBad?.seq).toBe(3);
    expect(r.firstBad?.problem).toContain("被修改");
  });

  it("reports a missing entry in the middle", async () => {
    await append(5);
    await db().deleteFrom("audit_log").where("seq", "=", 2).execute();
    const r = await verifyAuditChain(db());
    expect(r).toMatchObject({ ok: false, checked: 1, firstBad: { seq: 2 } });
  });

  it("reports entries cut off the end", async () => {
    await append(5);
    await db().deleteFrom("audit_log").where("seq", ">=", 4).execute();
    const r = await verifyAuditChain(db());
    expect(r.ok).toBe(false);
    expect(r.firstBad?.seq).toBe(4);
  });

  it("detects an entry rewritten with the plain SHA-256 of the rest of the chain and the head recomputed", async () => {
    await append(4);
    await rewriteFrom(2, (row) => ({ ...row, action: "forged" }));
    const r = await verifyAuditChain(db());
    expect(r.ok).toBe(false);
    expect(r.firstBad).toMatchObject({ seq: 2, kind: "altered" });
  });

  it("detects a rewrite that also marks the rewritten entries as unkeyed (a downgrade)", async () => {
    await append(4);
    await rewriteFrom(2, (row) => ({ ...row, action: "forged", hash_version: 1 }));
    const r = await verifyAuditChain(db());
    expect(r.firstBad).toMatchObject({ seq: 2, kind: "altered" });
  });

  it("detects a verifier holding the wrong key", async () => {
    await append(3);
    expect((await verifyAuditChain(db())).ok).toBe(true);
    const r = await verifyAuditChain(db(), { key: randomBytes(32) });
    expect(r.ok).toBe(false);
    expect(r.firstBad).toMatchObject({ seq: 1, kind: "altered" });
  });

  it("still verifies a database written by the previous version (plain entries) and keys what follows", async () => {
    // The previous version wrote plain SHA-256 entries; the migration marks them hash_version 1.
    let prev = "0".repeat(64);
    for (let seq = 1; seq <= 3; seq++) {
      const row = {
        seq,
        at: new Date().toISOString(),
        actor_type: "system" as const,
        actor_id: null,
        action: `old.${seq}`,
        object_type: null,
        object_id: null,
        detail: "{}",
        ip: null,
        prev_hash: prev,
        hash_version: 1,
      };
      prev = plainHash(row);
      await db()
        .insertInto("audit_log")
        .values({ ...row, hash: prev })
        .execute();
    }
    await db().updateTable("audit_head").set({ seq: 3, hash: prev }).execute();
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true, checked: 3 });
    await append(2);
    const versions = await db().selectFrom("audit_log").select("hash_version").orderBy("seq").execute();
    expect(versions.map((v) => v.hash_version)).toEqual([1, 1, 1, 2, 2]);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true, checked: 5 });
    // The plain part is still checked: editing an old entry breaks the link of the first keyed one.
    await db().updateTable("audit_log").set({ action: "forged" }).where("seq", "=", 2).execute();
    expect((await verifyAuditChain(db())).firstBad).toMatchObject({ seq: 2, kind: "altered" });
  });

  it("checks long chains page by page", async () => {
    await append(7);
    expect(await verifyAuditChain(db(), { batchSize: 2 })).toMatchObject({ ok: true, checked: 7 });
    await db().updateTable("audit_log").set({ detail: "{}" }).where("seq", "=", 6).execute();
    expect((await verifyAuditChain(db(), { batchSize: 2 })).firstBad?.seq).toBe(6);
  });

  it("keeps one unbroken chain when many transactions append at once", async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db()
          .transaction()
          .execute((trx) =>
            appendAudit(trx, { at: new Date(), actorType: "system", actorId: null, action: `c.${i}` }),
          ),
      ),
    );
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true, checked: 20 });
  });

  it("chains several entries appended in one call, in their order", async () => {
    await append(2);
    await db()
      .transaction()
      .execute((trx) =>
        appendAuditEntries(trx, [
          { at: new Date(), actorType: "system", actorId: null, action: "batch.a" },
          { at: new Date(), actorType: "system", actorId: null, action: "batch.b" },
        ]),
      );
    const rows = await db().selectFrom("audit_log").select(["seq", "action"]).orderBy("seq").execute();
    expect(rows.slice(2)).toEqual([
      { seq: 3, action: "batch.a" },
      { seq: 4, action: "batch.b" },
    ]);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true, checked: 4 });
  });

  it("writes nothing when the surrounding transaction rolls back", async () => {
    await db()
      .transaction()
      .execute(async (trx) => {
        await appendAudit(trx, { at: new Date(), actorType: "system", actorId: null, action: "rolled.back" });
        throw new Error("boom");
      })
      .catch(() => {});
    expect(await db().selectFrom("audit_log").selectAll().execute()).toHaveLength(0);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true, checked: 0 });
  });
});

/** What the unkeyed chain of the previous version stored: SHA-256 of the fields and the previous hash. */
function plainHash(e: Omit<AuditEntry, "hash">): string {
  return createHash("sha256")
    .update(
      JSON.stringify([
        e.seq,
        e.at,
        e.actor_type,
        e.actor_id,
        e.action,
        e.object_type,
        e.object_id,
        e.detail,
        e.ip,
        e.prev_hash,
      ]),
    )
    .digest("hex");
}

/**
 * The attack of someone who can write the database: change entry `from` and recompute the plain hash of
 * it and every later entry, then fix the head, so every link holds again.
 */
async function rewriteFrom(from: number, change: (row: AuditEntry) => AuditEntry) {
  const rows = await db().selectFrom("audit_log").selectAll().orderBy("seq").execute();
  let prev = rows.find((r) => r.seq === from - 1)?.hash ?? "0".repeat(64);
  for (const original of rows.filter((r) => r.seq >= from)) {
    const row = { ...(original.seq === from ? change(original) : original), prev_hash: prev };
    const { hash: _old, ...rest } = row;
    prev = plainHash(rest);
    await db()
      .updateTable("audit_log")
      .set({ ...rest, hash: prev })
      .where("seq", "=", row.seq)
      .execute();
  }
  await db().updateTable("audit_head").set({ hash: prev }).execute();
}
