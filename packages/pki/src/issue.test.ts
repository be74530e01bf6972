import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { children, explicit, readOne, seq, TAG, tlv } from "./der";
import { type CaHierarchy, createCaHierarchy } from "./hierarchy";
import { type IssueParams, issueCertificate, issuerContext, lintTbsCertificate } from "./issue";
import { inspectSpki, localSigner, type Signer } from "./keys";
import { hashResidentId } from "./names";
import { toPem } from "./pem";
import { getProfile, PROFILES } from "./profiles";
import {
  failure,
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
const URLS = {
  crl: "http://ca.example.cn/pki/crl/p256.crl",
  ocsp: "http://ca.example.cn/pki/ocsp",
  caIssuers: "http://ca.example.cn/pki/ca/p256.crt",
};
const COMPANY = {
  kind: "enterprise",
  name: "三明市某某建设工程有限公司",
  uscc: "91350400MA2Y12345Q",
  province: "福建省",
  city: "三明市",
} as const;

// Certificates are issued at a fixed date; openssl checks them at that date, not at the wall clock.
const AT = ["-attime", String(Date.parse("2025-06-02T00:00:00Z") / 1000)];

let dir: string;
let p256: CaHierarchy;
let rsa: CaHierarchy;
let sm2: CaHierarchy;
const csr: Record<string, string> = {};

afterAll(() => removeDir(dir));

beforeAll(async () => {
  dir = tmpDir();
  const make = (algorithm: "ecdsa-p256" | "rsa-2048" | "sm2") =>
    createCaHierarchy({
      algorithm,
      rootName: `测试根 ${algorithm}`,
      issuingName: `测试签发 ${algorithm}`,
      now: NOW,
    });
  [p256, rsa, sm2] = [await make("ecdsa-p256"), await make("rsa-2048"), await make("sm2")];
  for (const [name, h] of Object.entries({ p256, rsa, sm2 })) {
    write(dir, `${name}-root.pem`, h.root.certPem);
    write(dir, `${name}-issuing.pem`, h.issuing.certPem);
  }
  csr.p256 = opensslCsr(dir, "p256");
  csr.rsa2048 = opensslCsr(dir, "rsa2048");
  csr.sm2 = opensslCsr(dir, "sm2");
  csr.p384 = opensslCsr(dir, "p384");
});

const issuerOf = (h: CaHierarchy) => ({ certDer: h.issuing.certDer, signer: h.issuing.signer });

function issue(overrides: Partial<IssueParams> = {}) {
  return issueCertificate({
    issuer: issuerOf(p256),
    csr: csr.p256!,
    profile: "trading-platform",
    subject: COMPANY,
    urls: URLS,
    now: new Date("2025-06-01T00:00:00Z"),
    ...overrides,
  });
}

function text(pem: string): string {
  return opensslOk(["x509", "-noout", "-text", "-nameopt", "utf8,sep_comma_plus_space"], dir, pem);
}

describe("issueCertificate", () => {
  it("issues an enterprise certificate openssl verifies against root and issuing CA", async () => {
    const cert = await issue();
    write(dir, "leaf.pem", cert.pem);
    expect(
      opensslOk(
        ["verify", ...AT, "-CAfile", "p256-root.pem", "-untrusted", "p256-issuing.pem", "leaf.pem"],
        dir,
      ),
    ).toMatch(/leaf.pem: OK/);
  });

  it("writes the subject in Chinese with the USCC and every extension a relying party needs", async () => {
    const t = text((await issue()).pem);
    expect(t).toMatch(
      /Subject: C=CN, ST=福建省, L=三明市, O=三明市某某建设工程有限公司, CN=三明市某某建设工程有限公司, serialNumber=91350400MA2Y12345Q/,
    );
    expect(t).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(t).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation, Key Agreement\n/);
    expect(t).toMatch(
      /Extended Key Usage: \s+TLS Web Client Authentication, E-mail Protection, 1.3.6.1.4.1.311.10.3.12/,
    );
    expect(t).toMatch(
      /CRL Distribution Points: \s+Full Name:\s+URI:http:\/\/ca.example.cn\/pki\/crl\/p256.crl/,
    );
    expect(t).toMatch(/OCSP - URI:http:\/\/ca.example.cn\/pki\/ocsp/);
    expect(t).toMatch(/CA Issuers - URI:http:\/\/ca.example.cn\/pki\/ca\/p256.crt/);
    expect(t).toMatch(/Subject Key Identifier/);
    expect(t).toMatch(/1\.2\.156\.10260\.4\.1\.4: \s+\.\.91350400MA2Y12345Q/);
    const issuingSki = text(p256.issuing.certPem).match(/Subject Key Identifier:\s+([0-9A-F:]+)/)![1]!;
    expect(t).toContain(`Authority Key Identifier: \n                ${issuingSki}`);
    // All Chinese-bearing attributes are UTF8String; C and serialNumber are PrintableString.
    const asn1 = opensslOk(["asn1parse", "-inform", "PEM"], dir, (await issue()).pem);
    expect(asn1).not.toMatch(/BMPSTRING|T61STRING/);
    expect(asn1.match(/UTF8STRING/g)?.length).toBe(5);
  });

  it("uses 128-bit positive random serials without a pad byte", async () => {
    const serials = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const cert = await issue();
      const parsed = parseCertificate(cert.der);
      expect(parsed.serialHex).toBe(cert.serialHex);
      expect(cert.serialHex).toMatch(/^[0-7][0-9a-f]{31}$/);
      expect(cert.serialHex.slice(0, 2)).not.toBe("00");
      serials.add(cert.serialHex);
    }
    expect(serials.size).toBe(50);
  });

  it("defaults to the profile's validity from a slightly backdated notBefore, and honours notAfter", async () => {
    const cert = await issue();
    expect(cert.notBefore.toISOString()).toBe("2025-05-31T23:55:00.000Z");
    expect(cert.notAfter.toISOString()).toBe("2026-05-31T23:55:00.000Z");
    const chosen = await issue({ notAfter: new Date("2027-12-31T16:00:00Z") });
    expect(parseCertificate(chosen.der).notAfter.toISOString()).toBe("2027-12-31T16:00:00.000Z");
  });

  it("never backdates before the issuer's own notBefore", async () => {
    const cert = await issue({ now: NOW });
    expect(cert.notBefore.toISOString()).toBe(NOW.toISOString());
  });

  it("issues RSA certificates from RSA requests, with encipherment usages for RSA keys", async () => {
    const cert = await issue({ issuer: issuerOf(rsa), csr: csr.rsa2048! });
    write(dir, "rsa-leaf.pem", cert.pem);
    expect(
      opensslOk(
        ["verify", ...AT, "-CAfile", "rsa-root.pem", "-untrusted", "rsa-issuing.pem", "rsa-leaf.pem"],
        dir,
      ),
    ).toMatch(/OK/);
    expect(text(cert.pem)).toMatch(/Digital Signature, Non Repudiation, Key Encipherment\n/);
    expect(text(cert.pem)).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
  });

  it("issues SM2 certificates signed SM3withSM2 that openssl verifies with distid 1234567812345678", async () => {
    const cert = await issue({ issuer: issuerOf(sm2), csr: csr.sm2! });
    write(dir, "sm2-leaf.pem", cert.pem);
    // Leaf against the issuing CA, and the issuing CA against the root (see opensslSm2Verify).
    expect(
      opensslOk(
        ["verify", ...AT, "-vfyopt", SM2_ID, "-partial_chain", "-CAfile", "sm2-issuing.pem", "sm2-leaf.pem"],
        dir,
      ),
    ).toMatch(/OK/);
    expect(
      opensslOk(["verify", ...AT, "-vfyopt", SM2_ID, "-CAfile", "sm2-root.pem", "sm2-issuing.pem"], dir),
    ).toMatch(/OK/);
    const leaf = parseCertificate(cert.der);
    expect(opensslSm2Verify(dir, leaf.tbs, leaf.signature, sm2.issuing.signer.publicKeySpki)).toBe(true);
    const t = text(cert.pem);
    expect(t).toMatch(/Signature Algorithm: SM2-with-SM3/);
    expect(t).toMatch(/ASN1 OID: SM2/);
    expect(t).toMatch(/Key Encipherment\n/);
  });

  it("gives each profile its key usages and extended key usages", async () => {
    const expectations: Record<string, [RegExp, RegExp | null]> = {
      "enterprise-sign": [
        /Digital Signature, Non Repudiation\n/,
        /TLS Web Client Authentication, E-mail Protection, 1.3.6.1.4.1.311.10.3.12/,
      ],
      "enterprise-encipher": [
        /Key Usage: critical\s+Key Agreement\n/,
        /Extended Key Usage: \s+E-mail Protection\n/,
      ],
      eseal: [/Digital Signature, Non Repudiation\n/, /Extended Key Usage: \s+1.3.6.1.4.1.311.10.3.12\n/],
    };
    for (const [profile, [ku, eku]] of Object.entries(expectations)) {
      const t = text((await issue({ profile: profile as "eseal" })).pem);
      expect(t).toMatch(ku);
      if (eku) expect(t).toMatch(eku);
    }
    const person = await issue({ profile: "person-sign", subject: { kind: "person", name: "张三" } });
    const t = text(person.pem);
    expect(t).toMatch(/Subject: C=CN, CN=张三\n/);
    expect(t).not.toMatch(/1\.2\.156\.10260/);
  });

  it("puts a person's ID number only as a salted hash or masked, never in clear", async () => {
    const id = "350102199003071234";
    const salt = Buffer.from("0123456789abcdef0123456789abcdef");
    const hashed = await issue({
      profile: "person-sign",
      subject: { kind: "person", name: "张三", idNumber: id, idPolicy: { mode: "hash", salt } },
    });
    expect(text(hashed.pem)).toContain(`serialNumber=${hashResidentId(id, salt)}`);
    expect(hashed.der.includes(Buffer.from(id))).toBe(false);
    expect(hashResidentId(id, salt)).toMatch(/^IDH:[0-9a-f]{56}$/);
    expect(hashResidentId(id, Buffer.alloc(16, 1))).not.toBe(hashResidentId(id, salt));

    const masked = await issue({
      profile: "person-sign",
      subject: { kind: "person", name: "张三", idNumber: id, idPolicy: { mode: "mask" } },
    });
    expect(text(masked.pem)).toMatch(/CN=张三, description=350102\*{8}1234/);
    expect(masked.der.includes(Buffer.from(id))).toBe(false);
  });

  it("signs on the thread pool when the local signer is asked to", async () => {
    const pooled = localSigner(p256.issuing.keyPkcs8, { threadPool: true });
    const pending = pooled.sign(Buffer.from("x"));
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    const certs = await Promise.all(
      Array.from({ length: 8 }, () => issue({ issuer: { certDer: p256.issuing.certDer, signer: pooled } })),
    );
    write(dir, "pool-leaf.pem", certs[7]!.pem);
    expect(
      opensslOk(
        ["verify", ...AT, "-CAfile", "p256-root.pem", "-untrusted", "p256-issuing.pem", "pool-leaf.pem"],
        dir,
      ),
    ).toMatch(/OK/);
  });

  it("accepts a Signer that signs asynchronously, as a PKCS#11 token would", async () => {
    const local = p256.issuing.signer;
    const slow: Signer = {
      algorithm: local.algorithm,
      publicKeySpki: local.publicKeySpki,
      sign: async (data) => {
        await new Promise((r) => setTimeout(r, 5));
        return local.sign(data);
      },
    };
    const cert = await issue({ issuer: { certDer: p256.issuing.certDer, signer: slow } });
    write(dir, "async-leaf.pem", cert.pem);
    expect(
      opensslOk(
        ["verify", ...AT, "-CAfile", "p256-root.pem", "-untrusted", "p256-issuing.pem", "async-leaf.pem"],
        dir,
      ),
    ).toMatch(/OK/);
  });
});

