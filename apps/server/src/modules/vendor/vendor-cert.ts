// Reading the certificate an applicant uploads for 其他厂商介质证书更换 (swapping another vendor's
// certificate onto our medium). Accepts one certificate as PEM, DER or a Windows .cer (either of the
// two), checks that it is currently valid and that it was not issued by one of our own CAs (those are
// renewed, not swapped), and returns what the order keeps of it.
//
// Parsing is done twice on purpose: node:crypto's X509Certificate (OpenSSL) must accept the bytes, and
// @certhall/pki's strict DER reader gives us the exact TBS, signature and Name encodings. Names are
// printed by a small reader here so that Chinese values stay readable and multi-valued RDNs keep their
// "+" (RFC 4514 order: most specific RDN first).
import crypto, { X509Certificate } from "node:crypto";
import { shanghaiDate } from "@certhall/domain";
import { isValidUscc, type ParsedCertificate, parseCertificate, sm2Verify } from "@certhall/pki";
import { AppError } from "../../errors";

export const VENDOR_CERT_FIELD = "vendorCertificate";
export const VENDOR_CERT_MAX_BYTES = 64 * 1024;

export const VENDOR_CERT_MESSAGES = {
  unreadable: "无法读取证书文件，请上传 PEM、DER 或 .cer 格式的证书",
  tooLarge: "证书文件过大（不能超过 64 KB），请只上传一个证书文件",
  several: "文件中包含多个证书，请只上传需要更换的那一个证书",
  privateKey: "文件中含有私钥，请勿上传私钥，只上传证书（PEM、DER 或 .cer 格式）",
  ours: "该证书由本 CA 签发，无需更换；如需延期请办理延期业务",
  expired: (date: string) => `该证书已于 ${date} 过期，不能更换，请申请新证`,
  notYetValid: (date: string) => `该证书尚未生效（生效日期 ${date}），请上传当前有效的证书`,
} as const;

/** One of our CAs: its certificate, and optionally its subject Name DER (else taken from the certificate). */
export interface OwnCa {
  subjectDer?: Buffer;
  certDer: Buffer;
}

export interface VendorCertificate {
  /** RFC 4514 order (most specific first), values unescaped beyond RFC 4514's specials: 中文 stays readable. */
  subject: string;
  issuer: string;
  /** Lower-case hex of the serial's bytes, leading zero octets removed. */
  serialHex: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER, upper-case hex pairs joined by ":" (as Windows/OpenSSL show it). */
  fingerprintSha256: string;
  subjectFields: {
    cn?: string;
    o?: string;
    /** The subject's serialNumber attribute (2.5.4.5) as written. */
    serialNumber?: string;
    /** A valid 统一社会信用代码 found in the subject (serialNumber, OU, CN, organizationIdentifier...). */
    uscc?: string;
  };
  derBase64: string;
}

const fail = (message: string): never => {
  throw new AppError("VALIDATION_FAILED", message, { field: VENDOR_CERT_FIELD });
};

/**
 * Reads and checks an uploaded vendor certificate. Throws AppError VALIDATION_FAILED (field
 * "vendorCertificate") with a Chinese message when it cannot be swapped.
 */
