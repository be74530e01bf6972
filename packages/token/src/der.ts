// A deliberately small DER (X.690) encoder and reader: just what a PKCS#10 request (RFC 2986) and
// reading an X.509 certificate's names (RFC 5280) need. Only single-byte tags and definite lengths
// are supported, which is all DER allows for the structures used here.

export const TAG = {
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  sequence: 0x30,
  set: 0x31,
} as const;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with the given tag around the concatenated contents. */
export function tlv(tag: number, ...contents: Uint8Array[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

export const sequence = (...contents: Uint8Array[]): Buffer => tlv(TAG.sequence, ...contents);

/** SET OF: X.690 §11.6 wants the DER encodings of the elements in ascending order. */
export function setOf(...elements: Buffer[]): Buffer {
  return tlv(TAG.set, ...[...elements].sort(Buffer.compare));
}

/** [n] IMPLICIT/EXPLICIT constructed context-specific tag. */
export const contextConstructed = (n: number, ...contents: Uint8Array[]): Buffer =>
  tlv(0xa0 | n, ...contents);

export const derNull = (): Buffer => Buffer.from([TAG.null, 0x00]);

export const octetString = (bytes: Uint8Array): Buffer => tlv(TAG.octetString, bytes);

export const bitString = (bytes: Uint8Array, unusedBits = 0): Buffer =>
  tlv(TAG.bitString, Buffer.from([unusedBits]), bytes);

/** A non-negative INTEGER from an unsigned big-endian magnitude or a small JS number. */
export function integer(value: Uint8Array | number): Buffer {
  let bytes: Buffer;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a DER integer: ${value}`);
    const out: number[] = [];
    for (let n = value; n > 0; n = Math.floor(n / 256)) out.unshift(n % 256);
    bytes = Buffer.from(out.length ? out : [0]);
  } else {
    bytes = Buffer.from(value);
  }
  // X.690 §8.3.2: minimal two's complement — drop redundant leading zeros, then add one back when
  // the high bit is set so that the number stays positive.
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(TAG.integer, bytes);
}

export function oid(dotted: string): Buffer {
  const arcs = dotted.split(".").map((arc) => {
    if (!/^\d+$/.test(arc)) throw new RangeError(`bad OID: ${dotted}`);
    return BigInt(arc);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2n) throw new RangeError(`bad OID: ${dotted}`);
  const bytes: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let n = arc >> 7n; n > 0n; n >>= 7n) chunk.unshift(Number(n & 0x7fn) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(TAG.oid, Buffer.from(bytes));
}

export const utf8String = (text: string): Buffer => tlv(TAG.utf8String, Buffer.from(text, "utf8"));

/** X.680 §41.4: PrintableString is A–Z a–z 0–9 space ' ( ) + , - . / : = ? */
export const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

export function printableString(text: string): Buffer {
  if (!PRINTABLE.test(text)) throw new RangeError(`not a PrintableString: ${text}`);
  return tlv(TAG.printableString, Buffer.from(text, "ascii"));
}

export interface Tlv {
  tag: number;
  /** The whole encoding, tag and length included. */
  raw: Buffer;
  /** The contents octets only. */
  value: Buffer;
}

/** Reads one TLV at `offset`; throws on anything that is not well-formed DER. */
export function readTlv(buf: Buffer, offset = 0): Tlv {
  const tag = buf[offset];
  const first = buf[offset + 1];
  if (tag === undefined || first === undefined) throw new RangeError("DER: truncated header");
  if ((tag & 0x1f) === 0x1f) throw new RangeError("DER: multi-byte tags are not supported");
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0) throw new RangeError("DER: indefinite length is not DER");
    if (count > 4) throw new RangeError("DER: length too large");
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = buf[offset + 2 + i];
      if (b === undefined) throw new RangeError("DER: truncated length");
      length = length * 256 + b;
    }
    if (length < 0x80 || (count > 1 && buf[offset + 2] === 0)) {
      throw new RangeError("DER: length not in minimal form");
    }
    header += count;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new RangeError("DER: content runs past the end");
  return { tag, raw: buf.subarray(offset, end), value: buf.subarray(offset + header, end) };
}

/** The elements inside a constructed TLV (SEQUENCE, SET, [n]). */
export function children(parent: Tlv): Tlv[] {
  if (!(parent.tag & 0x20)) throw new RangeError("DER: not a constructed type");
  const out: Tlv[] = [];
  for (let offset = 0; offset < parent.value.length; ) {
    const child = readTlv(parent.value, offset);
    out.push(child);
    offset += child.raw.length;
  }
  return out;
}

/**
 * CKM_ECDSA returns the raw signature r || s, each as long as the curve order (PKCS#11 v2.40
 * §2.3.1); X.509 and PKCS#10 want Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 3279
 * §2.2.3).
 */
export function ecdsaRawToDer(raw: Uint8Array): Buffer {
  if (raw.length === 0 || raw.length % 2 !== 0) {
    throw new RangeError(`ECDSA raw signature has odd length ${raw.length}`);
  }
  const half = raw.length / 2;
  return sequence(integer(raw.subarray(0, half)), integer(raw.subarray(half)));
}

export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Every PEM block with the given label, in order (e.g. a leaf followed by its chain). */
export function fromPem(label: string, pem: string): Buffer[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, "g");
  return [...pem.matchAll(re)].map((m) => Buffer.from((m[1] ?? "").replace(/\s+/g, ""), "base64"));
}
