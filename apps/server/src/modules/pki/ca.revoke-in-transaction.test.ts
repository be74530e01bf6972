// revokeInTransaction: the CA's revocation writes inside a caller's transaction, published only after
// the caller commits. Real CA, real database (SQLite or PostgreSQL), real openssl (ocsp, crl).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CaTestApp,
  createCaTestApp,
  derToPem,
  ENTERPRISE,
  makeCsr,
  openssl,
  opensslOk,
  write,
} from "./test-support";

let t: CaTestApp;
let issuingSlug: string;
const staff = { type: "staff" as const, id: "operator-1", ip: "127.0.0.1" };

beforeAll(async () => {
  t = await createCaTestApp();
  const issuing = t.ca.issuing();
  issuingSlug = issuing.slug;
  write(t.dir, "issuing.pem", issuing.certPem);
  write(t.dir, "root.pem", t.ca.chainOf(issuing)[1]!.certPem);
  await t.listen();
});
afterAll(async () => {
  await t?.close();
});

async function issueFresh(name: string) {
  const csrPem = await makeCsr(t.dir, "p256", name);
  const cert = await t.ca.issue(staff, { csrPem, profile: "enterprise-sign", subject: ENTERPRISE });
  write(t.dir, `${name}.pem`, cert.certificatePem);
  return cert;
}

/** openssl ocsp against the listening app, with and without a nonce (fresh vs pre-signed/cached). */
async function ocspSays(name: string): Promise<string[]> {
  const out: string[] = [];
  for (const extra of [["-no_nonce"], []]) {
    const r = await openssl(
      [
        "ocsp",
        "-issuer",
        "issuing.pem",
        "-cert",
        `${name}.pem`,
        "-url",
        `${t.url}/pki/ocsp`,
        "-CAfile",
        "root.pem",
        ...extra,
      ],
      t.dir,
    );
    expect(r.out).toContain("Response verify OK");
    out.push(r.out);
  }
  return out;
}

async function crlText(): Promise<string> {
  const res = await t.app.inject({ method: "GET", url: `/pki/crl/${issuingSlug}.crl` });
  expect(res.statusCode).toBe(200);
  write(t.dir, "current.crl", derToPem(res.rawPayload, "X509 CRL"));
  return opensslOk(["crl", "-in", "current.crl", "-noout", "-text"], t.dir);
}

const crlSerial = (hex: string) => hex.toUpperCase();

describe("revokeInTransaction", () => {
  it("leaves the certificate, OCSP and the CRL untouched when the caller's transaction rolls back", async () => {
    const cert = await issueFresh("rolled");
    // Warm the OCSP memory cache with the good answer first: a rollback must not leave it stale-revoked.
    for (const out of await ocspSays("rolled")) expect(out).toContain("rolled.pem: good");
    const crlsBefore = await t.database.db.selectFrom("pki_crls").select("id").execute();
    const auditBefore = await t.database.db.selectFrom("audit_log").select("seq").execute();

    await expect(
      t.database.db.transaction().execute(async (trx) => {
        const { record, publish } = await t.ca.revokeInTransaction(trx, staff, {
          serialHex: cert.serialHex,
          reason: "superseded",
        });
        expect(record.status).toBe("revoked");
        // Inside the transaction the revocation is visible.
        const inside = await trx
          .selectFrom("pki_certificates")
          .select("status")
          .where("serial_hex", "=", cert.serialHex)
          .executeTakeFirstOrThrow();
        expect(inside.status).toBe("revoked");
        expect(typeof publish).toBe("function");
        throw new Error("the caller's later step failed");
      }),
    ).rejects.toThrow("the caller's later step failed");

    expect((await t.ca.getCertificate(cert.serialHex)).status).toBe("good");
    for (const out of await ocspSays("rolled")) expect(out).toContain("rolled.pem: good");
    expect(await t.database.db.selectFrom("pki_crls").select("id").execute()).toHaveLength(crlsBefore.length);
    expect(await t.database.db.selectFrom("audit_log").select("seq").execute()).toHaveLength(
      auditBefore.length,
    );
    const stored = await t.database.db
      .selectFrom("pki_ocsp_responses")
      .select("status")
      .where("serial_hex", "=", cert.serialHex)
      .execute();
    expect(stored.map((s) => s.status)).toEqual(["good"]);
    expect(await crlText()).not.toContain(crlSerial(cert.serialHex));
  });

  it("commits with the caller and serves revoked by OCSP and the CRL once published", async () => {
    const cert = await issueFresh("committed");
    for (const out of await ocspSays("committed")) expect(out).toContain("committed.pem: good");
    const publish = await t.database.db.transaction().execute(async (trx) => {
      const r = await t.ca.revokeInTransaction(trx, staff, {
        serialHex: cert.serialHex,
        reason: "cessationOfOperation",
      });
      return r.publish;
    });
    publish();
    for (const out of await ocspSays("committed")) {
      expect(out).toContain("committed.pem: revoked");
      expect(out).toContain("Reason: cessationOfOperation");
    }
    await t.ca.flushCrls();
    const text = await crlText();
    expect(text).toContain(crlSerial(cert.serialHex));
    expect(text).toContain("Cessation Of Operation");
  });

  it("refuses a second revocation with 409 and leaves the first one's reason", async () => {
    const cert = await issueFresh("twice");
    await t.ca.revoke(staff, { serialHex: cert.serialHex, reason: "keyCompromise" });
    await expect(
      t.database.db
        .transaction()
        .execute((trx) =>
          t.ca.revokeInTransaction(trx, staff, { serialHex: cert.serialHex, reason: "superseded" }),
        ),
    ).rejects.toMatchObject({ code: "CONFLICT", status: 409 });
    expect((await t.ca.getCertificate(cert.serialHex)).reason).toBe("keyCompromise");
  });
});
