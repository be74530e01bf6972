import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { PkiError } from "./errors";
import { generateKeyPair } from "./keys";
import { openKey, sealKey } from "./seal";

const master = crypto.randomBytes(32);
const pkcs8 = generateKeyPair("ecdsa-p256").pkcs8;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof PkiError ? err.code : "not-a-PkiError";
  }
  return undefined;
}

describe("sealKey / openKey", () => {
  it("opens what it sealed, byte for byte", () => {
    expect(openKey(sealKey(pkcs8, master), master).equals(pkcs8)).toBe(true);
  });

  it("uses a fresh IV each time so two seals of one key differ", () => {
    const a = sealKey(pkcs8, master);
    const b = sealKey(pkcs8, master);
    expect(a.subarray(4, 16).equals(b.subarray(4, 16))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it("does not contain the key in clear", () => {
    expect(sealKey(pkcs8, master).includes(pkcs8.subarray(-32))).toBe(false);
  });

  it("refuses a wrong master key with a clear error", () => {
    const sealed = sealKey(pkcs8, master);
    expect(() => openKey(sealed, crypto.randomBytes(32))).toThrow(/主密钥错误或密文被篡改/);
    expect(codeOf(() => openKey(sealed, crypto.randomBytes(32)))).toBe("PKI_SEAL_FAILED");
  });

  it("refuses the envelope when any single bit after the header is flipped", () => {
    const sealed = sealKey(pkcs8, master);
    // IV, tag and ciphertext: every region is authenticated.
    for (const pos of [4, 15, 16, 31, 32, sealed.length - 1]) {
      const broken = Buffer.from(sealed);
      broken[pos]! ^= 0x01;
      expect(codeOf(() => openKey(broken, master))).toBe("PKI_SEAL_FAILED");
    }
  });

  it("names an unknown envelope version instead of guessing", () => {
    const sealed = sealKey(pkcs8, master);
    sealed[3] = 0x02;
    expect(codeOf(() => openKey(sealed, master))).toBe("PKI_SEAL_VERSION");
  });

  it("refuses truncated envelopes and foreign data", () => {
    expect(codeOf(() => openKey(Buffer.from("not sealed at all, just text"), master))).toBe(
      "PKI_SEAL_FAILED",
    );
    expect(codeOf(() => openKey(sealKey(pkcs8, master).subarray(0, 30), master))).toBe("PKI_SEAL_FAILED");
  });

  it("requires a 32-byte master key", () => {
    expect(codeOf(() => sealKey(pkcs8, crypto.randomBytes(16)))).toBe("PKI_BAD_INPUT");
  });
});
