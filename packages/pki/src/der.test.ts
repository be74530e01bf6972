import { describe, expect, it } from "vitest";
import {
  decodeOid,
  decodeTime,
  integer,
  integerFromUnsigned,
  namedBits,
  oid,
  printableString,
  readNode,
  readOne,
  setOf,
  time,
  tlv,
} from "./der";

describe("DER encoder", () => {
  it("encodes short, one-byte and two-byte lengths", () => {
    expect(tlv(0x04, Buffer.alloc(127)).subarray(0, 2)).toEqual(Buffer.from([0x04, 0x7f]));
    expect(tlv(0x04, Buffer.alloc(128)).subarray(0, 3)).toEqual(Buffer.from([0x04, 0x81, 0x80]));
    expect(tlv(0x04, Buffer.alloc(300)).subarray(0, 4)).toEqual(Buffer.from([0x04, 0x82, 0x01, 0x2c]));
  });

  it("encodes integers minimally and keeps them positive", () => {
    expect(integer(0).toString("hex")).toBe("020100");
    expect(integer(128).toString("hex")).toBe("02020080");
    expect(integerFromUnsigned(Buffer.from([0, 0, 0x7f])).toString("hex")).toBe("02017f");
    expect(integerFromUnsigned(Buffer.from([0xff])).toString("hex")).toBe("020200ff");
  });

  it("encodes named bit strings without trailing zero bits (X.690 11.2.2)", () => {
    // digitalSignature + nonRepudiation = bits 0,1 -> 0xC0 with 6 unused bits
    expect(namedBits([0, 1]).toString("hex")).toBe("030206c0");
    // keyCertSign + cRLSign = bits 5,6 -> 0x06 with 1 unused bit
    expect(namedBits([5, 6]).toString("hex")).toBe("03020106");
    // decipherOnly (bit 8) needs a second byte
    expect(namedBits([0, 8]).toString("hex")).toBe("0303078080");
  });

  it("round-trips object identifiers including large arcs", () => {
    for (const o of [
      "1.2.840.113549.1.1.11",
      "1.2.156.10197.1.501",
      "2.5.29.37",
      "1.3.6.1.4.1.311.10.3.12",
    ]) {
      expect(decodeOid(readOne(oid(o)).value)).toBe(o);
    }
    expect(oid("1.2.840.10045.4.3.2").toString("hex")).toBe("06082a8648ce3d040302");
  });

  it("switches from UTCTime to GeneralizedTime in 2050 (RFC 5280 4.1.2.5)", () => {
    const t2049 = time(new Date(Date.UTC(2049, 11, 31, 23, 59, 59)));
    const t2050 = time(new Date(Date.UTC(2050, 0, 1, 0, 0, 0)));
    expect(t2049.subarray(2).toString()).toBe("491231235959Z");
    expect(t2049[0]).toBe(0x17);
    expect(t2050.subarray(2).toString()).toBe("20500101000000Z");
    expect(t2050[0]).toBe(0x18);
    expect(decodeTime(readOne(t2049)).toISOString()).toBe("2049-12-31T23:59:59.000Z");
    expect(decodeTime(readOne(t2050)).toISOString()).toBe("2050-01-01T00:00:00.000Z");
  });

  it("refuses characters PrintableString cannot carry", () => {
    expect(() => printableString("350102****1234")).toThrow(/PrintableString/);
  });
});

describe("DER reader", () => {
  it("rejects truncated input, non-minimal lengths and trailing bytes", () => {
    expect(() => readNode(Buffer.from([0x30, 0x05, 0x01]))).toThrow(/截断/);
    expect(() => readNode(Buffer.from([0x04, 0x81, 0x05, 1, 2, 3, 4, 5]))).toThrow(/最短/);
    expect(() => readNode(Buffer.from([0x30, 0x80, 0x00, 0x00]))).toThrow(/长度编码无效/);
    expect(() => readOne(Buffer.from([0x05, 0x00, 0x00]))).toThrow(/多余/);
  });
});

describe("SET OF", () => {
  it("sorts its elements by their encodings (X.690 11.6)", () => {
    expect(setOf(Buffer.from("0401bb", "hex"), Buffer.from("0401aa", "hex")).toString("hex")).toBe(
      "31060401aa0401bb",
    );
  });
});
