// The window's processing of the businesses that act on an issued certificate (issue 6): 变更, 补证,
// 换证 and 其他厂商介质证书更换 issue a successor (the old one revoked in the same transaction), 注销
// revokes. Real CA, real database (SQLite or PostgreSQL), real openssl for verify, x509, crl and ocsp.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, registerApplicant, staffClient } from "../../test/harness";
import { opensslOk, write } from "../pki/test-support";
import {
  businessOrderProcessing,
  COMPANY,
  caTypeId,
  createFlowApp,
  crlText,
  type FlowApp,
  type FlowClients,
  ocspText,
  opensslCsr,
  windowIssued,
  writeCaFiles,
} from "./test-flow";

let t: FlowApp;
let dir: string;
let baseUrl: string;
let clients: FlowClients;
let operator: Client;
let applicant: Client;
/** Eight enterprise certificates (2 years) of COMPANY, issued at the window (before 变更 renames it). */
let originals: string[];

beforeAll(async () => {
  t = await createFlowApp();
  baseUrl = await t.app.listen({ port: 0, host: "127.0.0.1" });
  dir = mkdtempSync(path.join(os.tmpdir(), "certhall-wb-business-"));
  writeCaFiles(t, dir);
  applicant = await registerApplicant(t, "13900000021");
  operator = await staffClient(t, "operator");
  clients = { applicant, reviewer: await staffClient(t, "reviewer"), operator };
  ({ serials: originals } = await windowIssued(t, clients, dir, {
    caTypes: Array.from({ length: 8 }, () => ({ code: "enterprise-sign", years: 2 })),
    name: "orig",
  }));
  for (const serial of originals)
    write(dir, `${serial}.pem`, (await t.ca.getCertificate(serial)).certificatePem);
}, 120_000);
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const url = (orderId: string, rest = "") => `/api/v1/admin/orders/${orderId}${rest}`;

async function issueItem(orderId: string, itemId: string, name: string) {
  const res = await operator.post(url(orderId, `/items/${itemId}/issue`), {
    csrPem: await opensslCsr(dir, name),
  });
  if (res.status === 201) write(dir, `${name}.pem`, res.body.certificate.certificatePem);
  return res;
}

const x509 = (file: string, ...what: string[]) =>
  opensslOk(["x509", "-in", file, "-noout", "-nameopt", "utf8", ...what], dir);
const endDate = async (file: string) => (await x509(file, "-enddate")).trim().replace(/^notAfter=/, "");

async function verifies(file: string) {
  const out = await opensslOk(["verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", file], dir);
  expect(out.trim()).toBe(`${file}: OK`);
}

async function revokedInCrlAndOcsp(serial: string, ocspReason: string, crlReason: string) {
  const crl = await crlText(t, dir);
  const entry = crl.split("Serial Number: ").find((e) => e.startsWith(serial.toUpperCase()));
  expect(entry, `CRL entry of ${serial}`).toBeDefined();
  expect(entry).toContain(crlReason);
  const ocsp = await ocspText(baseUrl, dir, `${serial}.pem`);
  expect(ocsp).toContain("Response verify OK");
  expect(ocsp).toContain(`${serial}.pem: revoked`);
  expect(ocsp).toContain(`Reason: ${ocspReason}`);
}

async function stillGood(serial: string) {
  expect((await t.ca.getCertificate(serial)).status).toBe("good");
  expect(await ocspText(baseUrl, dir, `${serial}.pem`)).toContain(`${serial}.pem: good`);
  expect(await crlText(t, dir)).not.toContain(`Serial Number: ${serial.toUpperCase()}`);
}

