import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCsr, parseCsr, parseCsrAsync } from "./csr";
import { PkiError } from "./errors";
import { generateKeyPair, localSigner } from "./keys";
import { fromPemOrDer, toPem } from "./pem";
import { openssl, opensslCsr, removeDir, SM2_ID, type TestKey, tmpDir, write } from "./test-support";

let dir: string;
const csrs: Partial<Record<TestKey, string>> = {};

afterAll(() => removeDir(dir));

beforeAll(() => {
  dir = tmpDir();
  csrs.p256 = opensslCsr(dir, "p256", "/C=CN/O=福建测试有限公司/CN=福建测试有限公司");
  csrs.rsa2048 = opensslCsr(dir, "rsa2048", "/CN=张三");
  csrs.sm2 = opensslCsr(dir, "sm2", "/CN=李四");
  csrs.rsa1024 = opensslCsr(dir, "rsa1024");
  csrs.secp256k1 = opensslCsr(dir, "secp256k1");
});

function errorOf(fn: () => unknown): PkiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PkiError) return err;
    throw err;
  }
  throw new Error("expected a PkiError");
}

/**
 * What `openssl req -verify` says about a CSR PEM: true when the self-signature verifies. OpenSSL 3.0
 * exits 0 either way, so the verdict is read from its message.
 */
function opensslAccepts(pem: string, sm2 = false): boolean {
  const file = write(dir, "check.csr", pem);
  const r = openssl(["req", "-in", file, "-verify", "-noout", ...(sm2 ? ["-vfyopt", SM2_ID] : [])], dir);
  if (/verify OK/.test(r.out)) return true;
  if (/verify failure|did not match/.test(r.out)) return false;
  throw new Error(`unexpected openssl output: ${r.out}`);
}

/** Flips one bit of the last signature byte (DER structure stays intact). */
function breakSignature(pem: string): string {
  const der = Buffer.from(fromPemOrDer(pem, ["CERTIFICATE REQUEST"], "CSR"));
  der[der.length - 1]! ^= 0x01;
  return toPem(der, "CERTIFICATE REQUEST");
}

