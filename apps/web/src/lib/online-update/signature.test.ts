import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { derToP1363, p1363ToDer } from "./csr";
import { OnlineUpdateError } from "./errors";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("p1363ToDer", () => {
  it("drops leading zero bytes and pads values whose top bit is set", () => {
    // r = 1 (31 zero bytes then 01), s = 2^256 - 1 (top bit set: 0x00 in front, 33 bytes).
    const sig = hex(`${"00".repeat(31)}01${"ff".repeat(32)}`);
    expect(toHex(p1363ToDer(sig))).toBe(`3026020101022100${"ff".repeat(32)}`);
    // r = 0x80 00..00 (top bit set), s = 0x00 7f ff.. (one leading zero, then top bit clear).
    const sig2 = hex(`80${"00".repeat(31)}007f${"ff".repeat(30)}`);
    expect(toHex(p1363ToDer(sig2))).toBe(
      `3044022100 80${"00".repeat(31)} 021f 7f${"ff".repeat(30)}`.replace(/ /g, ""),
    );
    // r = 0: a single 00 byte.
    expect(toHex(p1363ToDer(hex(`${"00".repeat(32)}${"00".repeat(31)}05`)))).toBe("3006020100020105");
  });

  it("refuses a signature of the wrong length", () => {
    expect(() => p1363ToDer(new Uint8Array(63))).toThrow(OnlineUpdateError);
  });

  it("round-trips with node:crypto on signatures with high bits and leading zeros", () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const seen = { rHigh: 0, sHigh: 0, rLow: 0, rZero: 0, sZero: 0 };
    let checked = 0;
    for (let i = 0; i < 20_000; i++) {
      const data = Buffer.from(`message ${i}`);
      const p1363 = crypto.sign("sha256", data, { key: privateKey, dsaEncoding: "ieee-p1363" });
      const r0 = p1363[0]!;
      const s0 = p1363[32]!;
      const interesting = r0 >= 0x80 || s0 >= 0x80 || r0 === 0 || s0 === 0;
      if (r0 >= 0x80) seen.rHigh++;
      else seen.rLow++;
      if (s0 >= 0x80) seen.sHigh++;
      if (r0 === 0) seen.rZero++;
      if (s0 === 0) seen.sZero++;
      if (interesting && checked < 400) {
        checked++;
        const der = p1363ToDer(p1363);
        expect(crypto.verify("sha256", data, { key: publicKey, dsaEncoding: "der" }, der)).toBe(true);
        expect(toHex(derToP1363(der))).toBe(p1363.toString("hex"));
      }
      if (r0 === 0 || s0 === 0) {
        // The rare leading-zero cases are always checked.
        const der = p1363ToDer(p1363);
        expect(crypto.verify("sha256", data, { key: publicKey, dsaEncoding: "der" }, der)).toBe(true);
        // Shortest form: neither INTEGER starts with 00 unless the next byte has its top bit set.
        const rLen = der[3]!;
        expect(der[4] === 0 ? der[5]! >= 0x80 : true).toBe(true);
        expect(der[4 + rLen + 2] === 0 ? der[4 + rLen + 3]! >= 0x80 : true).toBe(true);
      }
      if (seen.rZero > 1 && seen.sZero > 1 && checked >= 400) break;
    }
    expect(seen.rHigh).toBeGreaterThan(0);
    expect(seen.sHigh).toBeGreaterThan(0);
    expect(seen.rLow).toBeGreaterThan(0);
    expect(seen.rZero).toBeGreaterThan(0);
    expect(seen.sZero).toBeGreaterThan(0);
  });

  it("gives node's own DER encoding byte for byte (derToP1363 then p1363ToDer)", () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    for (let i = 0; i < 500; i++) {
      const data = Buffer.from(`der ${i}`);
      const der = crypto.sign("sha256", data, { key: privateKey, dsaEncoding: "der" });
      const p1363 = derToP1363(der);
      expect(crypto.verify("sha256", data, { key: publicKey, dsaEncoding: "ieee-p1363" }, p1363)).toBe(true);
      expect(toHex(p1363ToDer(p1363))).toBe(der.toString("hex"));
    }
  });

  it("converts WebCrypto's signatures into ones node:crypto verifies as DER", async () => {
    const subtle = globalThis.crypto.subtle;
    const pair = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
    const spki = Buffer.from(await subtle.exportKey("spki", pair.publicKey));
    const publicKey = crypto.createPublicKey({ key: spki, format: "der", type: "spki" });
    for (let i = 0; i < 50; i++) {
      const data = new TextEncoder().encode(`webcrypto ${i}`);
      const sig = new Uint8Array(
        await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, data),
      );
      expect(crypto.verify("sha256", data, { key: publicKey, dsaEncoding: "der" }, p1363ToDer(sig))).toBe(
        true,
      );
    }
  });
});

describe("derToP1363", () => {
  it("refuses trailing bytes, a missing s and an oversized integer", () => {
    expect(() => derToP1363(hex("300602010102010500"))).toThrow(OnlineUpdateError);
    expect(() => derToP1363(hex("3003020101"))).toThrow(/r 和 s/);
    expect(() => derToP1363(hex(`3026022101${"ff".repeat(32)}020101`))).toThrow(/曲线长度/);
  });
});
