// A deliberately small DER (ITU-T X.690) encoder and reader. Issuance is a hot path
// (benchmark target: cfssl's rate), so certificates, CRLs and OCSP responses are assembled from
// pre-encoded pieces here instead of going through a general ASN.1 object model.
import { PkiError } from "./errors";

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function lengthBytes(len: number): number[] {
  if (len < 0x80) return [len];
  const out: number[] = [];
  let n = len;
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return [0x80 | out.length, ...out];
}

/** Encodes one TLV whose value is the concatenation of `parts`. */
export function tlv(tag: number, ...parts: Buffer[]): Buffer {
  let len = 0;
  for (const p of parts) len += p.length;
  const header = lengthBytes(len);
  const out = Buffer.allocUnsafe(1 + header.length + len);
  out[0] = tag;
  for (let i = 0; i < header.length; i++) out[1 + i] = header[i]!;
  let pos = 1 + header.length;
  for (const p of parts) {
    p.copy(out, pos);
    pos += p.length;
  }
  return out;
}

/** Same as tlv() for a list, without spreading large arrays (CRLs hold 100,000 entries). */
export function tlvList(tag: number, parts: readonly Buffer[]): Buffer {
  let len = 0;
  for (const p of parts) len += p.length;
  const header = lengthBytes(len);
  const out = Buffer.allocUnsafe(1 + header.length + len);
  out[0] = tag;
  for (let i = 0; i < header.length; i++) out[1 + i] = header[i]!;
  let pos = 1 + header.length;
  for (const p of parts) {
    p.copy(out, pos);
    pos += p.length;
  }
  return out;
}

export const seq = (...parts: Buffer[]): Buffer => tlv(TAG.SEQUENCE, ...parts);
export const set = (...parts: Buffer[]): Buffer => tlv(TAG.SET, ...parts);
/** SET OF: X.690 11.6 wants the DER encodings of the elements in ascending order. */
export const setOf = (...elements: Buffer[]): Buffer => tlvList(TAG.SET, [...elements].sort(Buffer.compare));
export const octetString = (value: Buffer): Buffer => tlv(TAG.OCTET_STRING, value);
export const NULL_DER = Buffer.from([0x05, 0x00]);
export const utf8String = (s: string): Buffer => tlv(TAG.UTF8_STRING, Buffer.from(s, "utf8"));
export const ia5String = (s: string): Buffer => tlv(TAG.IA5_STRING, Buffer.from(s, "ascii"));
/** Context-specific tag: explicit ([n] constructed) or implicit primitive. */
export const explicit = (n: number, ...parts: Buffer[]): Buffer => tlv(0xa0 | n, ...parts);
export const implicitPrimitive = (n: number, value: Buffer): Buffer => tlv(0x80 | n, value);

/** X.680 41.4: PrintableString is A–Z a–z 0–9 space ' ( ) + , - . / : = ? */
export const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
export function printableString(s: string): Buffer {
  if (!PRINTABLE.test(s)) {
    throw new PkiError("PKI_BAD_INPUT", `值“${s}”含有 PrintableString 不允许的字符`);
  }
  return tlv(TAG.PRINTABLE_STRING, Buffer.from(s, "ascii"));
}

export function boolean(value: boolean): Buffer {
  return Buffer.from([TAG.BOOLEAN, 1, value ? 0xff : 0x00]);
}

