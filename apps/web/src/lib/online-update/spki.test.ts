import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCsrPem, generateUpdateKey } from "./csr";
import { OnlineUpdateError } from "./errors";
import { fromPem, toPem } from "./pem";
import { exportSpki, publicKeyFingerprint, spkiOfCertificateDer, spkiOfCertificatePem } from "./spki";
import { issueWithOpenssl, makeCa, opensslOk, opensslSpkiOf, read, removeDir, tmpDir } from "./test-support";

let dir: string;
let pair: CryptoKeyPair;
let spki: Uint8Array;
let csrPem: string;

beforeAll(async () => {
  dir = tmpDir();
  makeCa(dir);
  pair = await generateUpdateKey();
  spki = await exportSpki(pair);
  csrPem = await buildCsrPem(pair);
});
afterAll(() => removeDir(dir));

function errorOf(fn: () => unknown): OnlineUpdateError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OnlineUpdateError) return err;
    throw err;
  }
  throw new Error("expected an OnlineUpdateError");
}

describe("spkiOfCertificatePem", () => {
  it("finds the browser key's SPKI in the certificate openssl issued for its request", () => {
    const cert = issueWithOpenssl(dir, csrPem);
    expect(spkiOfCertificatePem(cert)).toEqual(spki);
    expect(spkiOfCertificatePem(cert)).toEqual(opensslSpkiOf(dir, cert));
  });

  it("reads a self-signed `openssl req -x509` certificate like openssl and node:crypto do", () => {
    for (const keyArgs of [
      ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
      ["-newkey", "rsa:2048"],
    ]) {
      opensslOk(
        [
          "req",
          "-x509",
          ...keyArgs,
          "-nodes",
          "-keyout",
          "self.key",
          "-subj",
          "/CN=自签名",
          "-days",
          "1",
          "-out",
          "self.pem",
        ],
        dir,
      );
      const pem = read(dir, "self.pem").toString("utf8");
      const expected = new crypto.X509Certificate(pem).publicKey.export({ type: "spki", format: "der" });
      expect(spkiOfCertificatePem(pem)).toEqual(new Uint8Array(expected));
      expect(spkiOfCertificatePem(pem)).toEqual(opensslSpkiOf(dir, pem));
    }
  });

  it("reads a version 1 certificate (no version field)", () => {
    const cert = issueWithOpenssl(dir, csrPem, "v1", { v1: true });
    expect(opensslOk(["x509", "-in", "v1.pem", "-noout", "-text"], dir)).toMatch(/Version: 1 \(0x0\)/);
    expect(spkiOfCertificatePem(cert)).toEqual(spki);
  });

  it("takes the first certificate of a chain file (the end-entity one)", () => {
    const leaf = issueWithOpenssl(dir, csrPem, "chain-leaf");
    const ca = read(dir, "ca.pem").toString("utf8");
    expect(spkiOfCertificatePem(`${leaf}${ca}`)).toEqual(spki);
    expect(spkiOfCertificatePem(`${ca}${leaf}`)).not.toEqual(spki);
    // Text around the blocks (as some exports add) is ignored.
    expect(spkiOfCertificatePem(`subject=CN=x\n${leaf}`)).toEqual(spki);
  });

  it("says in Chinese what is wrong with a request, garbage or a cut certificate", () => {
    const wrongType = errorOf(() => spkiOfCertificatePem(csrPem));
    expect(wrongType.code).toBe("BAD_PEM");
    expect(wrongType.message).toBe("需要证书（CERTIFICATE），收到的是 CERTIFICATE REQUEST");
    expect(errorOf(() => spkiOfCertificatePem("hello")).code).toBe("BAD_PEM");
    expect(
      errorOf(() => spkiOfCertificatePem(toPem(Uint8Array.of(0x30, 0x03, 1, 2), "CERTIFICATE"))).code,
    ).toBe("BAD_DER");
    const der = fromPem(issueWithOpenssl(dir, csrPem, "cut"), "CERTIFICATE", "证书");
    const cut = errorOf(() => spkiOfCertificateDer(der.subarray(0, der.length - 10)));
    expect(cut.code).toBe("BAD_DER");
    expect(cut.message).toMatch(/^证书/);
    // The request's DER is a SEQUENCE too, but not a certificate's shape.
    expect(errorOf(() => spkiOfCertificateDer(fromPem(csrPem, "CERTIFICATE REQUEST", "CSR"))).code).toBe(
      "BAD_DER",
    );
  });
});

describe("publicKeyFingerprint", () => {
  it("is the SHA-256 of the SPKI DER, the same from a pair, a key, bytes or a certificate", async () => {
    const expected = crypto.createHash("sha256").update(spki).digest("hex");
    expect(await publicKeyFingerprint(pair)).toBe(expected);
    expect(await publicKeyFingerprint(pair.publicKey)).toBe(expected);
    expect(await publicKeyFingerprint(spki)).toBe(expected);
    expect(await publicKeyFingerprint(spki.slice().buffer)).toBe(expected);
    const cert = issueWithOpenssl(dir, csrPem, "fp");
    expect(await publicKeyFingerprint(spkiOfCertificatePem(cert))).toBe(expected);
    const other = await generateUpdateKey();
    expect(await publicKeyFingerprint(other)).not.toBe(expected);
  });

  it("refuses a private key (it cannot be exported)", async () => {
    await expect(publicKeyFingerprint(pair.privateKey)).rejects.toMatchObject({ code: "BAD_KEY" });
  });
});
