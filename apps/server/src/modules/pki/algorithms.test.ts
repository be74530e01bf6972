import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CaTestApp,
  createCaTestApp,
  ENTERPRISE,
  makeCsr,
  openssl,
  opensslOk,
  TEST_SERVICE_TOKEN,
  write,
} from "./test-support";

// CA_ALGORITHM other than the P-256 default: the hierarchy, issuance, CRL and OCSP with an SM2 CA
// (SM3 signatures, GM/T 0015 default ID) and an RSA CA, checked with openssl.
/** The contents of a DER SEQUENCE's children: [0] whole TLV for the first, values for the rest. */
function derChildren(der: Buffer): Buffer[] {
  const header = (b: Buffer, at: number) => {
    const l = b[at + 1]!;
    if (l < 0x80) return { hl: 2, len: l };
    const n = l & 0x7f;
    return { hl: 2 + n, len: b.subarray(at + 2, at + 2 + n).reduce((a, x) => a * 256 + x, 0) };
  };
  const top = header(der, 0);
  const out: Buffer[] = [];
  for (let at = top.hl; at < top.hl + top.len; ) {
    const h = header(der, at);
    out.push(
      out.length === 0 ? der.subarray(at, at + h.hl + h.len) : der.subarray(at + h.hl, at + h.hl + h.len),
    );
    at += h.hl + h.len;
  }
  return out;
}

const auth = { authorization: `Bearer ${TEST_SERVICE_TOKEN}` };

for (const { algorithm, key, vfy } of [
  { algorithm: "sm2", key: "sm2" as const, vfy: ["-vfyopt", "distid:1234567812345678"] },
  { algorithm: "rsa-2048", key: "rsa2048" as const, vfy: [] as string[] },
]) {
  describe(`a ${algorithm} CA`, () => {
    let t: CaTestApp;
    beforeAll(async () => {
      t = await createCaTestApp({ CA_ALGORITHM: algorithm });
      const issuing = t.ca.issuing();
      write(t.dir, "issuing.pem", issuing.certPem);
      write(t.dir, "root.pem", t.ca.chainOf(issuing)[1]!.certPem);
      await t.listen();
    });
    afterAll(async () => {
      await t?.close();
    });

    it("issues a certificate openssl verifies against the chain", async () => {
      expect(t.ca.issuing().algorithm).toBe(algorithm);
      const csrPem = await makeCsr(t.dir, key, "leaf");
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/pki/issue",
        headers: auth,
        payload: { csrPem, profile: "enterprise-sign", subject: ENTERPRISE },
      });
      expect(res.statusCode).toBe(201);
      write(t.dir, "leaf.pem", res.json().certificatePem);
      // OpenSSL 3.0 applies -vfyopt distid only to the certificate being verified, so an SM2 chain
      // is checked link by link (as packages/pki's tests do).
      const verify =
        algorithm === "sm2"
          ? await opensslOk(
              ["verify", ...vfy, "-partial_chain", "-CAfile", "issuing.pem", "-purpose", "any", "leaf.pem"],
              t.dir,
            )
          : await opensslOk(
              ["verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "-purpose", "any", "leaf.pem"],
              t.dir,
            );
      if (algorithm === "sm2") {
        expect(await opensslOk(["verify", ...vfy, "-CAfile", "root.pem", "issuing.pem"], t.dir)).toContain(
          "OK",
        );
      }
      expect(verify).toContain("leaf.pem: OK");
      const text = await opensslOk(["x509", "-in", "leaf.pem", "-noout", "-text"], t.dir);
      expect(text).toContain(algorithm === "sm2" ? "SM2-with-SM3" : "sha256WithRSAEncryption");
    });

    it("publishes a CRL and answers OCSP that openssl reads", async () => {
      const crl = await t.app.inject({ method: "GET", url: `/pki/crl/${t.ca.issuing().slug}.crl` });
      write(t.dir, "crl.der", crl.rawPayload);
      const crlText = await opensslOk(["crl", "-inform", "DER", "-in", "crl.der", "-noout", "-text"], t.dir);
      expect(crlText).toContain("X509v3 CRL Number");
      const r = await openssl(
        [
          "ocsp",
          "-issuer",
          "issuing.pem",
          "-cert",
          "leaf.pem",
          "-url",
          `${t.url}/pki/ocsp`,
          "-no_nonce",
          "-noverify",
          "-resp_text",
        ],
        t.dir,
      );
      expect(r.out).toContain("leaf.pem: good");
      expect(r.out).toContain(algorithm === "sm2" ? "SM2-with-SM3" : "sha256WithRSAEncryption");
      if (algorithm === "sm2") {
        // openssl crl cannot take an SM2 ID, so the CRL signature is checked with pkeyutl (SM3, default ID).
        const [tbs, , sig] = derChildren(crl.rawPayload);
        write(t.dir, "crl-tbs.bin", tbs!);
        write(t.dir, "crl-sig.bin", sig!.subarray(1)); // BIT STRING contents after the unused-bits byte
        await opensslOk(
          ["x509", "-in", "issuing.pem", "-noout", "-pubkey", "-out", "issuing-pub.pem"],
          t.dir,
        );
        const ok = await openssl(
          [
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "issuing-pub.pem",
            "-rawin",
            "-digest",
            "sm3",
            "-in",
            "crl-tbs.bin",
            "-sigfile",
            "crl-sig.bin",
            "-pkeyopt",
            "distid:1234567812345678",
          ],
          t.dir,
        );
        expect(ok.out).toContain("Signature Verified Successfully");
      } else {
        const verified = await openssl(
          [
            "ocsp",
            "-issuer",
            "issuing.pem",
            "-cert",
            "leaf.pem",
            "-url",
            `${t.url}/pki/ocsp`,
            "-CAfile",
            "root.pem",
          ],
          t.dir,
        );
        expect(verified.out).toContain("Response verify OK");
        const crlVerify = await openssl(
          ["crl", "-inform", "DER", "-in", "crl.der", "-CAfile", "issuing.pem", "-noout"],
          t.dir,
        );
        expect(crlVerify.out).toContain("verify OK");
      }
      expect(readFileSync(path.join(t.dir, "crl.der")).length).toBeGreaterThan(100);
    });
  });
}
