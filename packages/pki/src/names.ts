// Distinguished names and the subject layouts of the products (DESIGN §5, GM/T 0015).
//
// Encoding: RFC 5280 4.1.2.4 wants DirectoryString attributes in UTF8String, which is what we use for
// every Chinese-bearing attribute (O, OU, CN, ST, L, description). countryName and serialNumber are
// not DirectoryString but PrintableString by their ASN.1 definitions (X.520; RFC 5280 App. A), so
// they are encoded as PrintableString. The subject in a CSR is never copied: the RA-verified subject
// built here is what the CA certifies.
import crypto from "node:crypto";
import {
  children,
  type DerNode,
  decodeOid,
  oid,
  printableString,
  readOne,
  seq,
  set,
  TAG,
  utf8String,
} from "./der";
import { PkiError } from "./errors";
import { OID } from "./oids";

export type AttributeType = "C" | "ST" | "L" | "O" | "OU" | "CN" | "serialNumber" | "description";
export interface NameAttribute {
  type: AttributeType;
  value: string;
}
/** Ordered list of attributes, one per RDN, most significant (C) first. */
export type DistinguishedName = NameAttribute[];

const ATTR_OID: Record<AttributeType, string> = {
  C: OID.countryName,
  ST: OID.stateOrProvinceName,
  L: OID.localityName,
  O: OID.organizationName,
  OU: OID.organizationalUnitName,
  CN: OID.commonName,
  serialNumber: OID.serialNumber,
  description: OID.description,
};
const OID_ATTR = new Map(Object.entries(ATTR_OID).map(([k, v]) => [v, k as AttributeType]));
// X.520 upper bounds (RFC 5280 App. A ub-*).
const MAX_LEN: Record<AttributeType, number> = {
  C: 2,
  ST: 128,
  L: 128,
  O: 64,
  OU: 64,
  CN: 64,
  serialNumber: 64,
  description: 1024,
};

export function encodeName(dn: DistinguishedName): Buffer {
  return seq(
    ...dn.map((a) => {
      const value = a.value.trim();
      if (value.length === 0 || [...value].length > MAX_LEN[a.type]) {
        throw new PkiError("PKI_BAD_SUBJECT", `主体字段 ${a.type} 为空或超过 ${MAX_LEN[a.type]} 个字符`);
      }
      const encoded =
        a.type === "C" || a.type === "serialNumber" ? printableString(value) : utf8String(value);
      return set(seq(oid(ATTR_OID[a.type]), encoded));
    }),
  );
}

/** Decodes a DER Name into attributes (unknown types are reported by OID). */
export function decodeName(der: Buffer): { type: string; value: string }[] {
  const out: { type: string; value: string }[] = [];
  for (const rdn of children(readOne(der))) {
    for (const atv of children(rdn)) {
      const [t, v] = children(atv) as [DerNode, DerNode];
      const typeOid = decodeOid(t.value);
      out.push({ type: OID_ATTR.get(typeOid) ?? typeOid, value: decodeString(v) });
    }
  }
  return out;
}

function decodeString(node: DerNode): string {
  // BMPString (UTF-16BE), still found in requests from older Chinese clients.
  if (node.tag === 0x1e && node.value.length % 2 === 0)
    return Buffer.from(node.value).swap16().toString("utf16le");
  if (node.tag === TAG.UTF8_STRING) return node.value.toString("utf8");
  return node.value.toString("latin1");
}

// --- Identity numbers --------------------------------------------------------------------------

const USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** GB 32100-2015 统一社会信用代码 with its check character. */
export function isValidUscc(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(code[i]!) * USCC_WEIGHTS[i]!;
  const check = (31 - (sum % 31)) % 31;
  return USCC_CHARS[check] === code[17];
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** GB 11643-1999 公民身份号码: check digit and a real birth date. */
export function isValidResidentId(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i]!;
  if ("10X98765432"[sum % 11] !== id[17]) return false;
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1900 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

// --- Subject layouts ---------------------------------------------------------------------------

export interface EnterpriseSubject {
  kind: "enterprise";
  /** Company name as registered (营业执照上的名称); becomes O and CN. */
  name: string;
  /** 统一社会信用代码, 18 characters. */
  uscc: string;
  province?: string;
  city?: string;
  /** Department (部门), optional OU. */
  unit?: string;
}

/**
 * How a person's ID number appears (DESIGN §5: hashed or masked as policy says, never in clear).
 * - hash: serialNumber = "IDH:" + 56 hex of HMAC-SHA-256(salt, ID); linkable only by who holds the
 *   salt, so the RA can find "all certificates of this person" without publishing the number.
 * - mask: description = first 6 and last 4 characters with the rest starred (the PrintableString
 *   syntax of serialNumber has no "*", so the masked form goes to the DirectoryString description).
 * - omit: neither.
 */
export type PersonIdPolicy = { mode: "hash"; salt: Buffer } | { mode: "mask" } | { mode: "omit" };

export interface PersonSubject {
  kind: "person";
  name: string;
  /** 居民身份证号 (GB 11643); validated, then hashed or masked by `idPolicy`. */
  idNumber?: string;
  idPolicy?: PersonIdPolicy;
  province?: string;
  city?: string;
  /** Optional organization the person acts for (O). */
  organization?: string;
}

/** A fixed DN, for CA and OCSP responder certificates. */
export interface DnSubject {
  kind: "dn";
  attributes: DistinguishedName;
}

export type SubjectInput = EnterpriseSubject | PersonSubject | DnSubject;

export function maskResidentId(id: string): string {
  return `${id.slice(0, 6)}${"*".repeat(id.length - 10)}${id.slice(-4)}`;
}

export function hashResidentId(id: string, salt: Buffer): string {
  if (salt.length < 16) throw new PkiError("PKI_BAD_INPUT", "身份证号哈希的盐至少需要 16 字节");
  return `IDH:${crypto.createHmac("sha256", salt).update(id, "utf8").digest("hex").slice(0, 56)}`;
}

export function subjectToDn(subject: SubjectInput): DistinguishedName {
  switch (subject.kind) {
    case "dn":
      if (subject.attributes.length === 0) throw new PkiError("PKI_BAD_SUBJECT", "主体不能为空");
      return subject.attributes;
    case "enterprise": {
      const name = subject.name?.trim();
      if (!name) throw new PkiError("PKI_BAD_SUBJECT", "企业名称不能为空");
      if (!isValidUscc(subject.uscc ?? "")) {
        throw new PkiError(
          "PKI_BAD_SUBJECT",
          `统一社会信用代码“${subject.uscc ?? ""}”无效（GB 32100-2015 校验失败）`,
        );
      }
      const dn: DistinguishedName = [{ type: "C", value: "CN" }];
      if (subject.province) dn.push({ type: "ST", value: subject.province });
      if (subject.city) dn.push({ type: "L", value: subject.city });
      dn.push({ type: "O", value: name });
      if (subject.unit) dn.push({ type: "OU", value: subject.unit });
      dn.push({ type: "CN", value: name }, { type: "serialNumber", value: subject.uscc });
      return dn;
    }
    case "person": {
      const name = subject.name?.trim();
      if (!name) throw new PkiError("PKI_BAD_SUBJECT", "姓名不能为空");
      const dn: DistinguishedName = [{ type: "C", value: "CN" }];
      if (subject.province) dn.push({ type: "ST", value: subject.province });
      if (subject.city) dn.push({ type: "L", value: subject.city });
      if (subject.organization) dn.push({ type: "O", value: subject.organization });
      dn.push({ type: "CN", value: name });
      const policy = subject.idPolicy ?? { mode: "omit" };
      if (subject.idNumber !== undefined && policy.mode !== "omit") {
        const id = subject.idNumber.toUpperCase();
        if (!isValidResidentId(id)) {
          throw new PkiError("PKI_BAD_SUBJECT", "身份证号无效（GB 11643-1999 校验位或出生日期错误）");
        }
        if (policy.mode === "hash") dn.push({ type: "serialNumber", value: hashResidentId(id, policy.salt) });
        else dn.push({ type: "description", value: maskResidentId(id) });
      }
      return dn;
    }
  }
}