describe("parseCsr", () => {
  it("accepts an ECDSA P-256 request from openssl req and reads key and subject", () => {
    const csr = parseCsr(csrs.p256!);
    expect(opensslAccepts(csrs.p256!)).toBe(true);
    expect(csr).toMatchObject({ keyType: "ec", keySize: 256, curve: "P-256", keyName: "ecdsa-p256" });
    expect(csr.signatureAlgorithm).toBe("1.2.840.10045.4.3.2");
    expect(csr.subject).toEqual([
      { type: "C", value: "CN" },
      { type: "O", value: "福建测试有限公司" },
      { type: "CN", value: "福建测试有限公司" },
    ]);
  });

  it("accepts RSA 2048 requests, in PEM and in DER", () => {
    const csr = parseCsr(csrs.rsa2048!);
    expect(opensslAccepts(csrs.rsa2048!)).toBe(true);
    expect(csr).toMatchObject({ keyType: "rsa", keySize: 2048, keyName: "rsa-2048" });
    expect(parseCsr(csr.der).subjectPublicKeyInfo.equals(csr.subjectPublicKeyInfo)).toBe(true);
  });

  it("accepts SM2 requests signed with the standard distinguishing ID", () => {
    const csr = parseCsr(csrs.sm2!);
    expect(opensslAccepts(csrs.sm2!, true)).toBe(true);
    expect(csr).toMatchObject({
      keyType: "sm2",
      curve: "SM2",
      keyName: "sm2",
      signatureAlgorithm: "1.2.156.10197.1.501",
    });
    expect(csr.subject).toEqual([{ type: "CN", value: "李四" }]);
  });

  it("refuses a broken signature exactly when openssl req -verify does", () => {
    for (const [key, sm2] of [
      ["p256", false],
      ["rsa2048", false],
      ["sm2", true],
    ] as const) {
      const broken = breakSignature(csrs[key]!);
      expect(opensslAccepts(broken, sm2)).toBe(false);
      expect(errorOf(() => parseCsr(broken)).code).toBe("PKI_BAD_SIGNATURE");
    }
  });

  it("refuses a request whose subject was altered after signing", () => {
    const der = Buffer.from(fromPemOrDer(csrs.rsa2048!, ["CERTIFICATE REQUEST"], "CSR"));
    const at = der.indexOf(Buffer.from("张三"));
    der[at + 2]! ^= 0x01;
    const pem = toPem(der, "CERTIFICATE REQUEST");
    expect(opensslAccepts(pem)).toBe(false);
    const err = errorOf(() => parseCsr(pem));
    expect(err.code).toBe("PKI_BAD_SIGNATURE");
    expect(err.message).toMatch(/签名验证失败/);
  });

  it("refuses SM2 requests signed with the empty ID that plain OpenSSL 3 uses", () => {
    opensslCsrEmptyId();
    const pem = fs.readFileSync(path.join(dir, "sm2-empty.csr"), "utf8");
    expect(opensslAccepts(pem, true)).toBe(false);
    expect(errorOf(() => parseCsr(pem)).code).toBe("PKI_BAD_SIGNATURE");
  });

  it("refuses RSA 1024 as a weak key even though its signature is fine", () => {
    expect(opensslAccepts(csrs.rsa1024!)).toBe(true);
    const err = errorOf(() => parseCsr(csrs.rsa1024!));
    expect(err.code).toBe("PKI_WEAK_KEY");
    expect(err.message).toMatch(/1024 位过短/);
  });

  it("refuses curves the CA does not support", () => {
    const err = errorOf(() => parseCsr(csrs.secp256k1!));
    expect(err.code).toBe("PKI_UNSUPPORTED_KEY");
    expect(err.message).toMatch(/1\.3\.132\.0\.10/);
  });

  it("refuses garbage, with a Chinese message", () => {
    const err = errorOf(() => parseCsr("这不是证书请求"));
    expect(err.code).toBe("PKI_BAD_PEM");
    expect(errorOf(() => parseCsr(Buffer.from([0x30, 0x03, 0x02, 0x01]))).code).toBe("PKI_BAD_DER");
    expect(
      errorOf(() => parseCsr("-----BEGIN CERTIFICATE REQUEST-----\n%%%%\n-----END CERTIFICATE REQUEST-----"))
        .code,
    ).toBe("PKI_BAD_PEM");
    expect(errorOf(() => parseCsr(toPem(Buffer.from("0123456789"), "CERTIFICATE REQUEST"))).code).toBe(
      "PKI_BAD_DER",
    );
  });

  it("refuses a PEM of the wrong type and says what it got", () => {
    const err = errorOf(() => parseCsr(toPem(Buffer.from([0x30, 0x00]), "CERTIFICATE")));
    expect(err.code).toBe("PKI_WRONG_PEM_TYPE");
    expect(err.message).toMatch(/收到的是 CERTIFICATE/);
  });
});

describe("parseCsrAsync", () => {
  it("reaches the same verdicts as parseCsr with the check on the thread pool", async () => {
    for (const key of ["p256", "rsa2048", "sm2"] as const) {
      const sync = parseCsr(csrs[key]!);
      const viaPool = await parseCsrAsync(csrs[key]!);
      expect(viaPool.subjectPublicKeyInfo.equals(sync.subjectPublicKeyInfo)).toBe(true);
      await expect(parseCsrAsync(breakSignature(csrs[key]!))).rejects.toMatchObject({
        code: "PKI_BAD_SIGNATURE",
      });
    }
    await expect(parseCsrAsync(csrs.rsa1024!)).rejects.toMatchObject({ code: "PKI_WEAK_KEY" });
  });
});

describe("createCsr", () => {
  it("makes requests that openssl req -verify and parseCsr accept, for ECDSA, RSA and SM2 keys", async () => {
    for (const algorithm of ["ecdsa-p256", "rsa-2048", "sm2"] as const) {
      const signer = localSigner(generateKeyPair(algorithm).pkcs8);
      const { pem } = await createCsr(
        [
          { type: "C", value: "CN" },
          { type: "CN", value: "赵六" },
        ],
        signer,
      );
      expect(opensslAccepts(pem, algorithm === "sm2")).toBe(true);
      const parsed = parseCsr(pem);
      expect(parsed.subjectPublicKeyInfo.equals(signer.publicKeySpki)).toBe(true);
      expect(parsed.subject).toEqual([
        { type: "C", value: "CN" },
        { type: "CN", value: "赵六" },
      ]);
    }
  });
});

function opensslCsrEmptyId(): void {
  const r = openssl(
    ["req", "-new", "-key", "sm2.key", "-subj", "/CN=x", "-sm3", "-out", "sm2-empty.csr"],
    dir,
  );
  if (r.status !== 0) throw new Error(r.out);
}
