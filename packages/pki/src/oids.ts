// Object identifiers used by the CA, with where they come from.
export const OID = {
  // Algorithms
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha256WithRSAEncryption: "1.2.840.113549.1.1.11",
  sha384WithRSAEncryption: "1.2.840.113549.1.1.12",
  sha512WithRSAEncryption: "1.2.840.113549.1.1.13",
  ecPublicKey: "1.2.840.10045.2.1",
  ecdsaWithSHA256: "1.2.840.10045.4.3.2",
  ecdsaWithSHA384: "1.2.840.10045.4.3.3",
  ecdsaWithSHA512: "1.2.840.10045.4.3.4",
  prime256v1: "1.2.840.10045.3.1.7",
  secp384r1: "1.3.132.0.34",
  sha1: "1.3.14.3.2.26",
  sha256: "2.16.840.1.101.3.4.2.1",
  // GM/T 0006 (cryptographic application identifiers), used by GM/T 0015 certificates
  sm2Curve: "1.2.156.10197.1.301",
  sm3: "1.2.156.10197.1.401",
  sm2WithSm3: "1.2.156.10197.1.501",

  // X.520 attribute types
  countryName: "2.5.4.6",
  stateOrProvinceName: "2.5.4.8",
  localityName: "2.5.4.7",
  organizationName: "2.5.4.10",
  organizationalUnitName: "2.5.4.11",
  commonName: "2.5.4.3",
  serialNumber: "2.5.4.5",
  description: "2.5.4.13",

  // RFC 5280 extensions
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  crlNumber: "2.5.29.20",
  crlReason: "2.5.29.21",
  invalidityDate: "2.5.29.24",
  crlDistributionPoints: "2.5.29.31",
  certificatePolicies: "2.5.29.32",
  /** RFC 5280 4.2.1.4 id-qt-cps: the CPS pointer qualifier. */
  qtCps: "1.3.6.1.5.5.7.2.1",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
  adOcsp: "1.3.6.1.5.5.7.48.1",
  adCaIssuers: "1.3.6.1.5.5.7.48.2",

  // Extended key usages
  kpServerAuth: "1.3.6.1.5.5.7.3.1",
  kpClientAuth: "1.3.6.1.5.5.7.3.2",
  kpEmailProtection: "1.3.6.1.5.5.7.3.4",
  kpOcspSigning: "1.3.6.1.5.5.7.3.9",
  /** Microsoft "Document Signing", read by Office/Adobe and Chinese e-seal clients. */
  kpDocumentSigning: "1.3.6.1.4.1.311.10.3.12",

  // RFC 6960 OCSP
  ocspBasic: "1.3.6.1.5.5.7.48.1.1",
  ocspNonce: "1.3.6.1.5.5.7.48.1.2",
  /** RFC 6960 4.2.2.2.1; never issued here (issue.ts lint), named so the lint can refuse it. */
  ocspNoCheck: "1.3.6.1.5.5.7.48.1.5",

  // PKCS#10 attributes
  extensionRequest: "1.2.840.113549.1.9.14",

  /**
   * GM/T 0015-2012 5.2.4.2.x "OrganizationCode" (组织机构代码) extension. Since the 三证合一 reform the
   * 18-character 统一社会信用代码 replaced the organization code, and deployed relying-party middleware
   * (SOF_GetCertInfoByOid and similar) reads the USCC from this OID. GM/T 0015-2023 adds a dedicated
   * USCC field; only one implementer's list names its OID and the normative text is not public, so we
   * do not emit an OID we cannot verify (packages/pki/README.md, "USCC and GM/T 0015").
   */
  gmOrganizationCode: "1.2.156.10260.4.1.4",
} as const;
