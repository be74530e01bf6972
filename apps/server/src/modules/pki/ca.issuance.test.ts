// Issuance's group commit (issue 14 item 3): concurrent issuances share one transaction and one step
// of the audit chain, and the chain still verifies entry by entry — an entry altered inside a batch is
// named by its own seq.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../audit/audit.service";
import { type CaTestApp, createCaTestApp, ENTERPRISE, makeCsr } from "./test-support";

let t: CaTestApp;
beforeAll(async () => {
  t = await createCaTestApp();
});
afterAll(async () => {
  await t?.close();
});

const system = { type: "system" as const, id: "test" };

describe("issuance in groups", () => {
  it("stores every concurrent issuance with its own audit entry, verifiable one by one", async () => {
    const csrs = await Promise.all(Array.from({ length: 16 }, (_, i) => makeCsr(t.dir, "p256", `grp${i}`)));
    const issued = await Promise.all(
      csrs.map((csrPem) => t.ca.issue(system, { csrPem, profile: "enterprise-sign", subject: ENTERPRISE })),
    );
    const db = t.database.db;
    const entries = await db
      .selectFrom("audit_log")
      .select(["seq", "object_id", "prev_hash", "hash"])
      .where("action", "=", "pki.certificate.issued")
      .orderBy("seq")
      .execute();
    expect(entries.map((e) => e.object_id).sort()).toEqual(issued.map((c) => c.serialHex).sort());
    const stored = await db
      .selectFrom("pki_ocsp_responses")
      .select("serial_hex")
      .where(
        "serial_hex",
        "in",
        issued.map((c) => c.serialHex),
      )
      .execute();
    expect(stored).toHaveLength(16);
    const ok = await verifyAuditChain(db);
    expect(ok.ok).toBe(true);
    expect(ok.checked).toBeGreaterThanOrEqual(16);

    // An entry in the middle of the group altered: the walk names exactly that entry.
    const victim = entries[8]!;
    await db
      .updateTable("audit_log")
      .set({ detail: JSON.stringify({ forged: true }) })
      .where("seq", "=", victim.seq)
      .execute();
    const bad = await verifyAuditChain(db);
    expect(bad.ok).toBe(false);
    expect(bad.firstBad).toMatchObject({ seq: victim.seq, kind: "altered" });
  });
});
