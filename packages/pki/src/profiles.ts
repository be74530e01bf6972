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
  | "eseal"
  | "ocsp-responder";

export interface CertificateProfile {
  id: ProfileId;
  /** Chinese product name as shown to applicants and staff. */
  name: string;
  subjectKind: "enterprise" | "person" | "dn";
  /** Signature-side key usages. */
  signatureUsages: readonly KeyUsageName[];
  /**
   * Whether the key is also (or only) for encryption. The bits depend on the key: RSA and SM2 encrypt
   * directly (keyEncipherment, dataEncipherment; SM2 public-key encryption per GB/T 32918.4), while an
   * ECDSA P-256 key can only agree keys (keyAgreement, RFC 5480 3).
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
  /** RFC 6960 4.2.2.2.1 id-pkix-ocsp-nocheck for delegated OCSP responders. */
  ocspNoCheck?: boolean;
  /** Whether the certificate points at CRL and OCSP (not for OCSP responders, RFC 6960 4.2.2.2.1). */
  revocationPointers: boolean;
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
    revocationPointers: true,
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
    revocationPointers: true,
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
    revocationPointers: true,
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
    revocationPointers: true,
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
    revocationPointers: true,
  },
  // Delegated OCSP responder (RFC 6960 4.2.2.2): short-lived, id-kp-OCSPSigning, ocsp-nocheck.
  "ocsp-responder": {
    id: "ocsp-responder",
    name: "OCSP 响应器证书",
    subjectKind: "dn",
    signatureUsages: ["digitalSignature"],
    encipherment: false,
    extKeyUsages: [OID.kpOcspSigning],
    defaultYears: 1,
    maxYears: 1,
    allowedKeys: ["ecdsa-p256", "ecdsa-p384", "rsa-2048", "rsa-3072", "rsa-4096", "sm2"],
    gmOrganizationCode: false,
    ocspNoCheck: true,
    revocationPointers: false,
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
    else usages.push("keyEncipherment", "dataEncipherment");
  }
  return usages;
}
