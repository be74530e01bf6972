// Certificate profiles: the products a Chinese CA sells through the service hall. Each names its
// key usages, extended key usages, validity, accepted keys and subject layout.
import { PkiError } from "./errors";
import type { PublicKeyInfo } from "./keys";
import { OID } from "./oids";
import type { KeyUsageName } from "./x509";

export type ProfileId =
  | "enterprise-sign"
  | "enterprise-encipher"
  | "person-sign"
  | "trading-platform"
  | "eseal";

export interface CertificateProfile {
  id: ProfileId;
  /** Chinese product name as shown to applicants and staff. */
  name: string;
  subjectKind: "enterprise" | "person" | "dn";
  /** Signature-side key usages. */
  signatureUsages: readonly KeyUsageName[];
  /**
   * Whether the key is also (or only) for encryption. The bit depends on the key: RSA and SM2 encrypt
   * the content-encryption key directly (keyEncipherment; SM2 public-key encryption per GB/T 32918.4),
   * while an ECDSA P-256 key can only agree keys (keyAgreement, RFC 5480 3). dataEncipherment is not
   * set: mail and document encryption (S/MIME, the 数字信封 of GM/T 0010) wrap a symmetric key, and
   * RFC 5280 4.2.1.12 / zlint e_key_usage_and_extended_key_usage_inconsistent allow only
   * keyEncipherment or keyAgreement beside emailProtection.
   */
  encipherment: boolean;
  extKeyUsages: readonly string[];
  defaultYears: number;
  /** Upper bound on notAfter − notBefore, in calendar years (renewals add bought years to the old end). */
  maxYears: number;
  /** Accepted `PublicKeyInfo.keyName`s. */
  allowedKeys: readonly string[];
  /** Add the GM/T 0015 organization-code extension (1.2.156.10260.4.1.4) carrying the USCC. */
  gmOrganizationCode: boolean;
}

const USER_KEYS = ["ecdsa-p256", "rsa-2048", "rsa-3072", "rsa-4096", "sm2"] as const;

export const PROFILES: Readonly<Record<ProfileId, CertificateProfile>> = {
  // 企业签名证书 (机构证书): log-in to e-government/tax systems, sign documents and mail.
  "enterprise-sign": {
    id: "enterprise-sign",
    name: "企业签名证书",
    subjectKind: "enterprise",
    signatureUsages: ["digitalSignature", "nonRepudiation"],
    encipherment: false,
    extKeyUsages: [OID.kpClientAuth, OID.kpEmailProtection, OID.kpDocumentSigning],
    defaultYears: 1,
    maxYears: 5,
    allowedKeys: USER_KEYS,
    gmOrganizationCode: true,
  },
  // 企业加密证书: the encryption half of the dual-certificate (双证书) model.
  "enterprise-encipher": {
    id: "enterprise-encipher",
    name: "企业加密证书",
    subjectKind: "enterprise",
    signatureUsages: [],
    encipherment: true,
    extKeyUsages: [OID.kpEmailProtection],
    defaultYears: 1,
    maxYears: 5,
    allowedKeys: USER_KEYS,
    gmOrganizationCode: true,
  },
  // 个人签名证书.
  "person-sign": {
    id: "person-sign",
    name: "个人签名证书",
    subjectKind: "person",
    signatureUsages: ["digitalSignature", "nonRepudiation"],
    encipherment: false,
    extKeyUsages: [OID.kpClientAuth, OID.kpEmailProtection, OID.kpDocumentSigning],
    defaultYears: 1,
    maxYears: 5,
    allowedKeys: USER_KEYS,
    gmOrganizationCode: false,
  },
  // 公共资源交易平台证书 (the seed's 三明 window sits in the 公共资源交易中心): bidders sign bids and
  // the platform encrypts bid files to the certificate until the opening, hence signature and
  // encipherment in one certificate (DESIGN §4: re-keying makes bids encrypted to the old key unreadable).
  "trading-platform": {
    id: "trading-platform",
    name: "公共资源交易平台证书",
    subjectKind: "enterprise",
    signatureUsages: ["digitalSignature", "nonRepudiation"],
    encipherment: true,
    extKeyUsages: [OID.kpClientAuth, OID.kpEmailProtection, OID.kpDocumentSigning],
    defaultYears: 1,
    maxYears: 5,
    allowedKeys: USER_KEYS,
    gmOrganizationCode: true,
  },
  // 电子印章证书 (GM/T 0031 electronic seals): the seal's signature is non-repudiable document signing.
  eseal: {
    id: "eseal",
    name: "电子签章证书",
    subjectKind: "enterprise",
    signatureUsages: ["digitalSignature", "nonRepudiation"],
    encipherment: false,
    extKeyUsages: [OID.kpDocumentSigning],
    defaultYears: 1,
    maxYears: 5,
    allowedKeys: USER_KEYS,
    gmOrganizationCode: true,
  },
};

export function getProfile(id: string): CertificateProfile {
  const profile = Object.hasOwn(PROFILES, id) ? PROFILES[id as ProfileId] : undefined;
  if (!profile) throw new PkiError("PKI_UNKNOWN_PROFILE", `未知的证书模板“${id}”`);
  return profile;
}

/** The KeyUsage bits a certificate of `profile` gets for `key`. */
export function keyUsagesFor(profile: CertificateProfile, key: PublicKeyInfo): KeyUsageName[] {
  const usages = [...profile.signatureUsages];
  if (profile.encipherment) {
    if (key.keyType === "ec") usages.push("keyAgreement");
    else usages.push("keyEncipherment");
  }
  return usages;
}

/**
 * zlint 3.6.4 results below warning level that our certificates keep on purpose, with the reason.
 * The zlint test (apps/server/src/modules/pki/zlint.test.ts) runs zlint over the root, the issuing CA,
 * one certificate of every profile above and a CRL, for ECDSA and RSA: no error, no warning, and
 * every notice or info finding must be one of these.
 */
export const EXPLAINED_LINT_NOTICES: Readonly<Record<string, string>> = {
  // CA/B CT policy is for TLS server certificates in browsers; none of these profiles has serverAuth
  // and no CT log accepts such certificates.
  w_ct_sct_policy_count_unsatisfied: "不是 TLS 服务器证书，无需 SCT（证书透明度只针对浏览器信任的 TLS 证书）",
  // The issuing CA signs client, mail, document and seal certificates alike, so it is not restricted
  // by EKU (Mozilla policy 5.3 only requires EKU in CAs that issue TLS or S/MIME under its roots).
  n_sub_ca_eku_missing: "签发 CA 为多种用途的证书签发，不以 EKU 限定",
  n_mp_allowed_eku: "同上：签发 CA 不带 EKU（Mozilla 策略仅对其根下的 TLS/S/MIME 签发 CA 有要求）",
};