export function readVendorCertificate(bytes: Buffer, ours: readonly OwnCa[], now: Date): VendorCertificate {
  if (bytes.length > VENDOR_CERT_MAX_BYTES) fail(VENDOR_CERT_MESSAGES.tooLarge);
  const der = extractSingleDer(bytes);

  let x509: X509Certificate;
  let parsed: ParsedCertificate;
  try {
    x509 = new X509Certificate(der);
    parsed = parseCertificate(der);
  } catch {
    return fail(VENDOR_CERT_MESSAGES.unreadable);
  }

  if (parsed.notAfter.getTime() <= now.getTime()) {
    fail(VENDOR_CERT_MESSAGES.expired(shanghaiDate(parsed.notAfter)));
  }
  if (parsed.notBefore.getTime() > now.getTime()) {
    fail(VENDOR_CERT_MESSAGES.notYetValid(shanghaiDate(parsed.notBefore)));
  }
  if (ours.some((ca) => issuedBy(x509, parsed, ca))) fail(VENDOR_CERT_MESSAGES.ours);

  let subjectAttrs: NameAttr[][];
  let issuerAttrs: NameAttr[][];
  try {
    subjectAttrs = readName(parsed.subjectRaw);
    issuerAttrs = readName(parsed.issuerRaw);
  } catch {
    return fail(VENDOR_CERT_MESSAGES.unreadable);
  }
  return {
    subject: formatName(subjectAttrs),
    issuer: formatName(issuerAttrs),
    serialHex: parsed.serialHex,
    notBefore: parsed.notBefore.toISOString(),
    notAfter: parsed.notAfter.toISOString(),
    fingerprintSha256: crypto
      .createHash("sha256")
      .update(der)
      .digest("hex")
      .toUpperCase()
      .replace(/(..)(?!$)/g, "$1:"),
    subjectFields: subjectFields(subjectAttrs),
    derBase64: der.toString("base64"),
  };
}

// --- Finding the one certificate in the upload ------------------------------------------------

const CERT_LABELS = new Set(["CERTIFICATE", "X509 CERTIFICATE"]);
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function extractSingleDer(bytes: Buffer): Buffer {
  if (bytes.length === 0) return fail(VENDOR_CERT_MESSAGES.unreadable);
  if (bytes[0] === 0x30) return singleDer(bytes);

  let text = bytes.toString("latin1");
  if (text.startsWith("\xef\xbb\xbf")) text = text.slice(3); // UTF-8 BOM (Notepad)
  if (text.includes("-----BEGIN ")) {
    const certs: Buffer[] = [];
    for (const m of text.matchAll(PEM_BLOCK)) {
      const label = m[1]!;
      if (/PRIVATE KEY$/.test(label)) fail(VENDOR_CERT_MESSAGES.privateKey);
      if (!CERT_LABELS.has(label)) continue;
      const b64 = m[2]!.replace(/\s+/g, "");
      if (!BASE64.test(b64)) fail(VENDOR_CERT_MESSAGES.unreadable);
      certs.push(Buffer.from(b64, "base64"));
    }
    if (certs.length > 1) fail(VENDOR_CERT_MESSAGES.several);
    if (certs.length === 0 || certs[0]![0] !== 0x30) fail(VENDOR_CERT_MESSAGES.unreadable);
    return singleDer(certs[0]!);
  }
  // Bare Base64 of a DER certificate (no armor), as some vendor tools export it.
  const b64 = text.replace(/\s+/g, "");
  if (b64.length >= 64 && BASE64.test(b64)) {
    const der = Buffer.from(b64, "base64");
    if (der[0] === 0x30) return singleDer(der);
  }
  return fail(VENDOR_CERT_MESSAGES.unreadable);
}

/** The first DER TLV; a second certificate after it is "several", other trailing bytes are refused. */
function singleDer(buf: Buffer): Buffer {
  const first = tlvAt(buf, 0);
  if (!first) return fail(VENDOR_CERT_MESSAGES.unreadable);
  let rest = buf.subarray(first.end);
  // Tolerate the line ending or NUL padding some tools append to binary files.
  while (
    rest.length > 0 &&
    (rest[rest.length - 1] === 0 || /\s/.test(String.fromCharCode(rest[rest.length - 1]!)))
  ) {
    rest = rest.subarray(0, rest.length - 1);
  }
  if (rest.length > 0) {
    if (rest[0] === 0x30 && tlvAt(rest, 0)) fail(VENDOR_CERT_MESSAGES.several);
    fail(VENDOR_CERT_MESSAGES.unreadable);
  }
  return buf.subarray(0, first.end);
}

// --- Issued by one of ours? -------------------------------------------------------------------

// DER of the OID 1.2.156.10197.1.501 (SM3withSM2).
const SM2_WITH_SM3_OID = Buffer.from("06082a811ccf55018375", "hex");

