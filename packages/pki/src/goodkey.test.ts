import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCsr } from "./csr";
import { checkKeyQuality, fermatFactor, hasRocaFingerprint, isqrt, rsaModulus } from "./goodkey";
import { type CaHierarchy, createCaHierarchy } from "./hierarchy";
import { issueCertificate } from "./issue";
import { inspectSpki, localSigner } from "./keys";
import { failure, opensslCsr, removeDir, tmpDir, type WeakRsaKind, weakRsaKey } from "./test-support";

const URLS = { crl: "http://ca.test/c.crl", ocsp: "http://ca.test/ocsp", caIssuers: "http://ca.test/ca.crt" };
const COMPANY = { kind: "enterprise", name: "三明市测试科技有限公司", uscc: "91350400MA2Y3Q4K5C" } as const;

// A modulus from a real Infineon RSALib key, published as a positive sample of the ROCA detector
// (crocs-muni/roca, roca/tests/data/mod03.txt).
const PUBLISHED_ROCA_MODULUS = BigInt(
  "0x9dcd7420e420c270a68060eb8b5aa7457a9f6648f86fafed2775cc1f79ae962f1e63f1b9e51c55f9ea6fdc7332e9b0058c9ff2eb1fc89855029cf6aafe21e689feb38ac9ffb12f1ce371bb5d0e9aae64161abce74b4244bf68f1edb4411f756a097c8929c14740245ea355f8332d1aa36bb50c7dcb4505da8de02e4e53d38f8df06097da7524df0df93db48eac8cc4af2d3a16257eb2b2adca6ba464e5974fa92550d31b1babf161e7692d00b86e3dd886ecab4abfbe1a8f8cc263ff4af55cdb45f4249a5193925f5e983d762f0b6800943eb0267b08f42ed311ce1f5c86eacbc8ce4d3cb7a2fee1ef5641423a1cf4114e5ecf50034a60a412523af9e6f4aa11",
);

let dir: string;
let ca: CaHierarchy;

beforeAll(async () => {
  dir = tmpDir();
  ca = await createCaHierarchy({ algorithm: "ecdsa-p256", rootName: "根", issuingName: "签发" });
});
afterAll(() => removeDir(dir));

const issue = (csr: string) =>
  issueCertificate({
    issuer: { certDer: ca.issuing.certDer, signer: ca.issuing.signer },
    csr,
    profile: "enterprise-sign",
    subject: COMPANY,
    urls: URLS,
  });

const csrOf = async (pkcs8: Buffer) =>
  (await createCsr([{ type: "CN", value: "x" }], localSigner(pkcs8))).pem;

describe("RSA key checks", () => {
  it("refuses a 1024-bit key", async () => {
    const err = await failure(issue(opensslCsr(dir, "rsa1024")));
    expect(err.code).toBe("PKI_WEAK_KEY");
    expect(err.message).toContain("1024");
  });

  it.each<[WeakRsaKind, string, RegExp]>([
    ["small-factor", "rsa-small-factor", /小素因子 743/],
    ["fermat", "rsa-fermat", /过于接近/],
    ["roca", "rsa-roca", /ROCA/],
  ])("refuses a 2048-bit key with %s, though it signs its own CSR", async (kind, check, message) => {
    const { pkcs8 } = weakRsaKey(kind);
    const err = await failure(issue(await csrOf(pkcs8)));
    expect(err.code).toBe("PKI_WEAK_KEY");
    expect(err.details).toEqual([check]);
    expect(err.message).toMatch(message);
  });

  it("factors Fermat-close primes and leaves a normal modulus alone", () => {
    const { n } = weakRsaKey("fermat");
    const f = fermatFactor(n);
    expect(f).not.toBeNull();
    expect(f![0] * f![1]).toBe(n);
    const normal = rsaModulus(
      inspectSpki(
        crypto
          .generateKeyPairSync("rsa", { modulusLength: 2048 })
          .publicKey.export({ type: "spki", format: "der" }),
      ),
    );
    expect(fermatFactor(normal)).toBeNull();
    expect(isqrt(10n ** 40n)).toBe(10n ** 20n);
    expect(isqrt(10n ** 40n - 1n)).toBe(10n ** 20n - 1n);
  });

  it("finds the ROCA fingerprint in a published RSALib modulus and not in OpenSSL's keys", () => {
    expect(hasRocaFingerprint(PUBLISHED_ROCA_MODULUS)).toBe(true);
    expect(hasRocaFingerprint(weakRsaKey("roca").n)).toBe(true);
    for (let i = 0; i < 3; i++) {
      const spki = crypto
        .generateKeyPairSync("rsa", { modulusLength: 2048 })
        .publicKey.export({ type: "spki", format: "der" });
      expect(hasRocaFingerprint(rsaModulus(inspectSpki(spki)))).toBe(false);
    }
  });

  it("certifies a sound 2048-bit key", async () => {
    await expect(issue(opensslCsr(dir, "rsa2048"))).resolves.toMatchObject({ profile: "enterprise-sign" });
  });
});

describe("EC and SM2 key checks", () => {
  const spkiOf = (curve: string) =>
    crypto.generateKeyPairSync("ec", { namedCurve: curve }).publicKey.export({ type: "spki", format: "der" });

  it.each(["prime256v1", "secp384r1", "SM2"])("refuses a %s point off the curve", (curve) => {
    const spki = Buffer.from(spkiOf(curve));
    checkKeyQuality(inspectSpki(spki)); // the genuine point passes
    spki[spki.length - 1]! ^= 1; // y changed: no longer on the curve
    let err: unknown;
    try {
      checkKeyQuality(inspectSpki(spki));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "PKI_WEAK_KEY", details: ["ec-point-off-curve"] });
  });

  it("refuses coordinates outside the field even when they are a curve point modulo p", () => {
    const spki = Buffer.from(spkiOf("prime256v1"));
    const off = spki.length - 64;
    const p = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
    const x = BigInt(`0x${spki.subarray(off, off + 32).toString("hex")}`);
    if (x + p < 1n << 256n) {
      spki.write((x + p).toString(16).padStart(64, "0"), off, "hex");
      expect(() => checkKeyQuality(inspectSpki(spki))).toThrow(/坐标超出/);
    }
  });

  it("is backed by OpenSSL for P-256: node:crypto refuses the off-curve point too", () => {
    const spki = Buffer.from(spkiOf("prime256v1"));
    spki[spki.length - 1]! ^= 1;
    expect(() => crypto.createPublicKey({ key: spki, format: "der", type: "spki" })).toThrow();
  });
});
