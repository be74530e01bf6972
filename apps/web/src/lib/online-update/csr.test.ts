import crypto from "node:crypto";
import { PkiError, parseCsr } from "@certhall/pki";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCsrDer, buildCsrPem, DEFAULT_CSR_CN, generateUpdateKey } from "./csr";
import { OnlineUpdateError } from "./errors";
import { fromPem, toPem } from "./pem";
import { opensslOk, opensslVerifiesCsr, removeDir, tmpDir, write } from "./test-support";

let dir: string;
let pair: CryptoKeyPair;

beforeAll(async () => {
  dir = tmpDir();
  pair = await generateUpdateKey();
});
afterAll(() => removeDir(dir));

async function errorOf(promise: Promise<unknown>): Promise<OnlineUpdateError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof OnlineUpdateError) return err;
    throw err;
  }
  throw new Error("expected an OnlineUpdateError");
}

/** Flips one bit of the last byte (inside s of the signature; the DER stays well-formed). */
function breakSignature(pem: string): string {
  const der = fromPem(pem, "CERTIFICATE REQUEST", "CSR");
  der[der.length - 1]! ^= 0x01;
  return toPem(der, "CERTIFICATE REQUEST");
}

describe("generateUpdateKey", () => {
  it("makes a P-256 pair whose private key cannot be exported in any format", async () => {
    const { privateKey, publicKey } = await generateUpdateKey();
    expect(privateKey.extractable).toBe(false);
    expect(privateKey.algorithm).toMatchObject({ name: "ECDSA", namedCurve: "P-256" });
    expect(privateKey.usages).toEqual(["sign"]);
    for (const format of ["pkcs8", "jwk"] as const) {
      await expect(globalThis.crypto.subtle.exportKey(format, privateKey)).rejects.toThrow();
    }
    const spki = new Uint8Array(await globalThis.crypto.subtle.exportKey("spki", publicKey));
    expect(
      crypto.createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" }).asymmetricKeyDetails,
    ).toEqual({
      namedCurve: "prime256v1",
    });
  });
});

describe("buildCsrPem", () => {
  it("makes a request openssl verifies, with the default CN and 64-character PEM lines", async () => {
    const pem = await buildCsrPem(pair);
    const lines = pem.trimEnd().split("\n");
    expect(lines[0]).toBe("-----BEGIN CERTIFICATE REQUEST-----");
    expect(lines.at(-1)).toBe("-----END CERTIFICATE REQUEST-----");
    const body = lines.slice(1, -1);
    expect(body.slice(0, -1).every((l) => l.length === 64)).toBe(true);
    expect(body.at(-1)!.length).toBeLessThanOrEqual(64);
    expect(pem.endsWith("-----\n")).toBe(true);

    expect(opensslVerifiesCsr(dir, pem)).toBe(true);
    const file = write(dir, "default.csr", pem);
    expect(opensslOk(["req", "-in", file, "-noout", "-subject", "-nameopt", "RFC2253"], dir).trim()).toBe(
      `subject=CN=${DEFAULT_CSR_CN}`,
    );
    // The whole structure as openssl reads it: version 0, no attributes, ecdsa-with-SHA256.
    const text = opensslOk(["req", "-in", file, "-noout", "-text"], dir);
    expect(text).toMatch(/Version: 1 \(0x0\)/);
    expect(text).toMatch(/Attributes:\s*\(none\)|Attributes:\s*a0:00/);
    expect(text).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
    expect(text).toMatch(/NIST CURVE: P-256/);
  });

  it("is accepted by @certhall/pki's parseCsr as an ecdsa-p256 request with proof of possession", async () => {
    const pem = await buildCsrPem(pair, { cn: "张三 证书在线更新" });
    const csr = parseCsr(pem);
    expect(csr).toMatchObject({
      keyType: "ec",
      keySize: 256,
      curve: "P-256",
      keyName: "ecdsa-p256",
      signatureAlgorithm: "1.2.840.10045.4.3.2",
      requestedExtensions: [],
    });
    expect(csr.subject).toEqual([{ type: "CN", value: "张三 证书在线更新" }]);
    const spki = new Uint8Array(await globalThis.crypto.subtle.exportKey("spki", pair.publicKey));
    expect(new Uint8Array(csr.subjectPublicKeyInfo)).toEqual(spki);
    expect(opensslVerifiesCsr(dir, pem)).toBe(true);
    const file = write(dir, "cn.csr", pem);
    expect(
      opensslOk(["req", "-in", file, "-noout", "-subject", "-nameopt", "utf8,sep_comma_plus"], dir),
    ).toContain("CN=张三 证书在线更新");
  });

  it("is refused by openssl and parseCsr once its signature is altered", async () => {
    const bad = breakSignature(await buildCsrPem(pair));
    expect(opensslVerifiesCsr(dir, bad)).toBe(false);
    expect(() => parseCsr(bad)).toThrow(PkiError);
    try {
      parseCsr(bad);
    } catch (err) {
      expect((err as PkiError).code).toBe("PKI_BAD_SIGNATURE");
    }
  });

  it("verifies for many keys, so r and s with the top bit set or leading zero bytes are all encoded right", async () => {
    // ~Half the signatures have r or s with the top bit set; a wrong INTEGER rule fails at once.
    const lengths = new Set<number>();
    for (let i = 0; i < 48; i++) {
      const p = await generateUpdateKey();
      const der = await buildCsrDer(p);
      const csr = parseCsr(Buffer.from(der));
      expect(csr.keyName).toBe("ecdsa-p256");
      lengths.add(der.length);
    }
    // Signature lengths vary with the 0x00 padding of r and s: proof the padded cases were met.
    expect(lengths.size).toBeGreaterThan(1);
  });

  it("refuses an empty, too long or control-character CN, naming the field", async () => {
    for (const cn of ["", "   ", "x".repeat(65), "a\nb"]) {
      const err = await errorOf(buildCsrPem(pair, { cn }));
      expect(err.code).toBe("BAD_SUBJECT");
      expect(err.message).toContain("通用名称（CN）");
    }
    // 64 characters (not bytes) is the limit: 64 Chinese characters are fine.
    const csr = parseCsr(await buildCsrPem(pair, { cn: "证".repeat(64) }));
    expect(csr.subject[0]!.value).toBe("证".repeat(64));
  });

  it("refuses a key pair that is not ECDSA P-256", async () => {
    const p384 = await globalThis.crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, false, [
      "sign",
      "verify",
    ]);
    const err = await errorOf(buildCsrPem(p384));
    expect(err.code).toBe("BAD_KEY");
    expect(err.message).toContain("P-256");
  });
});
