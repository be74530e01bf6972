// 证书在线更新 in the browser: a non-extractable P-256 key, its PKCS#10 request, matching stored keys to
// certificates, and the IndexedDB key store.
export {
  buildCsrDer,
  buildCsrPem,
  DEFAULT_CSR_CN,
  derToP1363,
  generateUpdateKey,
  MAX_CN_LENGTH,
  normalizeCn,
  p1363ToDer,
  subtleCrypto,
} from "./csr";
export { OnlineUpdateError, type OnlineUpdateErrorCode } from "./errors";
export {
  createIndexedDbKeyStore,
  createKeyStore,
  createMemoryKeyStore,
  findKeyForCertificate,
  KEY_DB_NAME,
  KEY_STORE_NAME,
  type KeyMeta,
  type KeyRecordBackend,
  type KeyStore,
  type KeyStoreOptions,
  requestPersistentKeyStorage,
  type StoredKey,
} from "./key-store";
export { fromPem, toPem } from "./pem";
export { exportSpki, publicKeyFingerprint, spkiOfCertificateDer, spkiOfCertificatePem } from "./spki";
export { isOnlineUpdateSupported, type SupportEnvironment, type SupportReport } from "./support";
