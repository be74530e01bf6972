import { spawnSync } from "node:child_process";
import { createPublicKey, verify as cryptoVerify } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildCertId,
  buildCrl,
  buildOcspResponse,
  createCsr,
  createRootCa,
  generateKeyPair as generateFileKey,
  issueCertificate,
  localSigner,
  signIssuingCa,
  toPem,
} from "@certhall/pki";
import pkcs11js from "pkcs11js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TokenError } from "./errors";
import { generateKeyPair, type KeyAlgorithm } from "./keys";
import { openPkcs11Signer, type Pkcs11Signer } from "./signer";
import { createSoftHsm, type SoftHsm } from "./testing/softhsm";
import { openToken } from "./token";

// The CA's issuing key in a token (CA_SIGNER=pkcs11): the token signs a certificate, a CRL and an
// OCSP response, and openssl — not our code — checks all three against the chain.
const PIN = "123456";
let hsm: SoftHsm;
let dir: string;
const signers: Pkcs11Signer[] = [];

beforeAll(async () => {
  hsm = createSoftHsm();
  hsm.initToken("ca", { soPin: "87654321", pin: PIN });
  dir = mkdtempSync(join(tmpdir(), "certhall-p11-signer-"));
  const session = openToken({ modulePath: hsm.modulePath, tokenLabel: "ca", pin: PIN });
  try {
    for (const algorithm of ["ecdsa-p256", "rsa-2048"] as KeyAlgorithm[]) {
      await generateKeyPair(session, { label: `issuing-${algorithm}`, algorithm });
    }
    // A key whose private half may be exported: not acceptable as a CA key.
    session.pkcs11.C_GenerateKeyPair(
      session.handle,
      { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN },
      [
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_LABEL, value: "exportable" },
        { type: pkcs11js.CKA_ID, value: Buffer.from("0e", "hex") },
        { type: pkcs11js.CKA_EC_PARAMS, value: Buffer.from("06082a8648ce3d030107", "hex") },
        { type: pkcs11js.CKA_VERIFY, value: true },
      ],
      [
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_LABEL, value: "exportable" },
        { type: pkcs11js.CKA_ID, value: Buffer.from("0e", "hex") },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: false },
        { type: pkcs11js.CKA_EXTRACTABLE, value: true },
        { type: pkcs11js.CKA_SIGN, value: true },
      ],
    );
  } finally {
    session.close();
  }
});

// PKCS#11 login is per application and token: one signer open at a time.
afterEach(() => {
  for (const s of signers.splice(0)) s.close();
});

