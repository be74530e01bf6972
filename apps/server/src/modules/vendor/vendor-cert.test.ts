// The "other vendor" certificates are made by the real openssl (req -x509 and a small `openssl ca`);
// ours by @certhall/pki's CA hierarchy and, once, by the server's CA service on a real database.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  type CaHierarchy,
  createCaHierarchy,
  issueCertificate,
  parseCertificate,
  type SubjectInput,
  toPem,
} from "@certhall/pki";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../errors";
import { createCaTestApp, makeCsr, opensslOk, write } from "../pki/test-support";
import { type OwnCa, readVendorCertificate, VENDOR_CERT_MESSAGES } from "./vendor-cert";

// An hour ahead: the certificates made during beforeAll start "now", a few seconds after this line.
const NOW = new Date(Date.now() + 3_600_000);
const USCC = "91350400MA2Y3Q4K5C";
const COMPANY_NAME = "三明市某某建设工程有限公司";
const COMPANY: SubjectInput = { kind: "enterprise", name: COMPANY_NAME, uscc: "91350400MA2Y12345Q" };
const VENDOR_SUBJ = `/C=CN/ST=福建省/L=三明市/O=三明市测试科技有限公司/CN=三明市测试科技, 有限公司/serialNumber=${USCC}`;

let dir: string;
let p256: CaHierarchy;
let sm2: CaHierarchy;
let ours: OwnCa[];
const pem: Record<string, string> = {};
const der: Record<string, Buffer> = {};

const file = (name: string) => readFileSync(path.join(dir, name));

