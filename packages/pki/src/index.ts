// @certhall/pki: the CA behind the RA (DESIGN §5). Pure: no HTTP, no database, no environment.

export { createRootCa, type RootCa, type SignIssuingCaParams, signIssuingCa } from "./ceremony";
export {
  type BuildCrlParams,
  buildCrl,
  crlPem,
  REVOCATION_REASONS,
  type RevocationReason,
  type RevokedEntry,
} from "./crl";
export { CSR_PEM_LABELS, createCsr, type ParsedCsr, parseCsr, parseCsrAsync } from "./csr";
export { PkiError, type PkiErrorCode } from "./errors";
export { checkKeyQuality, fermatFactor, hasRocaFingerprint, type WeakKeyCheck } from "./goodkey";
export {
  type CaHierarchy,
  type CaMaterial,
  type CreateCaHierarchyParams,
  createCaHierarchy,
  importCa,
} from "./hierarchy";
export {
  addYears,
  type IssuanceUrls,
  type IssuedCertificate,
  type IssueParams,
  type Issuer,
  issueCertificate,
  issuerContext,
  lintTbsCertificate,
  randomSerial,
} from "./issue";
export {
  CA_ALGORITHMS,
  type CaAlgorithm,
  type Curve,
  generateKeyPair,
  inspectSpki,
  type KeyPair,
  type KeyType,
  keyIdentifier,
  type LocalSignerOptions,
  localSigner,
  type PublicKeyInfo,
  type Signer,
  signatureAlgorithmFor,
  verifySignature,
} from "./keys";
export {
  type AttributeType,
  type DistinguishedName,
  type DnSubject,
  decodeName,
  type EnterpriseSubject,
  encodeName,
  hashResidentId,
  isValidResidentId,
  isValidUscc,
  maskResidentId,
  type NameAttribute,
  type PersonIdPolicy,
  type PersonSubject,
  type SubjectInput,
  subjectToDn,
} from "./names";
export {
  type BuildOcspResponseParams,
  buildCertId,
  buildOcspResponse,
  type CertId,
  type CertIdHash,
  certIdMatchesIssuer,
  issuerHashes,
  OCSP_ERROR_STATUS,
  type OcspCertStatus,
  type OcspErrorStatus,
  type OcspSingleResponse,
  ocspErrorResponse,
  type ParsedOcspRequest,
  parseOcspRequest,
} from "./ocsp";
export { fromPemOrDer, toPem } from "./pem";
export { type CertificatePolicy, certificatePoliciesExt, PLACEHOLDER_POLICY_OID } from "./policy";
export {
  type CertificateProfile,
  EXPLAINED_LINT_NOTICES,
  getProfile,
  keyUsagesFor,
  PROFILES,
  type ProfileId,
} from "./profiles";
export {
  openRootKeyFile,
  ROOT_KEY_FILE_FORMAT,
  type RootKeyMaterial,
  rootKeyFileCertificate,
  sealRootKeyFile,
} from "./root-key-file";
export { openKey, sealKey } from "./seal";
export { SM2_DEFAULT_ID, sm2Sign, sm2Verify } from "./sm2";
export { type ParsedCertificate, parseCertificate } from "./x509";