describe("变更 at the window", () => {
  it("issues with the changed name until the old end, revokes the old one superseded, updates the subject", async () => {
    const newName = "福建窗口测试科技（集团）有限公司";
    const order = await businessOrderProcessing(t, clients, "change", [
      {
        certificateSerial: originals[0],
        changes: { name: newName, address: "福建省厦门市思明区" },
        reason: "企业更名",
      },
    ]);
    const item = order.items[0]!;
    expect(item.targetSerial).toBe(originals[0]);
    // Before the successor is issued, 办结 is refused and the old certificate is still good.
    const early = await operator.post(url(order.id, "/complete"), {
      version: order.version,
      how: "handover",
    });
    expect(early.status).toBe(409);
    expect(early.body.detail).toContain("尚未全部签发");
    await stillGood(originals[0]!);

    // The original was issued seconds ago for 2 years, like the successor would be by its years: record
    // an end 100 days earlier (as if bought long ago) so that keeping the old end is told apart.
    const oldEnd = new Date(
      new Date((await t.ca.getCertificate(originals[0]!)).notAfter).getTime() - 100 * 86_400_000,
    );
    await t.database.db
      .updateTable("pki_certificates")
      .set({ not_after: oldEnd.toISOString() })
      .where("serial_hex", "=", originals[0]!)
      .execute();
    const preview = await operator.get(url(order.id, `/items/${item.id}/validity`));
    expect(preview.body).toEqual({
      itemId: item.id,
      basis: "old_end",
      notAfter: oldEnd.toISOString(),
      oldSerial: originals[0],
      oldNotAfter: oldEnd.toISOString(),
    });
    const res = await issueItem(order.id, item.id, "changed");
    expect(res.status).toBe(201);
    await verifies("changed.pem");
    const text = await x509("changed.pem", "-text");
    expect(text).toContain(`O=${newName}`);
    expect(text).toContain(`CN=${newName}`);
    expect(text).toContain(`serialNumber=${COMPANY.uscc}`);
    expect(text).not.toContain(`O=${COMPANY.name}`);
    // The successor keeps the paid period: exactly the old certificate's end.
    expect(new Date(await endDate("changed.pem")).toISOString()).toBe(oldEnd.toISOString());
    expect(res.body.certificate.notAfter).toBe(oldEnd.toISOString());

    await revokedInCrlAndOcsp(originals[0]!, "superseded", "Superseded");
    const subject = await t.database.db
      .selectFrom("subjects")
      .select(["name", "legal_rep", "address"])
      .where("identity_key", "=", COMPANY.uscc)
      .executeTakeFirstOrThrow();
    expect(subject).toEqual({ name: newName, legal_rep: COMPANY.legalRep, address: "福建省厦门市思明区" });
    const audit = await t.database.db
      .selectFrom("audit_log")
      .select(["action", "detail"])
      .where("object_id", "=", order.id)
      .where("action", "=", "order.issue")
      .executeTakeFirstOrThrow();
    expect(JSON.parse(audit.detail)).toMatchObject({
      supersedes: originals[0],
      revocationReason: "superseded",
    });

    // On a recorded key, 办结; the item is done.
    await operator.post(url(order.id, `/items/${item.id}/media`), { mediaSerial: "UKEY-CHG-1" });
    const fresh = await operator.get(url(order.id));
    const done = await operator.post(url(order.id, "/complete"), {
      version: fresh.body.version,
      how: "handover",
    });
    expect(done.status).toBe(200);
    expect(done.body.state).toBe("completed");
    // A completed order issues nothing more.
    const late = await issueItem(order.id, item.id, "late");
    expect(late.status).toBe(409);
  });
});

describe("补证 at the window", () => {
  it("revokes a lost key's certificate keyCompromise and a broken one's superseded", async () => {
    const order = await businessOrderProcessing(t, clients, "reissue", [
      { certificateSerial: originals[1], cause: "lost" },
      { certificateSerial: originals[2], cause: "broken" },
    ]);
    const [lost, broken] = order.items;
    expect((await issueItem(order.id, lost!.id, "lost")).status).toBe(201);
    expect((await issueItem(order.id, broken!.id, "broken")).status).toBe(201);
    for (const f of ["lost.pem", "broken.pem"]) await verifies(f);
    expect(await endDate("lost.pem")).toBe(await endDate(`${originals[1]}.pem`));
    expect(await endDate("broken.pem")).toBe(await endDate(`${originals[2]}.pem`));
    await revokedInCrlAndOcsp(originals[1]!, "keyCompromise", "Key Compromise");
    await revokedInCrlAndOcsp(originals[2]!, "superseded", "Superseded");
  });
});

