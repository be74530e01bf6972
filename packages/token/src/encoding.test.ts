import { generateKeyPairSync, sign, verify } from "node:crypto";
import { children, readNode } from "@certhall/pki/der";
import { describe, expect, it } from "vitest";
import { ecdsaRawToDer, fromPem, toPem } from "./encoding";

const hex = (b: Buffer) => b.toString("hex");

describe("ecdsaRawToDer", () => {
  it("turns r||s into an Ecdsa-Sig-Value that verifies, for many signatures", () => {
    // Enough signatures that some r or s have the high bit set and some start with a zero byte.
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    for (let i = 0; i < 64; i++) {
      const data = Buffer.from(`message ${i}`);
      const raw = sign("sha256", data, { key: privateKey, dsaEncoding: "ieee-p1363" });
      expect(raw.length).toBe(64);
      expect(verify("sha256", data, publicKey, ecdsaRawToDer(raw))).toBe(true);
    }
  });

  it("pads a high-bit r and strips leading zeros of s", () => {
    const r = Buffer.alloc(32, 0x80);
    const s = Buffer.concat([Buffer.from([0, 0]), Buffer.alloc(30, 0x11)]);
    const der = ecdsaRawToDer(Buffer.concat([r, s]));
    const [derR, derS] = children(readNode(der));
    expect(derR!.value.length).toBe(33);
    expect(derR!.value[0]).toBe(0);
    expect(derS!.value.length).toBe(30);
  });

  it("refuses a raw signature of odd length", () => {
    expect(() => ecdsaRawToDer(Buffer.alloc(63))).toThrow(RangeError);
  });
});

describe("PEM", () => {
  it("wraps at 64 columns and reads every block back", () => {
    const a = Buffer.alloc(100, 1);
    const b = Buffer.alloc(10, 2);
    const pem = toPem("CERTIFICATE", a) + toPem("CERTIFICATE", b);
    expect(pem.split("\n")[1]).toHaveLength(64);
    const blocks = fromPem("CERTIFICATE", pem);
    expect(blocks.map(hex)).toEqual([hex(a), hex(b)]);
    expect(fromPem("CERTIFICATE REQUEST", pem)).toEqual([]);
  });
});
