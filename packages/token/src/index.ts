// @certhall/token: the client side of 证书在线更新 for USB keys. Keys are generated inside a PKCS#11
// token, the token signs the PKCS#10 request, and the issued certificate is written back to it.
export {
  certificateSubjectDer,
  certificatesFromPem,
  readCertificates,
  type TokenCertificate,
  type WriteCertificateOptions,
  writeCertificate,
} from "./certificates";
export { type CliIo, runTokenCli } from "./cli";
export { buildCsr, type Csr, encodeSubject, parseSubjectHint, type SubjectHint } from "./csr";
export { ecdsaRawToDer, fromPem, toPem } from "./encoding";
export {
  type CertifyKeyOptions,
  certifyKey,
  type EnrollOptions,
  type EnrollResult,
  enroll,
  freeLabel,
  ISSUE_PATH,
  type IssueRequest,
  type IssueResponse,
  type RequestIssueOptions,
  requestIssue,
} from "./enroll";
export { TokenError, type TokenErrorCode } from "./errors";
export {
  deleteKey,
  findKey,
  type GenerateKeyPairOptions,
  generateKeyPair,
  KEY_ALGORITHMS,
  type KeyAlgorithm,
  keyIdFromSpki,
  listKeys,
  publicKeySpki,
  type TokenKey,
} from "./keys";
export { type PostJsonOptions, platformUrl, postJson, problemText } from "./platform";
export {
  checkOneTimeCode,
  ONLINE_UPDATE_PATH,
  type OnlineUpdateResponse,
  type RenewOptions,
  type RenewResult,
  type RequestOnlineUpdateOptions,
  renewOnToken,
  requestOnlineUpdate,
} from "./renew";
export { openPkcs11Signer, type Pkcs11Signer, type Pkcs11SignerOptions } from "./signer";
export {
  changeUserPin,
  listSlots,
  type OpenTokenOptions,
  openToken,
  readToken,
  resetUserPin,
  type SlotInfo,
  type TokenInfo,
  type TokenSession,
  type TokenTarget,
} from "./token";
export { checkNewPin, UNLOCK_PATH, type UnlockOptions, type UnlockResult, unlockToken } from "./unlock";
