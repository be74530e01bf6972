// The verification of a long chain: pages fetched ahead, hashes checked on worker threads. It must
// name the same first problem as the walk on one thread, wherever the problems are.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/harness";
import { type AuditInput, appendAuditEntries, verifyAuditChain } from "./audit.service";

let env: Awaited<ReturnType<typeof createTestDatabase>>;
const db = () => env.database.db;
const N = 3000;

beforeAll(async () => {
  env = await createTestDatabase();
  for (let done = 0; done < N; done += 500) {
    const batch: AuditInput[] = Array.from({ length: 500 }, (_, i) => ({
      at: new Date(),
      actorType: "staff",
      actorId: "s1",
      action: "order.approve",
      objectType: "order",
      objectId: `o-${done + i}`,
      detail: { n: done + i },
    }));
    await db()
      .transaction()
      .execute((trx) => appendAuditEntries(trx, batch));
  }
});
afterAll(() => env.cleanup());

const threaded = () => verifyAuditChain(db(), { batchSize: 100, hashWorkers: 2 });
const oneThread = () => verifyAuditChain(db(), { batchSize: 100, hashWorkers: 0 });

describe("audit verify on worker threads", () => {
  it("verifies every entry of an untouched chain", async () => {
    expect(await threaded()).toMatchObject({ ok: true, checked: N, head: { seq: N } });
  });

  it("names the first altered entry, before a broken link further on", async () => {
    await db().updateTable("audit_log").set({ detail: '{"n":-1}' }).where("seq", "=", 1234).execute();
    await db()
      .updateTable("audit_log")
      .set({ prev_hash: "0".repeat(64) })
      .where("seq", "=", 2500)
      .execute();
    const r = await threaded();
    expect(r).toMatchObject({ ok: false, checked: 1233, firstBad: { seq: 1234, kind: "altered" } });
    expect(r.firstBad?.problem).toBe("第 1234 条记录内容被修改");
    expect(await oneThread()).toEqual(r);
  });

  it("names a missing entry before the altered one after it", async () => {
    await db().deleteFrom("audit_log").where("seq", "=", 700).execute();
    const r = await threaded();
    expect(r).toMatchObject({ ok: false, checked: 699, firstBad: { seq: 700, kind: "missing" } });
    expect(await oneThread()).toEqual(r);
  });
});
