import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
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
    expect(await verifyAuditChain(db())).toEqual({ ok: true, checked: 5 });
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

  it("reports an entry rewritten with a recomputed hash (the next link breaks)", async () => {
    await append(4);
    const { createHash } = await import("node:crypto");
    const row = await db().selectFrom("audit_log").selectAll().where("seq", "=", 2).executeTakeFirstOrThrow();
    const forged = { ...row, action: "forged" };
    const hash = createHash("sha256")
      .update(
        JSON.stringify([
          forged.seq,
          forged.at,
          forged.actor_type,
          forged.actor_id,
          forged.action,
          forged.object_type,
          forged.object_id,
          forged.detail,
          forged.ip,
          forged.prev_hash,
        ]),
      )
      .digest("hex");
    await db().updateTable("audit_log").set({ action: "forged", hash }).where("seq", "=", 2).execute();
    const r = await verifyAuditChain(db());
    expect(r.firstBad?.seq).toBe(3);
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
    expect(await verifyAuditChain(db())).toEqual({ ok: true, checked: 20 });
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
    expect(await verifyAuditChain(db())).toEqual({ ok: true, checked: 4 });
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
    expect(await verifyAuditChain(db())).toEqual({ ok: true, checked: 0 });
  });
});
