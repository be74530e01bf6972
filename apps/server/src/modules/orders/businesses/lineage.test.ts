// DESIGN §8, one test per row: what each business does to the certificates before it, checked with
// openssl against the CRL the CA publishes and the OCSP answers it signs. The CRL must list exactly the
// certificates revoked so far (with their reasons), so a certificate revoked by mistake fails too.
// Real CA, real database (SQLite, or PostgreSQL with DATABASE_URL).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { migrateTo, migrateToLatest } from "../../../db/migrate";
import {
  accountWithCertificate,
  type BusinessApp,
  createBusinessApp,
  fileOrder,
  freshCsr,
  type IssuedCertificate,
  moveClock,
  opensslCsrForKey,
  payOnline,
  uploadSeal,
} from "../../../test/business-flow";
import { drawSealPng } from "../../eseal/seal-image.test-support";
import { write } from "../../pki/test-support";
import {
  businessOrderProcessing,
  crlText,
  type FlowClients,
  ocspText,
  opensslCsr,
  writeCaFiles,
} from "../../workbench/test-flow";

let t: BusinessApp;
let baseUrl: string;

beforeAll(async () => {
  t = await createBusinessApp();
  baseUrl = await t.app.listen({ port: 0, host: "127.0.0.1" });
  writeCaFiles(t, t.dir);
}, 60_000);
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await moveClock(t, new Date());
});

const DAY = 86_400_000;
/** Every certificate revoked so far in this file, with the reason the CRL must give. */
const revokedSoFar = new Map<string, string>();
const CRL_REASON: Record<string, string> = {
  superseded: "Superseded",
  keyCompromise: "Key Compromise",
  cessationOfOperation: "Cessation Of Operation",
  affiliationChanged: "Affiliation Changed",
};

async function pemFile(serial: string): Promise<string> {
  const file = `${serial}.pem`;
  write(t.dir, file, (await t.ca.getCertificate(serial)).certificatePem);
  return file;
}

/** The CRL's entries (serial upper-case → reason text) as openssl reads them. */
async function crlEntries(): Promise<Map<string, string>> {
  const text = await crlText(t, t.dir);
  const out = new Map<string, string>();
  for (const part of text.split("Serial Number: ").slice(1)) {
    const serial = part.split(/\s/)[0]!.trim();
    const reason = /CRL Reason Code:\s*\n\s*([^\n]+)/.exec(part)?.[1]?.trim() ?? "";
    out.set(serial, reason);
  }
  return out;
}

/**
 * `revoked` (serial → RFC 5280 reason) are revoked in the CRL and by OCSP with that reason; `good` are
 * good by OCSP and absent from the CRL; and the CRL holds nothing else than what this file revoked.
 */
async function expectRevocations(revoked: Record<string, string>, good: string[]) {
  for (const [serial, reason] of Object.entries(revoked)) revokedSoFar.set(serial, reason);
  const entries = await crlEntries();
  const expected = new Map([...revokedSoFar].map(([s, r]) => [s.toUpperCase(), CRL_REASON[r]!]));
  expect(Object.fromEntries(entries)).toEqual(Object.fromEntries(expected));
  for (const [serial, reason] of Object.entries(revoked)) {
    const out = await ocspText(baseUrl, t.dir, await pemFile(serial));
    expect(out).toContain("Response verify OK");
    expect(out).toContain(`${serial}.pem: revoked`);
    expect(out).toContain(`Reason: ${reason}`);
  }
  for (const serial of good) {
    const out = await ocspText(baseUrl, t.dir, await pemFile(serial));
    expect(out, serial).toContain(`${serial}.pem: good`);
  }
}

const clients = (c: IssuedCertificate): FlowClients => ({
  applicant: c.client,
  reviewer: t.staff.reviewer,
  operator: t.staff.operator,
});