/**
 * True when the certificate names the CA as its issuer AND its signature verifies with the CA's key.
 * A look-alike issuer name signed by another key is not ours. Node's OpenSSL binding verifies SM2 with
 * an empty distinguishing ID, so SM3withSM2 signatures are checked by @certhall/pki's sm2Verify (the
 * standard ID our CA signs with) instead: a real signature check rather than the weaker AKI == SKI match.
 */
function issuedBy(cert: X509Certificate, parsed: ParsedCertificate, ca: OwnCa): boolean {
  let caX509: X509Certificate;
  let caParsed: ParsedCertificate;
  try {
    caX509 = new X509Certificate(ca.certDer);
    caParsed = parseCertificate(ca.certDer);
  } catch {
    return false;
  }
  if (!sameName(parsed.issuerRaw, ca.subjectDer ?? caParsed.subjectRaw)) return false;
  if (parsed.signatureAlgorithm.includes(SM2_WITH_SM3_OID)) {
    const point = spkiPublicKey(caParsed.spki);
    return point !== null && sm2Verify(parsed.tbs, parsed.signature, point);
  }
  try {
    return cert.verify(caX509.publicKey);
  } catch {
    return false;
  }
}

/** The subjectPublicKey BIT STRING contents of a SubjectPublicKeyInfo (the EC/SM2 point). */
function spkiPublicKey(spki: Buffer): Buffer | null {
  const top = tlvAt(spki, 0);
  if (top?.tag !== 0x30) return null;
  const parts = childrenOf(spki.subarray(top.start, top.end));
  const bits = parts?.[1];
  if (bits?.tag !== 0x03 || bits.value[0] !== 0) return null;
  return bits.value.subarray(1);
}

/** Exact DER equality, or the same attributes with values equal after RFC 5280 7.1-style folding. */
function sameName(a: Buffer, b: Buffer): boolean {
  if (a.equals(b)) return true;
  try {
    const fold = (der: Buffer) =>
      readName(der)
        .map((rdn) =>
          rdn
            .map((at) => `${at.oid}=${at.value.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase()}`)
            .sort()
            .join("+"),
        )
        .join(",");
    return fold(a) === fold(b);
  } catch {
    return false;
  }
}

// --- Names ------------------------------------------------------------------------------------

interface NameAttr {
  oid: string;
  value: string;
  /** True when the value is not a string type (printed as #hex per RFC 4514). */
  binary: boolean;
  rawHex: string;
}

const SHORT_NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.4": "SN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "street",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.12": "title",
  "2.5.4.13": "description",
  "2.5.4.17": "postalCode",
  "2.5.4.42": "givenName",
  "2.5.4.97": "organizationIdentifier",
  "1.2.840.113549.1.9.1": "emailAddress",
  "0.9.2342.19200300.100.1.1": "UID",
  "0.9.2342.19200300.100.1.25": "DC",
};

/** Name → RDNs (as encoded, least specific first) → attributes. Throws on malformed DER. */
function readName(der: Buffer): NameAttr[][] {
  const top = tlvAt(der, 0);
  if (top?.tag !== 0x30 || top.end !== der.length) throw new Error("bad Name");
  const rdns = childrenOf(der.subarray(top.start, top.end));
  if (!rdns) throw new Error("bad Name");
  return rdns.map((rdn) => {
    if (rdn.tag !== 0x31) throw new Error("bad RDN");
    const atvs = childrenOf(rdn.value);
    if (!atvs || atvs.length === 0) throw new Error("bad RDN");
    return atvs.map((atv) => {
      const parts = atv.tag === 0x30 ? childrenOf(atv.value) : null;
      if (parts?.length !== 2 || parts[0]!.tag !== 0x06) throw new Error("bad attribute");
      const v = parts[1]!;
      const text = decodeString(v.tag, v.value);
      return {
        oid: decodeOid(parts[0]!.value),
        value: text ?? "",
        binary: text === null,
        rawHex: v.raw.toString("hex"),
      };
    });
  });
}

