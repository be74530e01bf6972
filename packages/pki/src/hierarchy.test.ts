import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PkiError } from "./errors";
import { type CaHierarchy, createCaHierarchy, importCa } from "./hierarchy";
import { issueCertificate } from "./issue";
import { localSigner } from "./keys";
import { toPem } from "./pem";
import {
  openssl,
  opensslCsr,
  opensslOk,
  opensslSm2Verify,
  removeDir,
  SM2_ID,
  tmpDir,
  write,
} from "./test-support";
import { parseCertificate } from "./x509";

const NOW = new Date("2025-03-01T08:00:00Z");
let dir: string;

afterAll(() => removeDir(dir));

beforeAll(() => {
  dir = tmpDir();
});

function text(pem: string): string {
  return opensslOk(["x509", "-noout", "-text", "-nameopt", "utf8,sep_comma_plus_space"], dir, pem);
}

describe("createCaHierarchy", () => {
  for (const algorithm of ["ecdsa-p256", "rsa-2048", "rsa-3072", "sm2"] as const) {
    it(`makes a ${algorithm} root and issuing CA that openssl verifies, with CA extensions`, async () => {
      const h = await createCaHierarchy({
        algorithm,
        rootName: "福建测试根证书",
        issuingName: [
          { type: "C", value: "CN" },
          { type: "O", value: "福建测试认证有限公司" },
          { type: "CN", value: "福建测试签发证书" },
        ],
        now: NOW,
      });
      const root = write(dir, `${algorithm}-root.pem`, h.root.certPem);
      const issuing = write(dir, `${algorithm}-issuing.pem`, h.issuing.certPem);
      const sm2 = algorithm === "sm2" ? ["-vfyopt", SM2_ID] : [];
      expect(opensslOk(["verify", ...sm2, "-CAfile", root, issuing], dir)).toMatch(/: OK/);
      // The root's self-signature, checked explicitly (openssl skips it by default).
      if (algorithm === "sm2") {
        const r = parseCertificate(h.root.certDer);
        expect(opensslSm2Verify(dir, r.tbs, r.signature, r.spki)).toBe(true);
      } else {
        expect(opensslOk(["verify", "-check_ss_sig", "-CAfile", root, root], dir)).toMatch(/: OK/);
      }

      const rootText = text(h.root.certPem);
      expect(rootText).toMatch(/Subject: C=CN, CN=福建测试根证书/);
      // No pathLenConstraint on the root (CA/B BR 7.1.2.1); digitalSignature: it may sign OCSP answers.
      expect(rootText).toMatch(/Basic Constraints: critical\s+CA:TRUE\n/);
      expect(rootText).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
      const issuingText = text(h.issuing.certPem);
      expect(issuingText).toMatch(/Subject: C=CN, O=福建测试认证有限公司, CN=福建测试签发证书/);
      expect(issuingText).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
      expect(issuingText).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
      // The issuing CA's AKI is the root's SKI.
      const rootSki = rootText.match(/Subject Key Identifier:\s+([0-9A-F:]+)/)![1];
      expect(issuingText).toContain(`Authority Key Identifier: \n                ${rootSki}`);

      const r = parseCertificate(h.root.certDer);
      const i = parseCertificate(h.issuing.certDer);
      expect(r.notBefore.toISOString()).toBe("2025-03-01T08:00:00.000Z");
      expect(r.notAfter.toISOString()).toBe("2045-03-01T08:00:00.000Z");
      expect(i.notAfter.toISOString()).toBe("2035-03-01T08:00:00.000Z");
      expect(h.issuing.signer.publicKeySpki.equals(i.spki)).toBe(true);
      expect(localSigner(h.issuing.keyPkcs8).publicKeySpki.equals(i.spki)).toBe(true);
    });
  }
});