describe("issueCertificate refusals", () => {
  it("refuses an unknown profile", async () => {
    const err = await failure(issue({ profile: "server-tls" as "eseal" }));
    expect(err.code).toBe("PKI_UNKNOWN_PROFILE");
    expect(err.message).toBe("未知的证书模板“server-tls”");
  });

  it("refuses a certificate that would outlive its issuer", async () => {
    const err = await failure(
      issue({
        notAfter: new Date("2036-01-01T00:00:00Z"),
        profile: { ...PROFILES["trading-platform"], maxYears: 20 },
      }),
    );
    expect(err.code).toBe("PKI_LINT_FAILED");
    expect(err.details).toEqual(["validity-outside-issuer"]);
  });

  it("refuses an expired notAfter, notBefore not before notAfter and validity beyond the profile's maximum", async () => {
    // Issued at 2025-06-01T00:00Z (issue 12 item 4: a notAfter one minute in the past was signed).
    const expired = await failure(issue({ notAfter: new Date("2025-05-31T23:59:00Z") }));
    expect(expired.code).toBe("PKI_BAD_VALIDITY");
    expect(expired.details).toEqual(["notAfter"]);
    expect(expired.message).toContain("不晚于当前时间");
    expect((await failure(issue({ notAfter: new Date("2025-06-01T00:00:00Z") }))).code).toBe(
      "PKI_BAD_VALIDITY",
    );
    const order = await failure(
      issue({ notBefore: new Date("2025-07-01T00:00:00Z"), notAfter: new Date("2025-07-01T00:00:00Z") }),
    );
    expect(order.details).toEqual(["notBefore"]);
    expect((await failure(issue({ notAfter: new Date("2031-06-01T00:00:00Z") }))).details).toEqual([
      "notAfter",
    ]);
  });

  it("gives exactly the years asked for: the backdate of notBefore comes out of the period", async () => {
    const five = parseCertificate((await issue({ years: 5 })).der);
    expect(five.notBefore.toISOString()).toBe("2025-05-31T23:55:00.000Z");
    expect(five.notAfter.toISOString()).toBe("2030-05-31T23:55:00.000Z");
    const byDefault = parseCertificate((await issue({})).der);
    expect(byDefault.notAfter.toISOString()).toBe("2026-05-31T23:55:00.000Z");
    // An explicit notAfter at the profile's maximum: notBefore is backdated only as far as it leaves room.
    const max = parseCertificate((await issue({ notAfter: new Date("2030-06-01T00:00:00Z") })).der);
    expect(max.notBefore.toISOString()).toBe("2025-06-01T00:00:00.000Z");
    expect(max.notAfter.toISOString()).toBe("2030-06-01T00:00:00.000Z");
    const near = parseCertificate((await issue({ notAfter: new Date("2030-05-31T23:58:00Z") })).der);
    expect(near.notBefore.toISOString()).toBe("2025-05-31T23:58:00.000Z");
    // One second more is beyond the profile.
    expect((await failure(issue({ notAfter: new Date("2030-06-01T00:00:01Z") }))).details).toEqual([
      "notAfter",
    ]);
  });

  it("does not mix up a custom profile with the built-in profile of the same id", async () => {
    const standard = text((await issue({ profile: "enterprise-sign" })).pem);
    expect(standard).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation\n/);
    const custom = { ...getProfile("enterprise-sign"), encipherment: true };
    expect(text((await issue({ profile: custom })).pem)).toMatch(
      /Digital Signature, Non Repudiation, Key Agreement\n/,
    );
  });

  it("refuses keys the profile does not allow", async () => {
    const sm2Only = { ...getProfile("enterprise-sign"), allowedKeys: ["sm2"] };
    const err = await failure(issue({ profile: sm2Only }));
    expect(err.details).toEqual(["key-not-allowed"]);
    expect((await failure(issue({ csr: csr.p384! }))).details).toEqual(["key-not-allowed"]);
  });

  it("refuses to certify the issuer's own key", async () => {
    write(dir, "issuer.key", toPem(p256.issuing.keyPkcs8, "PRIVATE KEY"));
    opensslOk(["req", "-new", "-key", "issuer.key", "-subj", "/CN=x", "-out", "issuer.csr"], dir);
    const own = opensslOk(["req", "-in", "issuer.csr"], dir);
    expect((await failure(issue({ csr: own }))).details).toEqual(["key-equals-issuer"]);
  });

  it("refuses a profile with revocation pointers when no URLs are given", async () => {
    const err = await failure(issue({ urls: undefined }));
    expect(err.details).toEqual(["extension-missing:2.5.29.31", "extension-missing:1.3.6.1.5.5.7.1.1"]);
  });

  it("refuses subjects that do not fit the profile or fail their check digits", async () => {
    expect((await failure(issue({ subject: { kind: "person", name: "张三" } }))).code).toBe(
      "PKI_BAD_SUBJECT",
    );
    const badUscc = await failure(issue({ subject: { ...COMPANY, uscc: "91350400MA2Y12345R" } }));
    expect(badUscc.code).toBe("PKI_BAD_SUBJECT");
    expect(badUscc.message).toMatch(/统一社会信用代码/);
    const badId = await failure(
      issue({
        profile: "person-sign",
        subject: { kind: "person", name: "张三", idNumber: "350102199002301234", idPolicy: { mode: "mask" } },
      }),
    );
    expect(badId.message).toMatch(/身份证号无效/);
    expect((await failure(issue({ subject: { ...COMPANY, name: " " } }))).code).toBe("PKI_BAD_SUBJECT");
  });

  it("refuses an issuer whose signer holds another key", async () => {
    const err = await failure(issue({ issuer: { certDer: p256.issuing.certDer, signer: p256.root.signer } }));
    expect(err.code).toBe("PKI_KEY_MISMATCH");
  });

  it("refuses a bad CSR before anything is signed", async () => {
    expect((await failure(issue({ csr: "garbage" }))).code).toBe("PKI_BAD_PEM");
  });
});