function decodeString(tag: number, value: Buffer): string | null {
  switch (tag) {
    case 0x0c: // UTF8String
      return value.toString("utf8");
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
    case 0x12: // NumericString
    case 0x14: // TeletexString (in practice Latin-1)
      return value.toString("latin1");
    case 0x1e: // BMPString, UTF-16BE (older Chinese CAs)
      return value.length % 2 === 0 ? Buffer.from(value).swap16().toString("utf16le") : null;
    case 0x1c: {
      // UniversalString, UTF-32BE
      if (value.length % 4 !== 0) return null;
      let s = "";
      for (let i = 0; i < value.length; i += 4) s += String.fromCodePoint(value.readUInt32BE(i));
      return s;
    }
    default:
      return null;
  }
}

function decodeOid(value: Buffer): string {
  const arcs: number[] = [];
  let n = 0;
  for (const byte of value) {
    n = n * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      if (arcs.length === 0) arcs.push(n < 80 ? Math.floor(n / 40) : 2, n < 80 ? n % 40 : n - 80);
      else arcs.push(n);
      n = 0;
    }
  }
  return arcs.join(".");
}

/** RFC 4514 string: most specific RDN first, "+" inside an RDN, specials escaped, 中文 kept as is. */
function formatName(rdns: NameAttr[][]): string {
  return [...rdns]
    .reverse()
    .map((rdn) =>
      rdn
        .map(
          (at) => `${SHORT_NAMES[at.oid] ?? at.oid}=${at.binary ? `#${at.rawHex}` : escapeValue(at.value)}`,
        )
        .join("+"),
    )
    .join(",");
}

function escapeValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=]/g, "\\$&");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are escaped on purpose.
  out = out.replace(/[\x00-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  if (out.startsWith(" ") || out.startsWith("#")) out = `\\${out}`;
  if (out.endsWith(" ") && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

function subjectFields(rdns: NameAttr[][]): VendorCertificate["subjectFields"] {
  const attrs = rdns.flat().filter((a) => !a.binary);
  // The most specific value wins (the last one in encoding order).
  const last = (oid: string) =>
    attrs
      .filter((a) => a.oid === oid)
      .at(-1)
      ?.value.trim() || undefined;
  const out: VendorCertificate["subjectFields"] = {};
  const cn = last("2.5.4.3");
  const o = last("2.5.4.10");
  const serialNumber = last("2.5.4.5");
  if (cn) out.cn = cn;
  if (o) out.o = o;
  if (serialNumber) out.serialNumber = serialNumber;
  const uscc = findUscc([serialNumber, last("2.5.4.97"), ...attrs.map((a) => a.value)]);
  if (uscc) out.uscc = uscc;
  return out;
}

/** The first valid GB 32100 code found in the values, alone or embedded (e.g. "NTRCN-9135…"). */
function findUscc(values: (string | undefined)[]): string | undefined {
  for (const v of values) {
    if (!v) continue;
    for (const m of v.toUpperCase().matchAll(/(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{18}(?![0-9A-Z])/g)) {
      if (isValidUscc(m[0])) return m[0];
    }
  }
  return undefined;
}

// --- A minimal DER reader (definite lengths up to 4 octets) -----------------------------------

interface Tlv {
  tag: number;
  /** Offset of the value in the buffer read. */
  start: number;
  end: number;
  value: Buffer;
  raw: Buffer;
}

function tlvAt(buf: Buffer, offset: number): Tlv | null {
  if (offset + 2 > buf.length) return null;
  const tag = buf[offset]!;
  let len = buf[offset + 1]!;
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || pos + n > buf.length) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i]!;
    pos += n;
  }
  const end = pos + len;
  if (end > buf.length) return null;
  return { tag, start: pos, end, value: buf.subarray(pos, end), raw: buf.subarray(offset, end) };
}

function childrenOf(value: Buffer): Tlv[] | null {
  const out: Tlv[] = [];
  let pos = 0;
  while (pos < value.length) {
    const t = tlvAt(value, pos);
    if (!t) return null;
    out.push(t);
    pos = t.end;
  }
  return out;
}