/** INTEGER from unsigned big-endian magnitude bytes: minimal, with a 0x00 pad when the high bit is set. */
export function integerFromUnsigned(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  let body = bytes.subarray(i);
  if (body.length === 0) body = Buffer.from([0]);
  if (body[0]! & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return tlv(TAG.INTEGER, body);
}

export function integer(value: number | bigint): Buffer {
  let v = BigInt(value);
  if (v < 0n) throw new PkiError("PKI_BAD_INPUT", "不支持负整数");
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  return integerFromUnsigned(Buffer.from(bytes));
}

export function enumerated(value: number): Buffer {
  const int = integer(value);
  int[0] = TAG.ENUMERATED;
  return int;
}

export function bitString(value: Buffer, unusedBits = 0): Buffer {
  return tlv(TAG.BIT_STRING, Buffer.from([unusedBits]), value);
}

/**
 * Named-bit BIT STRING (KeyUsage, ReasonFlags): DER (X.690 11.2.2) drops trailing zero bits, and
 * the unused-bits octet says how many bits of the last byte are padding.
 */
export function namedBits(bits: readonly number[]): Buffer {
  if (bits.length === 0) return Buffer.from([TAG.BIT_STRING, 1, 0]);
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  const unused = 7 - (highest & 7);
  return bitString(bytes, unused);
}

const oidCache = new Map<string, Buffer>();
export function oid(dotted: string): Buffer {
  const cached = oidCache.get(dotted);
  if (cached) return cached;
  const arcs = dotted.split(".").map((a) => BigInt(a));
  if (arcs.length < 2) throw new PkiError("PKI_BAD_INPUT", `对象标识符 ${dotted} 无效`);
  const body: number[] = [];
  const first = arcs[0]! * 40n + arcs[1]!;
  for (const arc of [first, ...arcs.slice(2)]) {
    const chunk: number[] = [];
    let v = arc;
    do {
      chunk.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i]! |= 0x80;
    body.push(...chunk);
  }
  const out = tlv(TAG.OID, Buffer.from(body));
  oidCache.set(dotted, out);
  return out;
}

export function decodeOid(value: Buffer): string {
  if (value.length === 0 || value[value.length - 1]! & 0x80) {
    throw new PkiError("PKI_BAD_DER", "对象标识符无效");
  }
  // Arcs fit in a double up to 2^53; larger ones (UUID arcs under 2.25) take the BigInt path.
  const arcs: (number | bigint)[] = [];
  let v = 0;
  let big: bigint | null = null;
  for (const byte of value) {
    if (big === null && v >= 2 ** 45) big = BigInt(v);
    if (big !== null) big = (big << 7n) | BigInt(byte & 0x7f);
    else v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(big ?? v);
      v = 0;
      big = null;
    }
  }
  const first = arcs[0]!;
  const head =
    typeof first === "bigint"
      ? [2, first - 80n]
      : first < 40
        ? [0, first]
        : first < 80
          ? [1, first - 40]
          : [2, first - 80];
  return [...head, ...arcs.slice(1)].join(".");
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, always in Z with seconds and
 * without fractions. Milliseconds are truncated, so callers should pass whole seconds.
 */
export function time(date: Date): Buffer {
  const y = date.getUTCFullYear();
  const rest =
    pad2(date.getUTCMonth() + 1) +
    pad2(date.getUTCDate()) +
    pad2(date.getUTCHours()) +
    pad2(date.getUTCMinutes()) +
    pad2(date.getUTCSeconds()) +
    "Z";
  if (y >= 1950 && y < 2050) return tlv(TAG.UTC_TIME, Buffer.from(pad2(y % 100) + rest, "ascii"));
  return generalizedTime(date);
}

export function generalizedTime(date: Date): Buffer {
  const s =
    String(date.getUTCFullYear()).padStart(4, "0") +
    pad2(date.getUTCMonth() + 1) +
    pad2(date.getUTCDate()) +
    pad2(date.getUTCHours()) +
    pad2(date.getUTCMinutes()) +
    pad2(date.getUTCSeconds()) +
    "Z";
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(s, "ascii"));
}

export function decodeTime(node: DerNode): Date {
  const s = node.value.toString("ascii");
  if (node.tag === TAG.UTC_TIME) {
    const m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/);
    if (m) {
      // RFC 5280 4.1.2.5.1: YY >= 50 is 19YY, else 20YY.
      const yy = Number(m[1]);
      return new Date(
        Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, Number(m[2]) - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!),
      );
    }
  }
  if (node.tag === TAG.GENERALIZED_TIME) {
    const m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/);
    if (m) return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  }
  throw new PkiError("PKI_BAD_DER", "时间格式无效");
}

// ---------------------------------------------------------------------------------------------
// Reader

export interface DerNode {
  tag: number;
  /** The whole TLV (header + value), a view into the input. */
  raw: Buffer;
  /** The value octets, a view into the input. */
  value: Buffer;
}

/** Reads the TLV at `offset`; rejects indefinite and non-minimal lengths (DER, not BER). */
export function readNode(buf: Buffer, offset = 0): DerNode {
  if (offset + 2 > buf.length) throw new PkiError("PKI_BAD_DER", "DER 数据被截断");
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new PkiError("PKI_BAD_DER", "不支持多字节标签");
  let len = buf[offset + 1]!;
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new PkiError("PKI_BAD_DER", "DER 长度编码无效");
    if (pos + n > buf.length) throw new PkiError("PKI_BAD_DER", "DER 数据被截断");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i]!;
    if (len < 0x80 || buf[pos] === 0) throw new PkiError("PKI_BAD_DER", "DER 长度编码不是最短形式");
    pos += n;
  }
  const end = pos + len;
  if (end > buf.length) throw new PkiError("PKI_BAD_DER", "DER 数据被截断");
  return { tag, raw: buf.subarray(offset, end), value: buf.subarray(pos, end) };
}

/** Reads exactly one TLV spanning the whole buffer. */
export function readOne(buf: Buffer): DerNode {
  const node = readNode(buf, 0);
  if (node.raw.length !== buf.length) throw new PkiError("PKI_BAD_DER", "DER 数据后有多余字节");
  return node;
}

export function children(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let pos = 0;
  while (pos < node.value.length) {
    const child = readNode(node.value, pos);
    out.push(child);
    pos += child.raw.length;
  }
  return out;
}

export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node || node.tag !== tag) throw new PkiError("PKI_BAD_DER", `${what}的结构无效`);
  return node;
}

/** INTEGER value as unsigned big-endian bytes (leading zero pad removed). */
export function integerBytes(node: DerNode): Buffer {
  let v = node.value;
  while (v.length > 1 && v[0] === 0) v = v.subarray(1);
  return v;
}
