import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { children, readOne } from "./der";
import type { PkiError } from "./errors";
import { type CaHierarchy, createCaHierarchy } from "./hierarchy";
import { type IssuedCertificate, issueCertificate } from "./issue";
import {
  buildCertId,
  buildOcspResponse,
  certIdMatchesIssuer,
  type OcspSingleResponse,
  ocspErrorResponse,
  parseOcspRequest,
} from "./ocsp";
import { OID } from "./oids";
import { PROFILES } from "./profiles";
import { openssl, opensslCsr, opensslOk, opensslSm2Verify, removeDir, tmpDir, write } from "./test-support";

const URLS = { crl: "http://ca.test/c.crl", ocsp: "http://ca.test/ocsp", caIssuers: "http://ca.test/ca.crt" };
const UNKNOWN_SERIAL = "0123456789abcdef0123456789abcdef";
let dir: string;
let ca: CaHierarchy;
let good: IssuedCertificate;
let revoked: IssuedCertificate;

afterAll(() => removeDir(dir));

beforeAll(async () => {
  dir = tmpDir();
  ca = await createCaHierarchy({ algorithm: "ecdsa-p256", rootName: "根", issuingName: "签发" });
  write(dir, "issuing.pem", ca.issuing.certPem);
  write(dir, "chain.pem", ca.issuing.certPem + ca.root.certPem);
  const issue = (name: string) =>
    issueCertificate({
      issuer: { certDer: ca.issuing.certDer, signer: ca.issuing.signer },
      csr: opensslCsr(dir, "p256", "/CN=x", name),
      profile: "person-sign",
      subject: { kind: "person", name },
      urls: URLS,
    });
  [good, revoked] = await Promise.all([issue("good"), issue("revoked")]);
  write(dir, "good.pem", good.pem);
  write(dir, "revoked.pem", revoked.pem);
  // A request as `openssl ocsp` sends it: two certificates by file, one by serial, with a nonce.
  opensslOk(
    [
      "ocsp",
      "-issuer",
      "issuing.pem",
      "-cert",
      "good.pem",
      "-cert",
      "revoked.pem",
      "-serial",
      `0x${UNKNOWN_SERIAL}`,
      "-reqout",
      "req.der",
    ],
    dir,
  );
});

const issuer = () => ({ certDer: ca.issuing.certDer, signer: ca.issuing.signer });
const read = (name: string) => fs.readFileSync(path.join(dir, name));

function statuses(
  thisUpdate: Date,
  nextUpdate: Date,
): (certId: ReturnType<typeof buildCertId>) => OcspSingleResponse {
  return (certId) => ({
    certId,
    thisUpdate,
    nextUpdate,
    status:
      certId.serialHex === good.serialHex
        ? { status: "good" }
        : certId.serialHex === revoked.serialHex
          ? { status: "revoked", time: new Date(Date.now() - 3_600_000), reason: "keyCompromise" }
          : { status: "unknown" },
  });
}

/**
 * Checks a response with openssl: first against the request made in beforeAll (signature and nonce;
 * openssl builds a fresh request whenever -cert is given, so this run has no -cert), then the status of
 * each certificate (signature checked again, no nonce in that synthetic request), then the full text.
 */
function opensslCheck(resp: Buffer, trust: string[]): string {
  write(dir, "resp.der", resp);
  // -issuer also tells openssl which certificate may sign directly (OCSP_TRUSTOTHER retry).
  const verdict = openssl(
    ["ocsp", "-reqin", "req.der", "-respin", "resp.der", ...trust, "-issuer", "issuing.pem"],
    dir,
  );
  if (verdict.status !== 0 || !/Response verify OK/.test(verdict.out)) throw new Error(verdict.out);
  const summary = openssl(
    [
      "ocsp",
      "-respin",
      "resp.der",
      ...trust,
      "-no_nonce",
      "-issuer",
      "issuing.pem",
      "-cert",
      "good.pem",
      "-cert",
      "revoked.pem",
      "-serial",
      `0x${UNKNOWN_SERIAL}`,
    ],
    dir,
  );
  if (summary.status !== 0 || !/Response verify OK/.test(summary.out)) throw new Error(summary.out);
  return summary.stdout + opensslOk(["ocsp", "-respin", "resp.der", "-noverify", "-resp_text"], dir);
}

describe("parseOcspRequest", () => {
  it("reads the CertIDs and nonce of an openssl request", () => {
    const req = parseOcspRequest(read("req.der"));
    expect(req.certIds.map((c) => c.serialHex)).toEqual([good.serialHex, revoked.serialHex, UNKNOWN_SERIAL]);
    expect(req.certIds.every((c) => c.hashAlgorithm === "sha1")).toBe(true);
    expect(req.certIds.every((c) => certIdMatchesIssuer(c, ca.issuing.certDer))).toBe(true);
    expect(certIdMatchesIssuer(req.certIds[0]!, ca.root.certDer)).toBe(false);
    expect(req.nonce?.length).toBe(18); // OCTET STRING header + 16 random bytes
    // buildCertId reproduces the CertID openssl sent, so responses can be pre-signed per serial.
    expect(buildCertId(ca.issuing.certDer, good.serialHex).raw.equals(req.certIds[0]!.raw)).toBe(true);
  });

  it("refuses garbage as a malformed request", () => {
    for (const bad of [
      Buffer.from("GET / HTTP/1.1"),
      Buffer.from([0x30, 0x02, 0x30, 0x00]),
      Buffer.alloc(0),
    ]) {
      try {
        parseOcspRequest(bad);
        expect.unreachable();
      } catch (err) {
        expect((err as PkiError).code).toBe("PKI_BAD_OCSP_REQUEST");
      }
    }
  });
});