describe("换证 at the window", () => {
  it("uses the years bought when the old certificate ends within a day", async () => {
    const order = await businessOrderProcessing(t, clients, "replace", [{ certificateSerial: originals[3] }]);
    // The old certificate's recorded end moves to 12 hours from now: keeping it would be no service.
    const soon = new Date(t.time.clock().getTime() + 12 * 3600_000).toISOString();
    await t.database.db
      .updateTable("pki_certificates")
      .set({ not_after: soon })
      .where("serial_hex", "=", originals[3]!)
      .execute();
    const preview = await operator.get(url(order.id, `/items/${order.items[0]!.id}/validity`));
    expect(preview.body).toMatchObject({ basis: "years", oldSerial: originals[3], oldNotAfter: soon });
    const res = await issueItem(order.id, order.items[0]!.id, "replaced");
    expect(res.status).toBe(201);
    await verifies("replaced.pem");
    const years =
      (new Date(res.body.certificate.notAfter).getTime() -
        new Date(res.body.certificate.notBefore).getTime()) /
      (365.25 * 86_400_000);
    expect(Math.round(years)).toBe(2);
    await revokedInCrlAndOcsp(originals[3]!, "superseded", "Superseded");
  });

  it("refuses to issue when the old certificate was revoked elsewhere meanwhile, issuing nothing", async () => {
    const order = await businessOrderProcessing(t, clients, "replace", [{ certificateSerial: originals[4] }]);
    await t.ca.revoke(
      { type: "system", id: null },
      { serialHex: originals[4]!, reason: "affiliationChanged" },
    );
    const res = await issueItem(order.id, order.items[0]!.id, "not-issued");
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain("已于");
    expect(res.body.detail).toContain("吊销");
    const issued = await t.database.db
      .selectFrom("pki_certificates")
      .select("serial_hex")
      .where("order_id", "=", order.id)
      .execute();
    expect(issued).toEqual([]);
    const item = await t.database.db
      .selectFrom("order_items")
      .select("certificate_serial")
      .where("id", "=", order.items[0]!.id)
      .executeTakeFirstOrThrow();
    expect(item.certificate_serial).toBeNull();
  });
});

/** Another vendor's certificate (self-signed by openssl) of COMPANY, valid `days` days. */
async function vendorCertificate(name: string, days: number): Promise<string> {
  // The app's clock stood still since it started; openssl dates the certificate from the real now.
  t.time.set(new Date(Date.now() + 1000).toISOString());
  await opensslOk(
    [
      "req",
      "-x509",
      "-utf8",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-subj",
      `/C=CN/O=${COMPANY.name}/CN=${COMPANY.name}/serialNumber=${COMPANY.uscc}`,
      "-days",
      String(days),
      "-outform",
      "DER",
      "-out",
      `${name}.der`,
    ],
    dir,
  );
  return readFileSync(path.join(dir, `${name}.der`)).toString("base64");
}

async function companySubjectId(): Promise<string> {
  const list = await applicant.get("/api/v1/subjects");
  return list.body.subjects.find((s: { uscc: string | null }) => s.uscc === COMPANY.uscc).id;
}

describe("其他厂商介质证书更换 at the window", () => {
  it("issues until the vendor rule's end (vendor end + 1 year) and revokes nothing", async () => {
    const vendor = await vendorCertificate("vendor100", 100);
    const order = await businessOrderProcessing(t, clients, "vendor_swap", [
      {
        subjectId: await companySubjectId(),
        caTypeId: await caTypeId(t, "enterprise-sign"),
        years: 1,
        vendorCertificate: vendor,
      },
    ]);
    const crlBefore = await crlText(t, dir);
    const preview = await operator.get(url(order.id, `/items/${order.items[0]!.id}/validity`));
    expect(preview.body).toMatchObject({ basis: "plus_one_year", oldSerial: null });
    const res = await issueItem(order.id, order.items[0]!.id, "swapped");
    expect(res.status).toBe(201);
    await verifies("swapped.pem");
    await opensslOk(["x509", "-inform", "DER", "-in", "vendor100.der", "-out", "vendor100.pem"], dir);
    const vendorEnd = new Date(await endDate("vendor100.pem"));
    const expected = new Date(vendorEnd);
    expected.setUTCFullYear(expected.getUTCFullYear() + 1);
    expect(new Date(await endDate("swapped.pem")).toISOString()).toBe(expected.toISOString());
    expect(preview.body.notAfter).toBe(expected.toISOString());
    const revokedCount = (s: string) => (s.match(/Serial Number: /g) ?? []).length;
    expect(revokedCount(await crlText(t, dir))).toBe(revokedCount(crlBefore));
  });

  it("recomputes the end when issuing and refuses a vendor certificate that has expired since", async () => {
    const vendor = await vendorCertificate("vendor1", 1);
    const order = await businessOrderProcessing(t, clients, "vendor_swap", [
      {
        subjectId: await companySubjectId(),
        caTypeId: await caTypeId(t, "enterprise-sign"),
        years: 1,
        vendorCertificate: vendor,
      },
    ]);
    const start = t.time.clock().toISOString();
    t.time.advance(2 * 86_400);
    try {
      const clerk = await staffClient(t, "operator");
      const res = await clerk.post(url(order.id, `/items/${order.items[0]!.id}/issue`), {
        csrPem: await opensslCsr(dir, "expired-vendor"),
      });
      expect(res.status).toBe(409);
      expect(res.body.detail).toContain("过期");
      const preview = await clerk.get(url(order.id, `/items/${order.items[0]!.id}/validity`));
      expect(preview.status).toBe(409);
      expect(
        await t.database.db
          .selectFrom("pki_certificates")
          .select("serial_hex")
          .where("order_id", "=", order.id)
          .execute(),
      ).toEqual([]);
    } finally {
      t.time.set(start);
    }
  });
});