describe("importCa", () => {
  let h: CaHierarchy;
  beforeAll(async () => {
    h = await createCaHierarchy({ algorithm: "ecdsa-p256", rootName: "根", issuingName: "签发", now: NOW });
  });

  it("accepts a certificate with its own key and signs with it", () => {
    const ca = importCa(h.issuing.certPem, toPem(h.issuing.keyPkcs8, "PRIVATE KEY"));
    expect(ca.algorithm).toBe("ecdsa-p256");
    expect(ca.certDer.equals(h.issuing.certDer)).toBe(true);
    expect(ca.serialHex).toBe(h.issuing.serialHex);
  });

  it("refuses a certificate paired with another key", () => {
    try {
      importCa(h.issuing.certPem, toPem(h.root.keyPkcs8, "PRIVATE KEY"));
      expect.unreachable();
    } catch (err) {
      expect((err as PkiError).code).toBe("PKI_KEY_MISMATCH");
      expect((err as PkiError).message).toBe("CA 证书与私钥不匹配");
    }
  });

  it("refuses a key file where the certificate belongs", () => {
    expect(() => importCa(toPem(h.issuing.keyPkcs8, "PRIVATE KEY"), h.issuing.certPem)).toThrow(PkiError);
  });

  it("imports an openssl-made CA with a traditional EC key and issues certificates openssl verifies", async () => {
    opensslOk(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ext-ca.key"], dir);
    opensslOk(
      [
        "req",
        "-x509",
        "-new",
        "-key",
        "ext-ca.key",
        "-subj",
        "/C=CN/CN=外部导入CA",
        "-utf8",
        "-days",
        "3650",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-out",
        "ext-ca.pem",
      ],
      dir,
    );
    const keyPem = fs.readFileSync(path.join(dir, "ext-ca.key"), "utf8");
    expect(keyPem).toMatch(/BEGIN EC PRIVATE KEY/);
    const ca = importCa(fs.readFileSync(path.join(dir, "ext-ca.pem"), "utf8"), keyPem);
    const leaf = await issueCertificate({
      issuer: { certDer: ca.certDer, signer: ca.signer },
      csr: opensslCsr(dir, "p256", "/CN=x", "import-leaf"),
      profile: "person-sign",
      subject: { kind: "person", name: "王五" },
      urls: { crl: "http://ca.test/c.crl", ocsp: "http://ca.test/ocsp", caIssuers: "http://ca.test/ca.crt" },
    });
    write(dir, "import-leaf.pem", leaf.pem);
    expect(opensslOk(["verify", "-CAfile", "ext-ca.pem", "import-leaf.pem"], dir)).toMatch(/OK/);
  });

  it("imports an openssl-made SM2 CA and signs with the standard distinguishing ID", async () => {
    opensslOk(
      ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", "sm2-ca.key"],
      dir,
    );
    opensslOk(
      [
        "req",
        "-x509",
        "-new",
        "-key",
        "sm2-ca.key",
        "-subj",
        "/C=CN/CN=外部 SM2 CA",
        "-utf8",
        "-days",
        "3650",
        "-sm3",
        "-sigopt",
        SM2_ID,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-out",
        "sm2-ca.pem",
      ],
      dir,
    );
    const ca = importCa(
      fs.readFileSync(path.join(dir, "sm2-ca.pem"), "utf8"),
      fs.readFileSync(path.join(dir, "sm2-ca.key"), "utf8"),
    );
    expect(ca.algorithm).toBe("sm2");
    const leaf = await issueCertificate({
      issuer: { certDer: ca.certDer, signer: ca.signer },
      csr: opensslCsr(dir, "sm2", "/CN=x", "sm2-import-leaf"),
      profile: "person-sign",
      subject: { kind: "person", name: "钱七" },
      urls: { crl: "http://ca.test/c.crl", ocsp: "http://ca.test/ocsp", caIssuers: "http://ca.test/ca.crt" },
    });
    write(dir, "sm2-import-leaf.pem", leaf.pem);
    expect(
      opensslOk(["verify", "-vfyopt", SM2_ID, "-CAfile", "sm2-ca.pem", "sm2-import-leaf.pem"], dir),
    ).toMatch(/OK/);
  });

  it("refuses an end-entity certificate as a CA", async () => {
    const leafKey = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    write(dir, "ee.key", leafKey.export({ type: "pkcs8", format: "pem" }));
    opensslOk(
      [
        "req",
        "-x509",
        "-new",
        "-key",
        "ee.key",
        "-subj",
        "/CN=ee",
        "-days",
        "1",
        "-addext",
        "basicConstraints=CA:FALSE",
        "-out",
        "ee.pem",
      ],
      dir,
    );
    const r = openssl(["x509", "-in", "ee.pem", "-noout"], dir);
    expect(r.status).toBe(0);
    expect(() =>
      importCa(
        fs.readFileSync(path.join(dir, "ee.pem"), "utf8"),
        fs.readFileSync(path.join(dir, "ee.key"), "utf8"),
      ),
    ).toThrow(/不是 CA 证书/);
  });
});
