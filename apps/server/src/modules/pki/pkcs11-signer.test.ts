import { readFileSync } from "node:fs";
import path from "node:path";
import { generateKeyPair, openToken } from "@certhall/token";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSoftHsm,
  type SoftHsm,
  softHsmMissing,
} from "../../../../../packages/token/src/testing/softhsm";
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

// Issue 12 item 3: CA_SIGNER=pkcs11 — the issuing key is generated in a (SoftHSM2) token, certified
// by the ceremony, and then signs certificates, CRLs and OCSP responses without leaving the token.
const missing = softHsmMissing();
if (missing) console.warn(`skipping the PKCS#11 issuing key tests: ${missing}`);

const PIN = "246810";
let hsm: SoftHsm;

beforeAll(async () => {
  if (missing) return;
  hsm = createSoftHsm();
  hsm.initToken("ca-issuing", { soPin: "13579135", pin: PIN });
  const session = openToken({ modulePath: hsm.modulePath, tokenLabel: "ca-issuing", pin: PIN });
  try {
    await generateKeyPair(session, { label: "issuing-ecdsa-p256", algorithm: "ecdsa-p256" });
    await generateKeyPair(session, { label: "issuing-rsa-2048", algorithm: "rsa-2048" });
  } finally {
    session.close();
  }
});
afterAll(() => hsm?.remove());

describe.skipIf(missing).each(["ecdsa-p256", "rsa-2048"])("CA_SIGNER=pkcs11 with a %s key", (algorithm) => {
  let t: CaTestApp;
  beforeAll(async () => {
    t = await createCaTestApp({
      CA_ALGORITHM: algorithm,
      CA_SIGNER: "pkcs11",
      CA_PKCS11_MODULE: hsm.modulePath,
      CA_PKCS11_TOKEN_LABEL: "ca-issuing",
      CA_PKCS11_KEY_LABEL: `issuing-${algorithm}`,
      CA_PKCS11_PIN: PIN,
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("certifies the token's key and keeps no issuing or root key in the database", async () => {
    const issuing = t.ca.issuing();
    expect(issuing.signer).toBe(t.ca.signers.token());
    expect(issuing.signer!.publicKeySpki.equals(t.ca.signers.token().publicKeySpki)).toBe(true);
    const rows = await t.database.db.selectFrom("pki_cas").select(["role", "key_sealed"]).execute();
    expect(rows.map((r) => r.key_sealed)).toEqual([null, null]);
  });

  it("signs a certificate, a CRL and OCSP answers (good, then revoked) that openssl verifies", async () => {
    const issuing = t.ca.issuing();
    write(t.dir, "issuing.pem", issuing.certPem);
    write(t.dir, "root.pem", t.ca.chainOf(issuing)[1]!.certPem);
    const csrPem = await makeCsr(t.dir, "p256", "leaf");
    const leaf = await t.ca.issue(
      { type: "system", id: "test" },
      { csrPem, profile: "enterprise-sign", subject: ENTERPRISE },
    );
    write(t.dir, "leaf.pem", leaf.certificatePem);
    expect(
      await opensslOk(["verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "leaf.pem"], t.dir),
    ).toContain("leaf.pem: OK");
    const ocsp = async (name: string) => {
      await opensslOk(
        ["ocsp", "-issuer", "issuing.pem", "-cert", "leaf.pem", "-no_nonce", "-reqout", `${name}.req`],
        t.dir,
      );
      const req = readFileSync(path.join(t.dir, `${name}.req`));
      write(t.dir, `${name}.resp`, (await t.ca.ocsp(req)).der);
      const r = await openssl(
        [
          "ocsp",
          "-respin",
          `${name}.resp`,
          "-CAfile",
          "root.pem",
          "-issuer",
          "issuing.pem",
          "-cert",
          "leaf.pem",
        ],
        t.dir,
      );
      expect(r.code).toBe(0);
      return r.out;
    };
    const good = await ocsp("good");
    expect(good).toContain("Response verify OK");
    expect(good).toContain("leaf.pem: good");
    await t.ca.revoke({ type: "system", id: "test" }, { serialHex: leaf.serialHex, reason: "keyCompromise" });
    const revoked = await ocsp("revoked");
    expect(revoked).toContain("Response verify OK");
    expect(revoked).toContain("leaf.pem: revoked");
    await t.ca.flushCrls();
    write(t.dir, "crl.pem", derToPem((await t.ca.currentCrl(issuing.slug)).der, "X509 CRL"));
    const crl = await opensslOk(
      ["crl", "-in", "crl.pem", "-CAfile", "issuing.pem", "-noout", "-text"],
      t.dir,
    );
    expect(crl).toContain(`Serial Number: ${leaf.serialHex.toUpperCase()}`);
    const r = await openssl(["crl", "-in", "crl.pem", "-CAfile", "issuing.pem", "-noout"], t.dir);
    expect(r.out).toContain("verify OK");
  });
});
