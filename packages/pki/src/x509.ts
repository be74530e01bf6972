// Reading certificates (issuer context, importCa, OCSP hashes) and encoding extensions.
import {
  boolean,
  children,
  type DerNode,
  decodeOid,
  decodeTime,
  expectTag,
  explicit,
  ia5String,
  integerBytes,
  namedBits,
  octetString,
  oid,
  readOne,
  seq,
  TAG,
  tlv,
} from "./der";
import { PkiError } from "./errors";
import { OID } from "./oids";

export interface ParsedExtension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

export interface ParsedCertificate {
  der: Buffer;
  tbs: Buffer;
  signatureAlgorithm: Buffer;
  signature: Buffer;
  serialHex: string;
  /** DER of the issuer and subject Names, exactly as encoded. */
  issuerRaw: Buffer;
  subjectRaw: Buffer;
  notBefore: Date;
  notAfter: Date;
  spki: Buffer;
  extensions: ParsedExtension[];
}

export function parseCertificate(der: Buffer): ParsedCertificate {
  const top = children(expectTag(readOne(der), TAG.SEQUENCE, "证书"));
  const tbsNode = expectTag(top[0], TAG.SEQUENCE, "证书");
  const sigAlg = expectTag(top[1], TAG.SEQUENCE, "证书签名算法");
  const sig = expectTag(top[2], TAG.BIT_STRING, "证书签名");
  const tbs = children(tbsNode);
  let i = 0;
  if (tbs[0]?.tag === 0xa0) i++; // version
  const serial = expectTag(tbs[i++], TAG.INTEGER, "证书序列号");
  i++; // signature AlgorithmIdentifier inside TBS
  const issuer = expectTag(tbs[i++], TAG.SEQUENCE, "颁发者");
  const validity = children(expectTag(tbs[i++], TAG.SEQUENCE, "有效期"));
  const subject = expectTag(tbs[i++], TAG.SEQUENCE, "主体");
  const spki = expectTag(tbs[i++], TAG.SEQUENCE, "公钥信息");
  const extensions: ParsedExtension[] = [];
  for (; i < tbs.length; i++) {
    if (tbs[i]!.tag !== 0xa3) continue;
    for (const ext of children(expectTag(children(tbs[i]!)[0], TAG.SEQUENCE, "扩展"))) {
      extensions.push(parseExtension(ext));
    }
  }
  if (!validity[0] || !validity[1]) throw new PkiError("PKI_BAD_DER", "有效期的结构无效");
  return {
    der,
    tbs: tbsNode.raw,
    signatureAlgorithm: sigAlg.raw,
    signature: sig.value.subarray(1),
    serialHex: integerBytes(serial).toString("hex"),
    issuerRaw: issuer.raw,
    subjectRaw: subject.raw,
    notBefore: decodeTime(validity[0]),
    notAfter: decodeTime(validity[1]),
    spki: spki.raw,
    extensions,
  };
}

export function parseExtension(ext: DerNode): ParsedExtension {
  const parts = children(expectTag(ext, TAG.SEQUENCE, "扩展"));
  const extOid = decodeOid(expectTag(parts[0], TAG.OID, "扩展").value);
  const critical = parts[1]?.tag === TAG.BOOLEAN ? parts[1].value[0] !== 0 : false;
  const value = expectTag(parts[parts.length - 1], TAG.OCTET_STRING, "扩展").value;
  return { oid: extOid, critical, value };
}

/** basicConstraints of a parsed certificate: { ca, pathLen? } or null when absent. */
export function basicConstraintsOf(cert: ParsedCertificate): { ca: boolean; pathLen?: number } | null {
  const ext = cert.extensions.find((e) => e.oid === OID.basicConstraints);
  if (!ext) return null;
  const parts = children(expectTag(readOne(ext.value), TAG.SEQUENCE, "基本约束"));
  let ca = false;
  let pathLen: number | undefined;
  for (const p of parts) {
    if (p.tag === TAG.BOOLEAN) ca = p.value[0] !== 0;
    if (p.tag === TAG.INTEGER) pathLen = Number.parseInt(integerBytes(p).toString("hex") || "0", 16);
  }
  return { ca, pathLen };
}

/** KeyUsage bits (0 = digitalSignature ...) asserted by a parsed certificate, or null when absent. */
export function keyUsageOf(cert: ParsedCertificate): Set<number> | null {
  const ext = cert.extensions.find((e) => e.oid === OID.keyUsage);
  if (!ext) return null;
  const bits = expectTag(readOne(ext.value), TAG.BIT_STRING, "密钥用法").value;
  const out = new Set<number>();
  for (let byte = 1; byte < bits.length; byte++) {
    for (let b = 0; b < 8; b++) if (bits[byte]! & (0x80 >> b)) out.add((byte - 1) * 8 + b);
  }
  return out;
}

export function subjectKeyIdOf(cert: ParsedCertificate): Buffer | null {
  const ext = cert.extensions.find((e) => e.oid === OID.subjectKeyIdentifier);
  return ext ? expectTag(readOne(ext.value), TAG.OCTET_STRING, "主体密钥标识符").value : null;
}

// --- Extension encoders (RFC 5280 4.2) -----------------------------------------------------

export function extension(extOid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? seq(oid(extOid), boolean(true), octetString(value))
    : seq(oid(extOid), octetString(value));
}

export const KU = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;
export type KeyUsageName = keyof typeof KU;

export const subjectKeyIdExt = (ski: Buffer): Buffer =>
  extension(OID.subjectKeyIdentifier, false, octetString(ski));
/** AuthorityKeyIdentifier with keyIdentifier only ([0] IMPLICIT OCTET STRING). */
export const authorityKeyIdExt = (aki: Buffer): Buffer =>
  extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, aki)));
export function basicConstraintsExt(ca: boolean, pathLen?: number): Buffer {
  const parts: Buffer[] = [];
  if (ca) parts.push(boolean(true));
  if (ca && pathLen !== undefined) parts.push(tlv(TAG.INTEGER, Buffer.from([pathLen])));
  // RFC 5280 4.2.1.9: MUST be critical in CA certificates; we mark it critical in all of ours.
  return extension(OID.basicConstraints, true, seq(...parts));
}
export const keyUsageExt = (usages: readonly KeyUsageName[]): Buffer =>
  extension(OID.keyUsage, true, namedBits(usages.map((u) => KU[u])));
export const extKeyUsageExt = (oids: readonly string[]): Buffer =>
  extension(OID.extKeyUsage, false, seq(...oids.map((o) => oid(o))));
export const crlDistributionPointsExt = (url: string): Buffer =>
  // DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames { uniformResourceIdentifier [6] } } }
  extension(OID.crlDistributionPoints, false, seq(seq(explicit(0, explicit(0, uri(url))))));
export function authorityInfoAccessExt(ocspUrl?: string, caIssuersUrl?: string): Buffer {
  const parts: Buffer[] = [];
  if (ocspUrl) parts.push(seq(oid(OID.adOcsp), uri(ocspUrl)));
  if (caIssuersUrl) parts.push(seq(oid(OID.adCaIssuers), uri(caIssuersUrl)));
  return extension(OID.authorityInfoAccess, false, seq(...parts));
}
function uri(url: string): Buffer {
  if (!/^https?:\/\/[\x21-\x7e]+$/.test(url)) {
    throw new PkiError("PKI_BAD_INPUT", `地址“${url}”不是有效的 http(s) URL`);
  }
  const ia5 = ia5String(url);
  ia5[0] = 0x86; // GeneralName uniformResourceIdentifier [6] IMPLICIT IA5String
  return ia5;
}
