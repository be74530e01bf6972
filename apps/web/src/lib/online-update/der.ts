// A tiny DER writer and reader for the browser: just what a PKCS#10 request and finding the public
// key of an X.509 certificate need. Works on Uint8Array only (no Buffer), so it runs in any browser.
import { OnlineUpdateError } from "./errors";

/** Bytes backed by a plain ArrayBuffer, which WebCrypto accepts as a BufferSource. */
export type Bytes = Uint8Array<ArrayBuffer>;

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function derError(message: string): OnlineUpdateError {
  return new OnlineUpdateError("BAD_DER", message);
}

export function concatBytes(...parts: readonly Uint8Array[]): Bytes {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function encodeLength(length: number): Bytes {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One tag-length-value element. */
export function tlv(tag: number, content: Uint8Array): Bytes {
  return concatBytes(Uint8Array.of(tag), encodeLength(content.length), content);
}

export function sequence(...items: readonly Uint8Array[]): Bytes {
  return tlv(TAG.SEQUENCE, concatBytes(...items));
}

export function set(...items: readonly Uint8Array[]): Bytes {
  return tlv(TAG.SET, concatBytes(...items));
}

/** Context-specific constructed [n], e.g. [0] for the attributes of a certification request. */
export function contextConstructed(n: number, ...items: readonly Uint8Array[]): Bytes {
  if (n < 0 || n > 30) throw new RangeError(`context tag [${n}] out of range`);
  return tlv(0xa0 | n, concatBytes(...items));
}

/**
 * A non-negative INTEGER from its unsigned big-endian magnitude: leading zero bytes are dropped (DER
 * wants the shortest form) and one 0x00 is put back when the top bit is set, so the value stays
 * positive. An empty or all-zero magnitude encodes 0.
 */
export function unsignedInteger(magnitude: Uint8Array): Bytes {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.length === 0 ? Uint8Array.of(0) : magnitude.subarray(start);
  const content = (trimmed[0] ?? 0) & 0x80 ? concatBytes(Uint8Array.of(0), trimmed) : concatBytes(trimmed);
  return tlv(TAG.INTEGER, content);
}

/** A small non-negative INTEGER (versions and the like). */
export function smallInteger(value: number): Bytes {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`bad integer ${value}`);
  const bytes: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return unsignedInteger(Uint8Array.from(bytes));
}

/** OBJECT IDENTIFIER from dotted text ("1.2.840.10045.4.3.2"). */
export function oid(dotted: string): Bytes {
  const arcs = dotted.split(".").map((a) => {
    if (!/^\d+$/.test(a)) throw new RangeError(`bad OID ${dotted}`);
    return Number(a);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2 || (first < 2 && second > 39)) {
    throw new RangeError(`bad OID ${dotted}`);
  }
  const out: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    if (!Number.isSafeInteger(arc)) throw new RangeError(`bad OID ${dotted}`);
    const base128: number[] = [arc % 128];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) base128.unshift(0x80 | (n % 128));
    out.push(...base128);
  }
  return tlv(TAG.OID, Uint8Array.from(out));
}

export function utf8String(text: string): Bytes {
  return tlv(TAG.UTF8_STRING, new TextEncoder().encode(text));
}

/** BIT STRING of whole bytes (0 unused bits). */
export function bitString(bytes: Uint8Array): Bytes {
  return tlv(TAG.BIT_STRING, concatBytes(Uint8Array.of(0), bytes));
}

/** One element read from DER. `raw` is the whole element, `content` its value (both views). */
export interface DerNode {
  tag: number;
  raw: Uint8Array;
  content: Uint8Array;
}

/**
 * Reads the element starting at `offset`. Only definite lengths of up to 4 bytes and single-byte tags,
 * which is all that certificates use. `what` names the object for the Chinese error message.
 */
export function readNode(bytes: Uint8Array, offset: number, what: string): DerNode {
  const bad = (why: string) => derError(`${what}不是有效的 DER 数据：${why}`);
  const tag = bytes[offset];
  if (tag === undefined) throw bad("数据意外结束");
  if ((tag & 0x1f) === 0x1f) throw bad("不支持多字节标签");
  const first = bytes[offset + 1];
  if (first === undefined) throw bad("缺少长度");
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0) throw bad("不允许不定长编码");
    if (count > 4) throw bad("长度字段过长");
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = bytes[offset + 2 + i];
      if (b === undefined) throw bad("数据意外结束");
      length = length * 256 + b;
    }
    header += count;
  }
  const end = offset + header + length;
  if (end > bytes.length) throw bad("长度超出数据范围");
  return { tag, raw: bytes.subarray(offset, end), content: bytes.subarray(offset + header, end) };
}

/** The elements inside a constructed element (SEQUENCE, SET, [n]). */
export function childrenOf(node: DerNode, what: string): DerNode[] {
  if (!(node.tag & 0x20)) throw derError(`${what}不是有效的 DER 数据：不是构造类型`);
  const out: DerNode[] = [];
  let offset = 0;
  while (offset < node.content.length) {
    const child = readNode(node.content, offset, what);
    out.push(child);
    offset += child.raw.length;
  }
  return out;
}

/** Checks a node's tag; `what` names it in the Chinese error. */
export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node) throw derError(`${what}缺失`);
  if (node.tag !== tag) throw derError(`${what}的类型不正确`);
  return node;
}