async function setKeepPredecessor(keep: boolean) {
  const admin = await (await import("../../../test/harness")).staffClient(t, "admin");
  const res = await admin.put("/api/v1/admin/settings", { renewalKeepsPredecessor: keep });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** A 延期 of `cert` (30 days before its end), paid online and updated from the applicant's session. */
async function renewed(cert: IssuedCertificate, serial: string, keepKey: boolean, keyFile: string | null) {
  await moveClock(t, new Date(cert.notAfter.getTime() - 30 * DAY), [cert]);
  const res = await fileOrder(cert.client, "renew", [{ certificateSerial: serial, keepKey, years: 1 }]);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(await payOnline(t, cert.client, res.body.id)).toBe("ready");
  const item = res.body.items[0];
  const csrPem = keepKey ? await opensslCsrForKey(t, keyFile!) : await freshCsr(t, `renew-${serial}`);
  const up = await cert.client.post(`/api/v1/orders/${res.body.id}/items/${item.id}/online-update`, {
    csrPem,
  });
  expect(up.status, JSON.stringify(up.body)).toBe(200);
  await moveClock(t, new Date(), [cert]);
  return up.body.serialHex as string;
}

/** A window business on `serial`, driven to processing, its one item issued from a fresh key. */
async function windowIssue(
  cert: IssuedCertificate,
  business: "change" | "replace" | "reissue",
  item: Record<string, unknown>,
) {
  const order = await businessOrderProcessing(t, clients(cert), business, [item]);
  const res = await t.staff.operator.post(
    `/api/v1/admin/orders/${order.id}/items/${order.items[0]!.id}/issue`,
    {
      csrPem: await opensslCsr(t.dir, `${business}-${order.orderNo}`),
    },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.certificate.serialHex as string;
}

/** A 注销 of one item driven to processing and revoked at the window; answers the reason revoked with. */
async function windowRevoke(cert: IssuedCertificate, item: Record<string, unknown>) {
  const order = await businessOrderProcessing(t, clients(cert), "revoke", [item]);
  const res = await t.staff.operator.post(
    `/api/v1/admin/orders/${order.id}/items/${order.items[0]!.id}/revoke`,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.revocation.reason as string;
}

/** The same key certified again in a second lineage of the same holder (a second 新证). */
const sameKey = (cert: IssuedCertificate) =>
  accountWithCertificate(t, { account: cert, csr: () => opensslCsrForKey(t, cert.keyFile!) });

/** The key is blocked for ever: a new certificate for it is refused, naming the field and the reason. */
async function expectKeyRefused(cert: IssuedCertificate) {
  const refused = await sameKey(cert).catch((e: Error) => e.message);
  expect(String(refused)).toContain("csrPem");
  expect(String(refused)).toContain("keyCompromise");
}

/** The lineage rows of the certificates, as stored. */
async function lineageOf(serials: string[]) {
  return t.database.db
    .selectFrom("certificate_lineage")
    .select(["serial_hex", "lineage_id", "predecessor_serial", "business"])
    .where("serial_hex", "in", serials)
    .orderBy("created_at")
    .execute();
}

describe("DESIGN §8: what a business does to the certificates before it", () => {
  it("延期: the predecessor is revoked superseded; the new one heads the lineage", async () => {
    const bystander = await accountWithCertificate(t);
    const cert = await accountWithCertificate(t);
    const next = await renewed(cert, cert.serial, false, null);
    await expectRevocations({ [cert.serial]: "superseded" }, [next, bystander.serial]);
    expect(await lineageOf([cert.serial, next])).toEqual([
      { serial_hex: cert.serial, lineage_id: cert.serial, predecessor_serial: null, business: "new" },
      { serial_hex: next, lineage_id: cert.serial, predecessor_serial: cert.serial, business: "renew" },
    ]);
  }, 60_000);

  it("延期 with the admin keeping predecessors: the old one stays valid but is no longer the head", async () => {
    await setKeepPredecessor(true);
    try {
      const cert = await accountWithCertificate(t);
      const next = await renewed(cert, cert.serial, true, cert.keyFile);
      await expectRevocations({}, [cert.serial, next]);
      // Only the head can be picked: the refusal names it, on the field, and nothing is stored.
      const before = await t.database.db.selectFrom("orders").select("id").execute();
      const again = await fileOrder(cert.client, "renew", [
        { certificateSerial: cert.serial, keepKey: true, years: 1 },
      ]);
      expect(again.status).toBe(409);
      expect(again.body.field).toBe("items.0.certificateSerial");
      expect(again.body.detail).toContain(`只能选择最新证书 ${next}`);
      expect(await t.database.db.selectFrom("orders").select("id").execute()).toHaveLength(before.length);
      // The picker and the wallet offer the head only.
      const picker = await cert.client.get("/api/v1/orders/candidates?business=renew");
      const serials = picker.body.certificates.map((c: { serialHex: string }) => c.serialHex);
      expect(serials).toContain(next);
      expect(serials).not.toContain(cert.serial);
      const wallet = await cert.client.get("/api/v1/certificates");
      expect(wallet.body.certificates.map((c: { serialHex: string }) => c.serialHex)).toEqual([next]);
      expect(wallet.body.certificates[0].history).toMatchObject([
        { serialHex: cert.serial, business: "new", state: "good" },
      ]);
    } finally {
      await setKeepPredecessor(false);
    }
  }, 60_000);

  it("变更 and 换证: every still-valid certificate of the lineage is revoked superseded", async () => {
    const bystander = await accountWithCertificate(t);
    for (const business of ["change", "replace"] as const) {
      await setKeepPredecessor(true);
      const cert = await accountWithCertificate(t);
      const kept = await renewed(cert, cert.serial, true, cert.keyFile);
      await setKeepPredecessor(false);
      const item =
        business === "change"
          ? { certificateSerial: kept, changes: { address: "福建省厦门市思明区" }, reason: "迁址" }
          : { certificateSerial: kept };
      const head = await windowIssue(cert, business, item);
      await expectRevocations({ [cert.serial]: "superseded", [kept]: "superseded" }, [
        head,
        bystander.serial,
      ]);
      expect((await lineageOf([head]))[0]).toMatchObject({
        lineage_id: cert.serial,
        predecessor_serial: kept,
      });
    }
  }, 120_000);

  it("变更 makes a new subject version: the earlier order's receipt and the old certificate keep the old name", async () => {
    const cert = await accountWithCertificate(t);
    const oldName = (await cert.client.get(`/api/v1/orders/${cert.orderId}`)).body.items[0].subject.name;
    const newName = `${oldName}（更名）`;
    const head = await windowIssue(cert, "change", {
      certificateSerial: cert.serial,
      changes: { name: newName },
      reason: "企业更名",
    });
    await expectRevocations({ [cert.serial]: "superseded" }, [head]);
    const receipt = await cert.client.get(`/api/v1/orders/${cert.orderId}/receipt`);
    expect(receipt.status, JSON.stringify(receipt.body)).toBe(200);
    expect(receipt.body.subjects[0].name).toBe(oldName);
    expect(receipt.body.items[0].subjectName).toBe(oldName);
    const wallet = await cert.client.get("/api/v1/certificates");
    const row = wallet.body.certificates.find((c: { serialHex: string }) => c.serialHex === head);
    expect(row.subject.name).toBe(newName);
    const all = await t.database.db
      .selectFrom("subject_versions")
      .select(["version", "name", "order_id"])
      .where("name", "in", [oldName, newName])
      .orderBy("version")
      .execute();
    expect(all.filter((v) => v.name === newName)).toHaveLength(1);
    // The 变更 order is still open (handed over later): it holds the lineage, so its new head cannot
    // be picked by a second order yet (one open order per lineage).
    const next = await fileOrder(cert.client, "unlock", [{ certificateSerial: head }]);
    expect(next.status).toBe(409);
    expect(next.body.field).toBe("items.0.certificateSerial");
    expect(next.body.detail).toContain("已在订单");
  }, 60_000);

  it("补证 (lost) after a key-keeping 延期: every certificate holding the lost key, in any lineage, revoked keyCompromise; the key blocked", async () => {
    const bystander = await accountWithCertificate(t);
    const cert = await accountWithCertificate(t);
    const twin = await sameKey(cert);
    const kept = await renewed(cert, cert.serial, true, cert.keyFile);
    await expectRevocations({ [cert.serial]: "superseded" }, [kept, twin.serial]);
    const head = await windowIssue(cert, "reissue", { certificateSerial: kept, cause: "lost" });
    await expectRevocations(
      { [cert.serial]: "keyCompromise", [kept]: "keyCompromise", [twin.serial]: "keyCompromise" },
      [head, bystander.serial],
    );
    const blocked = await t.database.db.selectFrom("pki_blocked_keys").selectAll().execute();
    expect(blocked.length).toBeGreaterThan(0);
    await expectKeyRefused(cert);
  }, 120_000);

  it("补证 (broken): the lineage is revoked superseded", async () => {
    await setKeepPredecessor(true);
    const cert = await accountWithCertificate(t);
    const kept = await renewed(cert, cert.serial, false, null);
    await setKeepPredecessor(false);
    const head = await windowIssue(cert, "reissue", { certificateSerial: kept, cause: "broken" });
    await expectRevocations({ [cert.serial]: "superseded", [kept]: "superseded" }, [head]);
  }, 120_000);

  it("注销: every still-valid certificate of the lineage is revoked with the applicant's reason", async () => {
    const bystander = await accountWithCertificate(t);
    await setKeepPredecessor(true);
    const cert = await accountWithCertificate(t);
    const kept = await renewed(cert, cert.serial, false, null);
    await setKeepPredecessor(false);
    expect(await windowRevoke(cert, { certificateSerial: kept, reason: "affiliationChanged" })).toBe(
      "affiliationChanged",
    );
    await expectRevocations({ [cert.serial]: "affiliationChanged", [kept]: "affiliationChanged" }, [
      bystander.serial,
    ]);
  }, 120_000);

  it("注销 for keyCompromise: the lineage and every other certificate of the key, in any lineage, revoked keyCompromise; the key blocked", async () => {
    const bystander = await accountWithCertificate(t);
    const cert = await accountWithCertificate(t);
    const twin = await sameKey(cert);
    expect(await windowRevoke(cert, { certificateSerial: cert.serial, reason: "keyCompromise" })).toBe(
      "keyCompromise",
    );
    await expectRevocations({ [cert.serial]: "keyCompromise", [twin.serial]: "keyCompromise" }, [
      bystander.serial,
    ]);
    await expectKeyRefused(cert);
  }, 120_000);

  it("注销 with a reason the applicant may not state is refused naming the field, and nothing is stored", async () => {
    const cert = await accountWithCertificate(t);
    const count = async () => (await t.database.db.selectFrom("orders").select("id").execute()).length;
    const before = await count();
    const bad = await fileOrder(
      cert.client,
      "revoke",
      [{ certificateSerial: cert.serial, reason: "superseded" }],
      {
        confirmed: true,
      },
    );
    expect(bad.status, JSON.stringify(bad.body)).toBe(400);
    expect(bad.body.field).toBe("items.0.reason");
    expect(bad.body.detail).toContain("注销原因");
    expect(await count()).toBe(before);
    await expectRevocations({}, [cert.serial]);
  }, 60_000);

  it("延期 of a replaced certificate is refused naming the head, on the field, and nothing is stored", async () => {
    const cert = await accountWithCertificate(t);
    const next = await renewed(cert, cert.serial, false, null);
    await expectRevocations({ [cert.serial]: "superseded" }, [next]);
    const count = async () => (await t.database.db.selectFrom("orders").select("id").execute()).length;
    const before = await count();
    const again = await fileOrder(cert.client, "renew", [
      { certificateSerial: cert.serial, keepKey: false, years: 1 },
    ]);
    expect(again.status).toBe(409);
    expect(again.body.field).toBe("items.0.certificateSerial");
    expect(again.body.detail).toBe(
      `第 1 项：该证书已被同一证书系列的新证书 ${next} 取代，只能选择最新证书 ${next} 办理`,
    );
    expect(await count()).toBe(before);
  }, 60_000);

  it("电子签章开通: no certificate changes; the e-seal follows the lineage to its new head", async () => {
    const cert = await accountWithCertificate(t);
    const up = await uploadSeal(cert.client, drawSealPng(240));
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const order = await fileOrder(cert.client, "eseal", [
      {
        certificateSerial: cert.serial,
        seal: { name: "合同专用章", kind: "合同专用章", uploadId: up.body.uploadId },
      },
    ]);
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    expect(await payOnline(t, cert.client, order.body.id)).toBe("ready");
    // The applicant downloads the seal package: the order is completed and lets go of the lineage.
    const pkg = await cert.client.get(`/api/v1/certificates/${cert.serial}/eseal`);
    expect(pkg.status, JSON.stringify(pkg.body)).toBe(200);
    await expectRevocations({}, [cert.serial]);
    const next = await renewed(cert, cert.serial, false, null);
    const seals = await t.database.db
      .selectFrom("eseals")
      .select("certificate_serial")
      .where("order_id", "=", order.body.id)
      .execute();
    expect(seals).toEqual([{ certificate_serial: next }]);
    const wallet = await cert.client.get("/api/v1/certificates");
    expect(wallet.body.certificates[0]).toMatchObject({
      serialHex: next,
      eseal: { enabled: true, sealName: "合同专用章" },
    });
    await expectRevocations({ [cert.serial]: "superseded" }, [next]);
  }, 60_000);

  it("解锁: no certificate changes", async () => {
    const cert = await accountWithCertificate(t);
    const order = await businessOrderProcessing(t, clients(cert), "unlock", [
      { certificateSerial: cert.serial },
    ]);
    expect(order.state).toBe("processing");
    await expectRevocations({}, [cert.serial]);
  }, 60_000);
});

describe("migration 0015 on a database of the schema before it", () => {
  it("rebuilds the lineages of the completed 延期, 变更, 换证, 补证 and 注销 above from their orders, and the open holds' lineages", async () => {
    const db = t.database.db;
    // An open order holding a lineage's head, as the schema before 0015 kept it.
    const cert = await accountWithCertificate(t);
    const next = await renewed(cert, cert.serial, false, null);
    const open = await fileOrder(cert.client, "replace", [{ certificateSerial: next }], { confirmed: true });
    expect(open.status, JSON.stringify(open.body)).toBe(201);
    const columns = [
      "serial_hex",
      "lineage_id",
      "predecessor_serial",
      "business",
      "order_id",
      "item_id",
    ] as const;
    const live = await db.selectFrom("certificate_lineage").select(columns).orderBy("serial_hex").execute();
    expect(new Set(live.map((r) => r.business))).toEqual(
      new Set(["new", "renew", "change", "replace", "reissue"]),
    );
    const holds = await db.selectFrom("certificate_holds").selectAll().orderBy("serial_hex").execute();
    expect(holds.find((h) => h.serial_hex === next)?.lineage_id).toBe(cert.serial);

    await migrateTo(db, "0014_statements_reports");
    await migrateToLatest(db);

    expect(
      await db.selectFrom("certificate_lineage").select(columns).orderBy("serial_hex").execute(),
    ).toEqual(live);
    expect(await db.selectFrom("certificate_holds").selectAll().orderBy("serial_hex").execute()).toEqual(
      holds,
    );
    const setting = await db
      .selectFrom("platform_settings")
      .select("value")
      .where("key", "=", "renewal_keeps_predecessor")
      .executeTakeFirstOrThrow();
    expect(setting.value).toBe("0");
    // Still one open order per lineage after the rebuild: a second order on the lineage is refused.
    const second = await fileOrder(cert.client, "revoke", [{ certificateSerial: next }], { confirmed: true });
    expect(second.status).toBe(409);
    expect(second.body.detail).toContain(open.body.orderNo);
  }, 120_000);
});