afterAll(() => {
  hsm?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const openssl = (args: string[]) => {
  const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

function open(keyLabel: string): Pkcs11Signer {
  const s = openPkcs11Signer({ modulePath: hsm.modulePath, tokenLabel: "ca", pin: PIN, keyLabel });
  signers.push(s);
  return s;
}

describe.each([
  ["ecdsa-p256", "ecdsa-p256"],
  ["rsa-2048", "rsa-2048"],
] as const)("openPkcs11Signer (%s)", (keyAlgorithm, caAlgorithm) => {
  it("signs a certificate, a CRL and an OCSP response that openssl verifies against the chain", async () => {
    const signer = open(`issuing-${keyAlgorithm}`);
    expect(signer.algorithm).toBe(caAlgorithm);
    const root = await createRootCa({ algorithm: caAlgorithm, name: [{ type: "CN", value: "P11 Root" }] });
    const issuing = await signIssuingCa({
      root,
      issuingSpki: signer.publicKeySpki,
      issuingName: [{ type: "CN", value: "P11 Issuing" }],
      urls: { arl: "http://pki.test/pki/crl/root.crl", rootCert: "http://pki.test/pki/ca/root.crt" },
    });
    const issuer = { certDer: issuing.certDer, signer };
    const leafKey = generateFileKey("ecdsa-p256");
    const csr = (await createCsr([{ type: "CN", value: "leaf" }], localSigner(leafKey.pkcs8))).pem;
    const leaf = await issueCertificate({
      issuer,
      csr,
      profile: "enterprise-sign",
      subject: { kind: "enterprise", name: "三明市测试科技有限公司", uscc: "91350400MA2Y3Q4K5C" },
      urls: {
        crl: "http://pki.test/pki/crl/issuing.crl",
        ocsp: "http://pki.test/pki/ocsp",
        caIssuers: "http://pki.test/pki/ca/issuing.crt",
      },
    });
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const crl = await buildCrl({
      issuer,
      entries: [{ serialHex: "0badc0de", revokedAt: now, reason: "keyCompromise" }],
      crlNumber: 1,
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + 3600_000),
    });
    const ocsp = await buildOcspResponse({
      issuer,
      responses: [
        { certId: buildCertId(issuing.certDer, leaf.serialHex), status: { status: "good" }, thisUpdate: now },
      ],
    });
    writeFileSync(join(dir, "root.pem"), toPem(root.certDer, "CERTIFICATE"));
    writeFileSync(join(dir, "issuing.pem"), toPem(issuing.certDer, "CERTIFICATE"));
    writeFileSync(join(dir, "leaf.pem"), leaf.pem);
    writeFileSync(join(dir, "crl.der"), crl);
    writeFileSync(join(dir, "ocsp.der"), ocsp);
    const chainFile = join(dir, "chain.pem");
    writeFileSync(chainFile, toPem(issuing.certDer, "CERTIFICATE") + toPem(root.certDer, "CERTIFICATE"));

    expect(openssl(["verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "leaf.pem"]).out).toContain(
      "leaf.pem: OK",
    );
    expect(
      openssl(["crl", "-inform", "DER", "-in", "crl.der", "-CAfile", chainFile, "-noout"]).out,
    ).toContain("verify OK");
    const r = openssl([
      "ocsp",
      "-respin",
      "ocsp.der",
      "-CAfile",
      "root.pem",
      "-VAfile",
      "issuing.pem",
      "-issuer",
      "issuing.pem",
      "-cert",
      "leaf.pem",
    ]);
    expect(r.out).toContain("Response verify OK");
    expect(r.out).toContain("leaf.pem: good");
  });

  it("signs concurrent requests on its session pool, each signature valid", async () => {
    const signer = open(`issuing-${keyAlgorithm}`);
    const data = Array.from({ length: 24 }, (_, i) => Buffer.from(`tbs ${i}`));
    const sigs = await Promise.all(data.map((d) => signer.sign(d)));
    const pub = { key: signer.publicKeySpki, format: "der" as const, type: "spki" as const };
    const ok = sigs.map((s, i) => verify(pub, data[i]!, s));
    expect(ok.every(Boolean)).toBe(true);
    // A signature does not verify for other data (the check above can fail).
    expect(verify(pub, Buffer.from("other"), sigs[0]!)).toBe(false);
  });
});

function verify(pub: { key: Buffer; format: "der"; type: "spki" }, data: Buffer, sig: Buffer): boolean {
  return cryptoVerify("sha256", data, createPublicKey(pub), sig);
}

describe("openPkcs11Signer refusals", () => {
  it("refuses a key that can be exported from the token", () => {
    expect(() => open("exportable")).toThrow(TokenError);
    expect(() => open("exportable")).toThrow(/可被导出/);
  });

  it("names a missing key label", () => {
    expect(() => open("no-such-key")).toThrow(/没有标签为“no-such-key”的密钥/);
  });

  it("refuses a wrong PIN", () => {
    expect(() =>
      openPkcs11Signer({
        modulePath: hsm.modulePath,
        tokenLabel: "ca",
        pin: "000000",
        keyLabel: "issuing-rsa-2048",
      }),
    ).toThrow(/PIN 码错误/);
  });
});