const CA_CONF = `
[ ca ]
default_ca = vendor
[ vendor ]
dir = .
database = index.txt
new_certs_dir = .
certificate = vroot.pem
private_key = vroot.key
serial = serial.txt
default_md = sha256
policy = any
unique_subject = no
preserve = yes
utf8 = yes
string_mask = utf8only
email_in_dn = no
[ any ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
serialNumber = optional
[ leaf ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

/** Signs `csr` with the little openssl CA in `dir` between two openssl dates (YYYYMMDDHHMMSSZ). */
async function vendorSign(csr: string, out: string, start: string, end: string): Promise<void> {
  await opensslOk(
    ["ca", "-batch", "-config", "ca.cnf", "-extensions", "leaf", "-utf8", "-preserveDN"].concat([
      "-startdate",
      start,
      "-enddate",
      end,
      "-in",
      csr,
      "-out",
      out,
    ]),
    dir,
  );
}

const ymd = (d: Date) => `${d.toISOString().slice(0, 19).replace(/[-T:]/g, "")}Z`;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "certhall-vendor-"));

  // "Another vendor": an RSA root and an openssl CA issuing an enterprise certificate.
  await opensslOk(
    [
      "req",
      "-x509",
      "-utf8",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "vroot.key",
      "-out",
      "vroot.pem",
    ].concat(["-subj", "/C=CN/O=某某数字认证有限公司/CN=某某 SM CA", "-days", "3650"]),
    dir,
  );
  write(dir, "ca.cnf", CA_CONF);
  write(dir, "index.txt", "");
  write(dir, "serial.txt", "0A1B2C3D\n");
  await makeCsr(dir, "p256", "leaf", VENDOR_SUBJ);
  const day = 86_400_000;
  await vendorSign(
    "leaf.csr",
    "leaf.pem",
    ymd(new Date(NOW.getTime() - 30 * day)),
    ymd(new Date(NOW.getTime() + 300 * day)),
  );
  await makeCsr(dir, "rsa2048", "old", "/C=CN/CN=过期的证书");
  // 2023-12-31 17:00 UTC is 2024-01-01 01:00 in Shanghai: the message must say 2024-01-01.
  await vendorSign("old.csr", "old.pem", "20221231170000Z", "20231231170000Z");
  await makeCsr(dir, "p256", "future", "/C=CN/CN=未来的证书");
  await vendorSign("future.csr", "future.pem", "20991231170000Z", "21001231170000Z");
  // A self-signed SM2 certificate of another vendor (openssl req -x509 with SM3 and the standard ID).
  await opensslOk(
    ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", "sm2v.key"],
    dir,
  );
  await opensslOk(
    [
      "req",
      "-x509",
      "-new",
      "-utf8",
      "-key",
      "sm2v.key",
      "-sm3",
      "-sigopt",
      "distid:1234567812345678",
    ].concat(["-subj", "/C=CN/O=国密厂商/CN=国密自签证书", "-days", "30", "-out", "sm2v.pem"]),
    dir,
  );
  for (const name of ["leaf", "old", "future", "sm2v", "vroot"]) {
    pem[name] = file(`${name}.pem`).toString("utf8");
    await opensslOk(["x509", "-in", `${name}.pem`, "-outform", "DER", "-out", `${name}.der`], dir);
    der[name] = file(`${name}.der`);
  }

  // Ours: the CA hierarchies of @certhall/pki, each issuing one enterprise certificate.
  const make = (algorithm: "ecdsa-p256" | "sm2") =>
    createCaHierarchy({
      algorithm,
      rootName: `证书厅根 CA ${algorithm}`,
      issuingName: `证书厅签发 CA ${algorithm}`,
    });
  [p256, sm2] = [await make("ecdsa-p256"), await make("sm2")];
  ours = [p256.root, p256.issuing, sm2.root, sm2.issuing].map((m) => ({ certDer: m.certDer }));
  for (const [name, h, kind] of [
    ["ours-p256", p256, "p256"],
    ["ours-sm2", sm2, "sm2"],
  ] as const) {
    const csr = await makeCsr(dir, kind, name);
    const issued = await issueCertificate({
      issuer: { certDer: h.issuing.certDer, signer: h.issuing.signer },
      csr,
      profile: "enterprise-sign",
      subject: COMPANY,
      urls: {
        crl: "http://ca.test.example/pki/crl/x.crl",
        ocsp: "http://ca.test.example/pki/ocsp",
        caIssuers: "http://ca.test.example/pki/ca/x.crt",
      },
    });
    der[name] = issued.der;
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.code).toBe("VALIDATION_FAILED");
    expect(e.status).toBe(400);
    expect(e.field).toBe("vendorCertificate");
    return e;
  }
  throw new Error("expected the certificate to be refused");
}

describe("readVendorCertificate: another vendor's certificate", () => {
  it("reads a PEM certificate with openssl's text preamble, agreeing with openssl", async () => {
    expect(pem.leaf).toMatch(/^Certificate:/); // `openssl ca` writes the text form before the PEM
    const r = readVendorCertificate(Buffer.from(pem.leaf!), ours, NOW);

    const serial = (await opensslOk(["x509", "-in", "leaf.pem", "-noout", "-serial"], dir)).trim();
    expect(r.serialHex).toBe(serial.replace("serial=", "").toLowerCase());
    expect(r.serialHex).toBe("0a1b2c3d");
    const fp = (
      await opensslOk(["x509", "-in", "leaf.pem", "-noout", "-fingerprint", "-sha256"], dir)
    ).trim();
    expect(r.fingerprintSha256).toBe(fp.split("=")[1]);
    const dates = await opensslOk(["x509", "-in", "leaf.pem", "-noout", "-startdate", "-enddate"], dir);
    const [, start, end] = /notBefore=(.*)\nnotAfter=(.*)/.exec(dates)!;
    expect(r.notBefore).toBe(new Date(start!).toISOString());
    expect(r.notAfter).toBe(new Date(end!).toISOString());
    expect(r.derBase64).toBe(der.leaf!.toString("base64"));

    // RFC 4514 order, readable Chinese, the comma inside the CN escaped.
    expect(r.subject).toBe(
      `serialNumber=${USCC},CN=三明市测试科技\\, 有限公司,O=三明市测试科技有限公司,L=三明市,ST=福建省,C=CN`,
    );
    expect(r.issuer).toBe("CN=某某 SM CA,O=某某数字认证有限公司,C=CN");
    expect(r.subjectFields).toEqual({
      cn: "三明市测试科技, 有限公司",
      o: "三明市测试科技有限公司",
      serialNumber: USCC,
      uscc: USCC,
    });
  });

  it("reads the same certificate as DER, as a Windows .cer (CRLF, BOM) and as bare Base64", () => {
    const fromPem = readVendorCertificate(Buffer.from(pem.leaf!), ours, NOW);
    expect(readVendorCertificate(der.leaf!, ours, NOW)).toEqual(fromPem);
    const cer = `\ufeff${toPem(der.leaf!, "CERTIFICATE").replace(/\n/g, "\r\n")}`;
    expect(readVendorCertificate(Buffer.from(cer, "utf8"), ours, NOW)).toEqual(fromPem);
    const bare = der.leaf!.toString("base64").replace(/.{76}/g, "$&\r\n");
    expect(readVendorCertificate(Buffer.from(bare), ours, NOW)).toEqual(fromPem);
    // DER followed by a newline, as some tools save it.
    expect(readVendorCertificate(Buffer.concat([der.leaf!, Buffer.from("\r\n")]), ours, NOW)).toEqual(
      fromPem,
    );
  });

  it("accepts another vendor's SM2 certificate and a self-signed vendor root", () => {
    const sm2v = readVendorCertificate(der.sm2v!, ours, NOW);
    expect(sm2v.subject).toBe("CN=国密自签证书,O=国密厂商,C=CN");
    expect(sm2v.subjectFields).toEqual({ cn: "国密自签证书", o: "国密厂商" });
    expect(readVendorCertificate(der.vroot!, ours, NOW).issuer).toBe(
      "CN=某某 SM CA,O=某某数字认证有限公司,C=CN",
    );
  });

  it("accepts a file of exactly 64 KB and refuses one byte more", () => {
    const ok = Buffer.concat([
      Buffer.alloc(65_536 - pem.leaf!.length - 1, "x"),
      Buffer.from(`\n${pem.leaf}`),
    ]);
    expect(ok.length).toBe(65_536);
    expect(readVendorCertificate(ok, ours, NOW).serialHex).toBe("0a1b2c3d");
    const big = Buffer.concat([ok, Buffer.from("\n")]);
    expect(refusal(() => readVendorCertificate(big, ours, NOW)).message).toBe(VENDOR_CERT_MESSAGES.tooLarge);
    const huge = Buffer.concat([der.leaf!, Buffer.alloc(1_000_000)]);
    expect(refusal(() => readVendorCertificate(huge, ours, NOW)).message).toBe(VENDOR_CERT_MESSAGES.tooLarge);
  });
});

describe("readVendorCertificate: what is not one readable certificate", () => {
  it("refuses garbage, empty files, truncated and corrupted DER", () => {
    const unreadable = (bytes: Buffer) => refusal(() => readVendorCertificate(bytes, ours, NOW)).message;
    expect(unreadable(Buffer.from("这不是证书\n"))).toBe(VENDOR_CERT_MESSAGES.unreadable);
    expect(unreadable(Buffer.alloc(0))).toBe(VENDOR_CERT_MESSAGES.unreadable);
    expect(unreadable(Buffer.from([0x30, 0x82, 0x01]))).toBe(VENDOR_CERT_MESSAGES.unreadable);
    expect(unreadable(der.leaf!.subarray(0, der.leaf!.length - 10))).toBe(VENDOR_CERT_MESSAGES.unreadable);
    const flipped = Buffer.from(der.leaf!);
    flipped[8] = 0x05; // inside the TBSCertificate header
    expect(unreadable(flipped)).toBe(VENDOR_CERT_MESSAGES.unreadable);
    expect(unreadable(Buffer.concat([der.leaf!, Buffer.from("trailing")]))).toBe(
      VENDOR_CERT_MESSAGES.unreadable,
    );
    const badB64 = toPem(der.leaf!, "CERTIFICATE").replace(/\n[A-Za-z]/, "\n*");
    expect(unreadable(Buffer.from(badB64))).toBe(VENDOR_CERT_MESSAGES.unreadable);
    const cut = toPem(der.leaf!, "CERTIFICATE").split("-----END")[0]!;
    expect(unreadable(Buffer.from(cut))).toBe(VENDOR_CERT_MESSAGES.unreadable);
  });

  it("refuses a certificate request (PEM CSR) and a DER CSR", async () => {
    const csrPem = readFileSync(path.join(dir, "leaf.csr"), "utf8");
    expect(csrPem).toContain("BEGIN CERTIFICATE REQUEST");
    expect(refusal(() => readVendorCertificate(Buffer.from(csrPem), ours, NOW)).message).toBe(
      VENDOR_CERT_MESSAGES.unreadable,
    );
    await opensslOk(["req", "-in", "leaf.csr", "-outform", "DER", "-out", "leaf.csr.der"], dir);
    expect(refusal(() => readVendorCertificate(file("leaf.csr.der"), ours, NOW)).message).toBe(
      VENDOR_CERT_MESSAGES.unreadable,
    );
  });

  it("refuses two certificates, in PEM or as concatenated DER", () => {
    const two = Buffer.from(pem.leaf! + pem.sm2v!);
    expect(refusal(() => readVendorCertificate(two, ours, NOW)).message).toBe(VENDOR_CERT_MESSAGES.several);
    const twoDer = Buffer.concat([der.leaf!, der.vroot!]);
    expect(refusal(() => readVendorCertificate(twoDer, ours, NOW)).message).toBe(
      VENDOR_CERT_MESSAGES.several,
    );
  });

  it("refuses a file carrying a private key", () => {
    const withKey = Buffer.concat([file("leaf.key"), Buffer.from(pem.leaf!)]);
    expect(refusal(() => readVendorCertificate(withKey, ours, NOW)).message).toBe(
      VENDOR_CERT_MESSAGES.privateKey,
    );
  });
});

describe("readVendorCertificate: validity", () => {
  it("refuses an expired certificate with its Asia/Shanghai end date", () => {
    const e = refusal(() => readVendorCertificate(Buffer.from(pem.old!), ours, NOW));
    expect(e.message).toBe("该证书已于 2024-01-01 过期，不能更换，请申请新证");
  });

  it("counts the notAfter instant itself as expired, one second before as valid", () => {
    const notAfter = new Date(readVendorCertificate(der.leaf!, ours, NOW).notAfter);
    expect(refusal(() => readVendorCertificate(der.leaf!, ours, notAfter)).message).toMatch(
      /^该证书已于 \d{4}-\d\d-\d\d 过期/,
    );
    expect(readVendorCertificate(der.leaf!, ours, new Date(notAfter.getTime() - 1000)).notAfter).toBe(
      notAfter.toISOString(),
    );
  });

  it("refuses a certificate that is not valid yet", () => {
    const e = refusal(() => readVendorCertificate(der.future!, ours, NOW));
    expect(e.message).toBe(VENDOR_CERT_MESSAGES.notYetValid("2100-01-01"));
  });
});

describe("readVendorCertificate: certificates of our own CAs", () => {
  it("refuses a certificate issued by our ECDSA and our SM2 issuing CA", () => {
    for (const name of ["ours-p256", "ours-sm2"]) {
      expect(refusal(() => readVendorCertificate(der[name]!, ours, NOW)).message).toBe(
        VENDOR_CERT_MESSAGES.ours,
      );
      // Without our CAs in the list the same certificate is just another certificate.
      expect(readVendorCertificate(der[name]!, [], NOW).subjectFields.o).toBe(COMPANY_NAME);
    }
    // Our root certificate itself (self-signed by our root).
    expect(refusal(() => readVendorCertificate(sm2.root.certDer, ours, NOW)).message).toBe(
      VENDOR_CERT_MESSAGES.ours,
    );
  });

  it("uses the subjectDer given for a CA", () => {
    const issuing = parseCertificate(p256.issuing.certDer);
    const only = [{ subjectDer: issuing.subjectRaw, certDer: p256.issuing.certDer }];
    expect(refusal(() => readVendorCertificate(der["ours-p256"]!, only, NOW)).message).toBe(
      VENDOR_CERT_MESSAGES.ours,
    );
    const wrongName = [
      { subjectDer: parseCertificate(der.vroot!).subjectRaw, certDer: p256.issuing.certDer },
    ];
    expect(readVendorCertificate(der["ours-p256"]!, wrongName, NOW).serialHex).toMatch(/^[0-9a-f]+$/);
  });

  it("does not count a look-alike: our issuer name, another vendor's key (ECDSA and SM2)", async () => {
    for (const [h, kind] of [
      [p256, "p256"],
      [sm2, "sm2"],
    ] as const) {
      const name = `fake-${kind}`;
      const issuing = parseCertificate(h.issuing.certDer);
      // A forged CA with our issuing CA's exact name, and a leaf whose AKI even copies our CA's SKI.
      await opensslOk(
        [
          "genpkey",
          "-algorithm",
          "EC",
          "-pkeyopt",
          `ec_paramgen_curve:${kind === "sm2" ? "SM2" : "P-256"}`,
          "-out",
          `${name}-ca.key`,
        ],
        dir,
      );
      const ourSki = skiOf(h.issuing.certDer);
      write(
        dir,
        `${name}.ext`,
        `basicConstraints = CA:FALSE\n2.5.29.35 = DER:30168014${ourSki.toString("hex")}\n`,
      );
      const subj = `/C=CN/CN=证书厅签发 CA ${kind === "sm2" ? "sm2" : "ecdsa-p256"}`;
      const sig = kind === "sm2" ? ["-sm3", "-sigopt", "distid:1234567812345678"] : [];
      await opensslOk(
        [
          "req",
          "-x509",
          "-new",
          "-utf8",
          "-key",
          `${name}-ca.key`,
          ...sig,
          "-subj",
          subj,
          "-days",
          "30",
          "-out",
          `${name}-ca.pem`,
        ],
        dir,
      );
      await makeCsr(dir, kind, name, "/C=CN/CN=冒名证书");
      const signSig =
        kind === "sm2"
          ? ["-sm3", "-sigopt", "distid:1234567812345678", "-vfyopt", "distid:1234567812345678"]
          : [];
      await opensslOk(
        [
          "x509",
          "-req",
          "-in",
          `${name}.csr`,
          "-CA",
          `${name}-ca.pem`,
          "-CAkey",
          `${name}-ca.key`,
          ...signSig,
        ].concat([
          "-days",
          "30",
          "-set_serial",
          "77",
          "-extfile",
          `${name}.ext`,
          "-outform",
          "DER",
          "-out",
          `${name}.der`,
        ]),
        dir,
      );
      const fake = parseCertificate(file(`${name}.der`));
      // The premise: same issuer Name bytes and the same AKI as a certificate of ours.
      expect(fake.issuerRaw.equals(issuing.subjectRaw)).toBe(true);
      expect(akiOf(file(`${name}.der`)).equals(ourSki)).toBe(true);
      const r = readVendorCertificate(file(`${name}.der`), ours, NOW);
      expect(r.subject).toBe("CN=冒名证书,C=CN");
      expect(r.issuer).toBe(`CN=${subj.split("CN=")[1]},C=CN`);
    }
  });

  it("refuses a certificate issued by the server's CA service (CAs as the service lists them)", async () => {
    const t = await createCaTestApp();
    try {
      const csrPem = await makeCsr(t.dir, "p256", "svc");
      const issued = await t.ca.issue(
        { type: "system", id: "test" },
        {
          csrPem,
          profile: "enterprise-sign",
          subject: { kind: "enterprise", name: "三明市测试科技有限公司", uscc: USCC },
        },
      );
      const cas = t.ca.list().map((ca) => ({ certDer: ca.certDer }));
      const e = refusal(() => readVendorCertificate(Buffer.from(issued.certificatePem), cas, NOW));
      expect(e.message).toBe(VENDOR_CERT_MESSAGES.ours);
      // Other CAs do not claim it.
      expect(readVendorCertificate(Buffer.from(issued.certificatePem), ours, NOW).subjectFields.uscc).toBe(
        USCC,
      );
    } finally {
      await t.close();
    }
  });
});

/** subjectKeyIdentifier of a certificate, read with openssl's view of the extension. */
function skiOf(certDer: Buffer): Buffer {
  const ext = parseCertificate(certDer).extensions.find((e) => e.oid === "2.5.29.14")!;
  return ext.value.subarray(2); // OCTET STRING header (short form: 20-byte identifiers)
}

function akiOf(certDer: Buffer): Buffer {
  const ext = parseCertificate(certDer).extensions.find((e) => e.oid === "2.5.29.35")!;
  return ext.value.subarray(4); // SEQUENCE { [0] keyIdentifier }
}