describe("注销 at the window", () => {
  it("revokes cessationOfOperation once per item, says so on a second try or when revoked elsewhere, then completes", async () => {
    const own = { serials: [originals[6]!, originals[7]!] };
    const order = await businessOrderProcessing(
      t,
      clients,
      "revoke",
      own.serials.map((s) => ({ certificateSerial: s })),
    );
    const [first, second] = order.items;
    // Not done yet: 办结 names the item whose certificate is still good.
    const early = await operator.post(url(order.id, "/complete"), {
      version: order.version,
      how: "handover",
    });
    expect(early.status).toBe(409);
    expect(early.body.detail).toContain("证书尚未注销（第 1 项、第 2 项）");
    // Issuing is not what a 注销 does.
    expect((await issueItem(order.id, first!.id, "no-issue")).status).toBe(409);

    const res = await operator.post(url(order.id, `/items/${first!.id}/revoke`), {});
    expect(res.status).toBe(200);
    expect(res.body.revocation).toMatchObject({ serialHex: own.serials[0], reason: "cessationOfOperation" });
    await revokedInCrlAndOcsp(own.serials[0]!, "cessationOfOperation", "Cessation Of Operation");

    const twice = await operator.post(url(order.id, `/items/${first!.id}/revoke`), {});
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toContain("不能重复注销");

    await t.ca.revoke({ type: "system", id: null }, { serialHex: own.serials[1]!, reason: "keyCompromise" });
    const elsewhere = await operator.post(url(order.id, `/items/${second!.id}/revoke`), {});
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body.detail).toContain("其他途径吊销");
    expect((await t.ca.getCertificate(own.serials[1]!)).reason).toBe("keyCompromise");

    const fresh = await operator.get(url(order.id));
    const done = await operator.post(url(order.id, "/complete"), {
      version: fresh.body.version,
      how: "handover",
    });
    expect(done.status).toBe(200);
    expect(done.body.state).toBe("completed");
    const sms = await t.database.db
      .selectFrom("sms_outbox")
      .select("text")
      .where("template", "=", "order_completed")
      .execute();
    expect(sms.map((s) => s.text)).toContainEqual(
      expect.stringContaining(`${order.orderNo} 已办结：证书已注销`),
    );
    // A completed order revokes nothing more.
    const late = await operator.post(url(order.id, `/items/${first!.id}/revoke`), {});
    expect(late.status).toBe(409);
  });

  it("refuses to revoke on an order of another business and before the materials are in", async () => {
    const order = await businessOrderProcessing(t, clients, "reissue", [
      { certificateSerial: originals[5], cause: "broken" },
    ]);
    const res = await operator.post(url(order.id, `/items/${order.items[0]!.id}/revoke`), {});
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain("补证");
    await stillGood(originals[5]!);
  });
});

describe("who may process at the window", () => {
  it("answers 401 to an applicant session and 403 to other staff on the new item routes", async () => {
    // The permission guard runs before anything is looked up: any ids will do.
    const orderId = "00000000-0000-4000-8000-000000000000";
    const itemId = "00000000-0000-4000-8000-000000000001";
    const calls: [string, string][] = [
      ["POST", url(orderId, `/items/${itemId}/revoke`)],
      ["POST", url(orderId, `/items/${itemId}/unlock-code`)],
      ["POST", url(orderId, `/items/${itemId}/unlocked-at-window`)],
      ["GET", url(orderId, `/items/${itemId}/so-pin`)],
      ["GET", url(orderId, `/items/${itemId}/validity`)],
      ["POST", url(orderId, `/items/${itemId}/issue`)],
    ];
    const finance = await staffClient(t, "finance");
    for (const [method, u] of calls) {
      const body = method === "GET" ? undefined : u.endsWith("/issue") ? { csrPem: "x" } : {};
      expect((await applicant.request(method as "GET", u, body)).status, `${method} ${u}`).toBe(401);
      for (const who of [clients.reviewer, finance]) {
        expect((await who.request(method as "GET", u, body)).status, `${method} ${u}`).toBe(403);
      }
    }
  });
});
