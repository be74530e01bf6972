import { createHash, createPublicKey, verify } from "node:crypto";
import {
  bitString,
  explicit,
  integer,
  NULL_DER,
  oid,
  PRINTABLE,
  printableString,
  readNode,
  seq,
  setOf,
  utf8String,
} from "@certhall/pki/der";
import pkcs11js from "pkcs11js";
import { ecdsaRawToDer, toPem } from "./encoding";
import { asTokenError, TokenError } from "./errors";
import { publicKeySpki, type TokenKey } from "./keys";
import type { TokenSession } from "./token";

/**
 * The subject the applicant asks for. It is only a hint: the CA builds the real subject from the
 * verified order and the profile (DESIGN §5), but a meaningful request helps the reviewer.
 */
export interface SubjectHint {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  /** 统一社会信用代码 or another registration number (X.520 serialNumber). */
  serialNumber?: string;
  /** ISO 3166 two-letter code; "CN" for Chinese subjects. */
  country?: string;
  province?: string;
  locality?: string;
}

// RFC 5280 Appendix A.1 upper bounds; OIDs from X.520 (id-at).
const ATTRIBUTES = [
  { key: "country", name: "国家", oid: "2.5.4.6", max: 2, printable: true },
  { key: "province", name: "省份", oid: "2.5.4.8", max: 128, printable: false },
  { key: "locality", name: "城市", oid: "2.5.4.7", max: 128, printable: false },
  { key: "organization", name: "单位名称", oid: "2.5.4.10", max: 64, printable: false },
  { key: "organizationalUnit", name: "部门", oid: "2.5.4.11", max: 64, printable: false },
  { key: "commonName", name: "证书名称（CN）", oid: "2.5.4.3", max: 64, printable: false },
  { key: "serialNumber", name: "证件号码（serialNumber）", oid: "2.5.4.5", max: 64, printable: true },
] as const satisfies readonly { key: keyof SubjectHint; [k: string]: unknown }[];

/** Checks a subject hint taken from JSON or a form; errors name the field in Chinese. */
export function parseSubjectHint(input: unknown): SubjectHint {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new TokenError("BAD_SUBJECT", '证书主体须为 JSON 对象，例如 {"commonName":"张三"}');
  }
  const record = input as Record<string, unknown>;
  const known = new Set<string>(ATTRIBUTES.map((a) => a.key));
  for (const key of Object.keys(record)) {
    if (!known.has(key)) throw new TokenError("BAD_SUBJECT", `证书主体含未知字段：${key}`);
  }
  const hint: Record<string, string> = {};
  for (const attr of ATTRIBUTES) {
    const value = record[attr.key];
    if (value === undefined) continue;
    if (typeof value !== "string") throw new TokenError("BAD_SUBJECT", `${attr.name}须为文本`);
    const text = value.trim();
    if (text.length === 0) throw new TokenError("BAD_SUBJECT", `${attr.name}不能为空`);
    // Length bounds count characters, not bytes (X.520 ub-* are in characters).
    if ([...text].length > attr.max) {
      throw new TokenError("BAD_SUBJECT", `${attr.name}不能超过 ${attr.max} 个字符`);
    }
    if (attr.printable && !PRINTABLE.test(text)) {
      throw new TokenError("BAD_SUBJECT", `${attr.name}只能包含英文字母、数字和常用符号`);
    }
    if (attr.key === "country" && !/^[A-Z]{2}$/.test(text)) {
      throw new TokenError("BAD_SUBJECT", "国家须为两位大写字母代码，例如 CN");
    }
    hint[attr.key] = text;
  }
  if (!hint.commonName) throw new TokenError("BAD_SUBJECT", "证书名称（CN）不能为空");
  return hint as unknown as SubjectHint;
}

/**
 * RDNSequence, one attribute per RDN, from the country down to the common name. Country and
 * serialNumber are PrintableString as X.520 requires; the rest UTF8String (RFC 5280 §4.1.2.6) so
 * that Chinese names survive.
 */
export function encodeSubject(hint: SubjectHint): Buffer {
  const subject = parseSubjectHint(hint);
  const rdns: Buffer[] = [];
  for (const attr of ATTRIBUTES) {
    const value = subject[attr.key];
    if (value === undefined) continue;
    const encoded = attr.printable ? printableString(value) : utf8String(value);
    rdns.push(setOf(seq(oid(attr.oid), encoded)));
  }
  return seq(...rdns);
}

export interface Csr {
  der: Buffer;
  pem: string;
}

/** A DER Name taken as it is (e.g. the subject of the certificate being renewed), once checked. */
function nameDer(der: Buffer): Buffer {
  try {
    const name = readNode(der);
    if (name.tag === 0x30 && name.raw.length === der.length) return der;
  } catch {
    // Reported below like any other malformed name.
  }
  throw new TokenError("BAD_SUBJECT", "证书主体（DER 编码的名称）格式无效");
}

/**
 * A PKCS#10 request (RFC 2986 §4) whose signature the token makes with the non-extractable key.
 * SoftHSM2 2.6 has no CKM_ECDSA_SHA256, so for EC the SHA-256 digest is computed here and signed
 * with plain CKM_ECDSA, which every PKCS#11 token has; RSA uses CKM_SHA256_RSA_PKCS.
 */
export async function buildCsr(
  session: TokenSession,
  key: Pick<TokenKey, "keyType" | "privateKey" | "publicKey">,
  subject: SubjectHint | Buffer,
): Promise<Csr> {
  const spki = publicKeySpki(session, key);
  const name = Buffer.isBuffer(subject) ? nameDer(subject) : encodeSubject(subject);
  // RFC 2986 §4.1: version 0, subject, key, and an (empty) attributes [0] that must be present.
  const info = seq(integer(0), name, spki, explicit(0));
  let signature: Buffer;
  let algorithm: Buffer;
  try {
    if (key.keyType === "ec") {
      const digest = createHash("sha256").update(info).digest();
      const raw = await sign(session, key, pkcs11js.CKM_ECDSA, digest, 132);
      signature = ecdsaRawToDer(raw);
      // RFC 5758 §3.2: ecdsa-with-SHA256 with the parameters field absent.
      algorithm = seq(oid("1.2.840.10045.4.3.2"));
    } else {
      signature = await sign(session, key, pkcs11js.CKM_SHA256_RSA_PKCS, info, 1024);
      // RFC 4055 §5: sha256WithRSAEncryption with NULL parameters.
      algorithm = seq(oid("1.2.840.113549.1.1.11"), NULL_DER);
    }
  } catch (error) {
    throw asTokenError(error, "介质签名");
  }
  // Check the token's signature before anyone relies on it: a token that signs with another key,
  // or a wrong r||s split, must fail here rather than as a refused order at the CA.
  const publicKey = createPublicKey({ key: spki, format: "der", type: "spki" });
  if (!verify("sha256", info, publicKey, signature)) {
    throw new TokenError("TOKEN_ERROR", "介质签名校验失败，请更换介质后重试", "signature does not verify");
  }
  const der = seq(info, algorithm, bitString(signature));
  return { der, pem: toPem("CERTIFICATE REQUEST", der) };
}

async function sign(
  session: TokenSession,
  key: Pick<TokenKey, "privateKey">,
  mechanism: number,
  data: Buffer,
  maxLength: number,
): Promise<Buffer> {
  session.pkcs11.C_SignInit(session.handle, { mechanism }, key.privateKey);
  return session.pkcs11.C_SignAsync(session.handle, data, Buffer.alloc(maxLength));
}
