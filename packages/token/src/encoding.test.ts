import { generateKeyPairSync, sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  children,
  ecdsaRawToDer,
  fromPem,
  integer,
  oid,
  printableString,
  readTlv,
  sequence,
  setOf,
  tlv,
  toPem,
  utf8String,
} from "./der";

const hex = (b: Buffer) => b.toString("hex");

describe("DER encoding", () => {
  it("encodes integers in minimal two's complement, adding a zero byte before a high bit", () => {
    expect(hex(integer(0))).toBe("020100");
    expect(hex(integer(127))).toBe("02017f");
    expect(hex(integer(128))).toBe("02020080");
    expect(hex(integer(65537))).toBe("0203010001");
    expect(hex(integer(Buffer.from("0000ff", "hex")))).toBe("020200ff");
    expect(hex(integer(Buffer.from("000001", "hex")))).toBe("020101");
  });

  it("encodes object identifiers with base-128 arcs", () => {
    // Known encodings: ecdsa-with-SHA256 and prime256v1 (RFC 5758, RFC 5480).
    expect(hex(oid("1.2.840.10045.4.3.2"))).toBe("06082a8648ce3d040302");
    expect(hex(oid("1.2.840.10045.3.1.7"))).toBe("06082a8648ce3d030107");
    expect(hex(oid("2.5.4.3"))).toBe("0603550403");
    expect(() => oid("3.1")).toThrow(RangeError);
  });

  it("uses long-form lengths from 128 bytes of content", () => {
    expect(hex(tlv(0x04, Buffer.alloc(127)).subarray(0, 2))).toBe("047f");
    expect(hex(tlv(0x04, Buffer.alloc(128)).subarray(0, 3))).toBe("048180");
    expect(hex(tlv(0x04, Buffer.alloc(300)).subarray(0, 4))).toBe("0482012c");
  });

  it("sorts the elements of a SET OF by their encodings", () => {
    expect(hex(setOf(Buffer.from("0401bb", "hex"), Buffer.from("0401aa", "hex")))).toBe("31060401aa0401bb");
  });

  it("keeps Chinese text as UTF-8 and refuses non-printable text in a PrintableString", () => {
    expect(hex(utf8String("福州"))).toBe(`0c06${Buffer.from("福州").toString("hex")}`);
    expect(hex(printableString("CN"))).toBe("1302434e");
    expect(() => printableString("福州")).toThrow(RangeError);
  });
});

describe("DER reading", () => {
  it("reads back what it writes, children included", () => {
    const encoded = sequence(integer(5), utf8String("x".repeat(200)));
    const [first, second] = children(readTlv(encoded));
    expect(first?.tag).toBe(0x02);
    expect(hex(first!.value)).toBe("05");
    expect(second?.value.toString()).toBe("x".repeat(200));
  });

  it("rejects indefinite, non-minimal and overlong lengths", () => {
    expect(() => readTlv(Buffer.from("3080", "hex"))).toThrow(/indefinite/);
    expect(() => readTlv(Buffer.from("04817f", "hex"))).toThrow(/minimal/);
    expect(() => readTlv(Buffer.from("040500", "hex"))).toThrow(/past the end/);
  });
});

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
    const [derR, derS] = children(readTlv(der));
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
