// Matching a stored key to a certificate: both sides reduce to the SHA-256 of the DER
// SubjectPublicKeyInfo, which the CA copies unchanged from the request into the certificate.

import { subtleCrypto } from "./csr";
import { type Bytes, childrenOf, expectTag, readNode, TAG } from "./der";
import { OnlineUpdateError } from "./errors";
import { fromPem } from "./pem";

function isCryptoKeyPair(value: unknown): value is CryptoKeyPair {
  return typeof value === "object" && value !== null && "publicKey" in value && "privateKey" in value;
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof value === "object" && value !== null && "algorithm" in value && "type" in value;
}

/** The DER SPKI of a public key (or of a pair's public key). */
export async function exportSpki(key: CryptoKey | CryptoKeyPair): Promise<Bytes> {
  const publicKey = isCryptoKeyPair(key) ? key.publicKey : key;
  if (publicKey.type !== "public") {
    throw new OnlineUpdateError("BAD_KEY", "需要公钥：私钥不能导出，无法计算指纹");
  }
  return new Uint8Array(await subtleCrypto().exportKey("spki", publicKey));
}

/** Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo of a key, a key pair, or SPKI bytes. */
export async function publicKeyFingerprint(
  keyOrSpki: CryptoKey | CryptoKeyPair | Uint8Array | ArrayBuffer,
): Promise<string> {
  let spki: Bytes;
  if (isCryptoKeyPair(keyOrSpki) || isCryptoKey(keyOrSpki)) spki = await exportSpki(keyOrSpki);
  else if (ArrayBuffer.isView(keyOrSpki)) spki = Uint8Array.from(keyOrSpki);
  else spki = new Uint8Array(keyOrSpki.slice(0));
  if (spki.length === 0) throw new OnlineUpdateError("BAD_KEY", "无法计算公钥指纹：SPKI 数据为空");
  const digest = new Uint8Array(await subtleCrypto().digest("SHA-256", spki));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The DER SubjectPublicKeyInfo of an X.509 certificate, read from its DER:
 * Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber, signature,
 * issuer, validity, subject, subjectPublicKeyInfo, ... }, ... }.
 */
export function spkiOfCertificateDer(der: Uint8Array): Bytes {
  const what = "证书";
  const cert = expectTag(readNode(der, 0, what), TAG.SEQUENCE, what);
  if (cert.raw.length !== der.length) throw new OnlineUpdateError("BAD_DER", "证书数据后有多余内容");
  const tbs = childrenOf(
    expectTag(childrenOf(cert, what)[0], TAG.SEQUENCE, "证书主体（tbsCertificate）"),
    what,
  );
  const first = tbs[0] && tbs[0].tag === 0xa0 ? 1 : 0;
  expectTag(tbs[first], TAG.INTEGER, "证书序列号");
  expectTag(tbs[first + 3], TAG.SEQUENCE, "证书有效期");
  const spki = expectTag(tbs[first + 5], TAG.SEQUENCE, "证书公钥（SubjectPublicKeyInfo）");
  const alg = expectTag(childrenOf(spki, "证书公钥")[0], TAG.SEQUENCE, "证书公钥算法");
  expectTag(childrenOf(alg, "证书公钥算法")[0], TAG.OID, "证书公钥算法");
  return new Uint8Array(spki.raw);
}

/** spkiOfCertificateDer() on the first CERTIFICATE block of a PEM (the leaf of a chain file). */
export function spkiOfCertificatePem(pem: string): Bytes {
  return spkiOfCertificateDer(fromPem(pem, "CERTIFICATE", "证书"));
}