describe("buildOcspResponse", () => {
  it("answers good, revoked and unknown, signed by the issuing CA, with the nonce echoed", async () => {
    const req = parseOcspRequest(read("req.der"));
    const now = new Date();
    const resp = await buildOcspResponse({
      issuer: issuer(),
      responses: req.certIds.map(
        statuses(new Date(now.getTime() - 60_000), new Date(now.getTime() + 86_400_000)),
      ),
      nonce: req.nonce,
    });
    const out = opensslCheck(resp, ["-CAfile", "chain.pem"]);
    expect(out).toMatch(/good.pem: good/);
    expect(out).toMatch(
      /revoked.pem: revoked\s+This Update: .*\s+Next Update: .*\s+Reason: keyCompromise\s+Revocation Time:/,
    );
    expect(out).toMatch(new RegExp(`0x${UNKNOWN_SERIAL}: unknown`, "i"));
    expect(out).toMatch(/OCSP Nonce: \s+0410[0-9A-F]{32}/);
    expect(out).toMatch(/Responder Id: [0-9A-F]{40}/);
  });

  it("is refused by openssl when the nonce does not match the request", async () => {
    const req = parseOcspRequest(read("req.der"));
    const resp = await buildOcspResponse({
      issuer: issuer(),
      responses: req.certIds.map(statuses(new Date(), new Date(Date.now() + 3_600_000))),
      nonce: Buffer.from("0410000102030405060708090a0b0c0d0e0f", "hex"),
    });
    write(dir, "resp.der", resp);
    const r = openssl(["ocsp", "-reqin", "req.der", "-respin", "resp.der", "-CAfile", "chain.pem"], dir);
    expect(r.out).toMatch(/Nonce Verify error/);
    expect(r.status).not.toBe(0);
  });

  it("never issues an OCSP-signing certificate: no profile offers one and the lint refuses a custom one", async () => {
    // Issue 12 item 1: a holder of such a certificate could sign "good" for a revoked certificate.
    expect(Object.keys(PROFILES)).not.toContain("ocsp-responder");
    for (const p of Object.values(PROFILES)) expect(p.extKeyUsages).not.toContain(OID.kpOcspSigning);
    const forged = { ...PROFILES["enterprise-sign"], extKeyUsages: [OID.kpOcspSigning] };
    await expect(
      issueCertificate({
        issuer: issuer(),
        csr: opensslCsr(dir, "p256", "/CN=r", "responder"),
        profile: forged,
        subject: { kind: "enterprise", name: "某公司", uscc: "91350400MA2Y3Q4K5C" },
        urls: URLS,
      }),
    ).rejects.toMatchObject({ code: "PKI_LINT_FAILED", details: ["ocsp-signing-not-issued"] });
  });

  it("names the CA itself as responder and includes no certificate", async () => {
    const req = parseOcspRequest(read("req.der"));
    const resp = await buildOcspResponse({
      issuer: issuer(),
      responses: req.certIds.map(statuses(new Date(), new Date(Date.now() + 60_000))),
    });
    write(dir, "self.der", resp);
    const text = opensslOk(["ocsp", "-respin", "self.der", "-resp_text", "-noverify"], dir);
    expect(text).toMatch(/Responder Id: [0-9A-F]{40}/);
    expect(text).not.toMatch(/Certificate:/);
  });

  it("signs SM2 responses with SM3withSM2 over the response data", async () => {
    const sm2 = await createCaHierarchy({ algorithm: "sm2", rootName: "根", issuingName: "签发" });
    const certId = buildCertId(sm2.issuing.certDer, "0a0b", "sha256");
    const resp = await buildOcspResponse({
      issuer: { certDer: sm2.issuing.certDer, signer: sm2.issuing.signer },
      responses: [
        {
          certId,
          status: { status: "revoked", time: new Date(), reason: "superseded" },
          thisUpdate: new Date(),
        },
      ],
    });
    write(dir, "sm2-resp.der", resp);
    const text = opensslOk(["ocsp", "-respin", "sm2-resp.der", "-noverify", "-resp_text"], dir);
    expect(text).toMatch(/Signature Algorithm: SM2-with-SM3/);
    expect(text).toMatch(
      /Hash Algorithm: sha256[\s\S]*Serial Number: 0A0B\s+Cert Status: revoked[\s\S]*Revocation Reason: superseded/,
    );
    const responseBytes = children(children(readOne(resp))[1]!)[0]!;
    const basic = readOne(children(responseBytes)[1]!.value);
    const [tbs, , sig] = children(basic);
    expect(opensslSm2Verify(dir, tbs!.raw, sig!.value.subarray(1), sm2.issuing.signer.publicKeySpki)).toBe(
      true,
    );
  });
});

describe("ocspErrorResponse", () => {
  it("builds unsigned error responses openssl reports by name", () => {
    for (const [status, code] of [
      ["malformedRequest", 1],
      ["internalError", 2],
      ["tryLater", 3],
      ["sigRequired", 5],
      ["unauthorized", 6],
    ] as const) {
      write(dir, "err.der", ocspErrorResponse(status));
      const r = openssl(["ocsp", "-respin", "err.der", "-resp_text", "-noverify"], dir);
      expect(r.out).toMatch(new RegExp(`Responder Error: ${status} \\(${code}\\)`, "i"));
    }
  });
});