describe("lintTbsCertificate", () => {
  it("finds duplicate extensions and a foreign issuer name in an encoded TBSCertificate", async () => {
    const cert = parseCertificate((await issue()).der);
    const parts = children(readOne(cert.tbs));
    const extsWrapper = parts[parts.length - 1]!;
    const exts = children(children(extsWrapper)[0]!).map((e) => e.raw);
    const duplicated = seq(...parts.slice(0, -1).map((p) => p.raw), explicit(3, seq(...exts, exts[0]!)));
    const ctx = issuerContext(issuerOf(p256));
    const key = inspectSpki(cert.spki);
    const profile = getProfile("trading-platform");
    expect(lintTbsCertificate(cert.tbs, ctx, profile, key)).toEqual([]);
    expect(lintTbsCertificate(duplicated, ctx, profile, key)).toEqual(["extension-duplicate:2.5.29.14"]);
    const otherIssuer = seq(
      ...parts.map((p, i) => (i === 3 ? parseCertificate(p256.root.certDer).subjectRaw : p.raw)),
    );
    expect(lintTbsCertificate(otherIssuer, ctx, profile, key)).toEqual(["issuer-name-mismatch"]);
    const withSerial = (bytes: number[]) =>
      seq(...parts.map((p, i) => (i === 1 ? tlv(TAG.INTEGER, Buffer.from(bytes)) : p.raw)));
    expect(lintTbsCertificate(withSerial([0x80, 1, 2]), ctx, profile, key)).toEqual(["serial-not-positive"]);
    expect(lintTbsCertificate(withSerial([0]), ctx, profile, key)).toEqual(["serial-not-positive"]);
    expect(lintTbsCertificate(withSerial(Array(21).fill(1)), ctx, profile, key)).toEqual(["serial-length"]);
    expect(lintTbsCertificate(withSerial([0, 1]), ctx, profile, key)).toEqual(["serial-not-minimal"]);
  });
});
