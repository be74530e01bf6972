// The applicant's new key for 证书在线更新 and its PKCS#10 request (RFC 2986), made in the browser.
// The private key is created non-extractable: script on the page can sign with it but never read it,
// and IndexedDB keeps it as an opaque CryptoKey.
import {
  type Bytes,
  bitString,
  childrenOf,
  contextConstructed,
  expectTag,
  oid,
  readNode,
  sequence,
  set,
  smallInteger,
  TAG,
  unsignedInteger,
  utf8String,
} from "./der";
import { OnlineUpdateError } from "./errors";
import { toPem } from "./pem";

export const OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1";
export const OID_PRIME256V1 = "1.2.840.10045.3.1.7";
export const OID_ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
export const OID_COMMON_NAME = "2.5.4.3";

export const DEFAULT_CSR_CN = "certhall online update";
/** X.520 ub-common-name. */
export const MAX_CN_LENGTH = 64;

const P256_FIELD_BYTES = 32;
const EC_P256: EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };
const ECDSA_SHA256: EcdsaParams = { name: "ECDSA", hash: "SHA-256" };

/** WebCrypto's SubtleCrypto, or a Chinese error saying why it is missing. */
export function subtleCrypto(): SubtleCrypto {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new OnlineUpdateError(
      "CRYPTO_UNAVAILABLE",
      "浏览器不支持 WebCrypto（crypto.subtle）：请通过 HTTPS 访问，并使用较新版本的浏览器",
    );
  }
  return subtle;
}

/**
 * A new ECDSA P-256 key pair. The private key is not extractable; the public key, as WebCrypto
 * always allows, can be exported as SPKI.
 */
export async function generateUpdateKey(): Promise<CryptoKeyPair> {
  return subtleCrypto().generateKey(EC_P256, false, ["sign", "verify"]);
}

function assertP256Pair(pair: CryptoKeyPair): void {
  const { privateKey, publicKey } = pair;
  const isP256 = (k: CryptoKey) =>
    k.algorithm.name === "ECDSA" && (k.algorithm as EcKeyAlgorithm).namedCurve === "P-256";
  if (!privateKey || !publicKey || !isP256(privateKey) || !isP256(publicKey)) {
    throw new OnlineUpdateError("BAD_KEY", "密钥对必须是 ECDSA P-256 密钥");
  }
  if (privateKey.type !== "private" || !privateKey.usages.includes("sign")) {
    throw new OnlineUpdateError("BAD_KEY", "私钥不可用于签名");
  }
}

/** The CN after checks; the Chinese errors name the field 通用名称（CN）. */
export function normalizeCn(cn: string | undefined): string {
  if (cn === undefined) return DEFAULT_CSR_CN;
  const value = cn.trim();
  if (value.length === 0) throw new OnlineUpdateError("BAD_SUBJECT", "通用名称（CN）不能为空");
  if ([...value].length > MAX_CN_LENGTH) {
    throw new OnlineUpdateError("BAD_SUBJECT", `通用名称（CN）不能超过 ${MAX_CN_LENGTH} 个字符`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new OnlineUpdateError("BAD_SUBJECT", "通用名称（CN）不能包含控制字符");
  }
  return value;
}

/**
 * WebCrypto's ECDSA signature (IEEE P1363: r || s, each `fieldBytes` long) as the DER
 * Ecdsa-Sig-Value that X.509 and PKCS#10 carry: SEQUENCE { r INTEGER, s INTEGER }, each INTEGER in its
 * shortest form and with a 0x00 in front when its top bit is set.
 */
export function p1363ToDer(signature: Uint8Array, fieldBytes = P256_FIELD_BYTES): Bytes {
  if (signature.length !== fieldBytes * 2) {
    throw new OnlineUpdateError(
      "BAD_KEY",
      `ECDSA 签名长度应为 ${fieldBytes * 2} 字节，实际为 ${signature.length}`,
    );
  }
  return sequence(
    unsignedInteger(signature.subarray(0, fieldBytes)),
    unsignedInteger(signature.subarray(fieldBytes)),
  );
}

/** The reverse of p1363ToDer: DER Ecdsa-Sig-Value to r || s, each left-padded to `fieldBytes`. */
export function derToP1363(der: Uint8Array, fieldBytes = P256_FIELD_BYTES): Bytes {
  const what = "ECDSA 签名";
  const top = readNode(der, 0, what);
  if (top.raw.length !== der.length) throw new OnlineUpdateError("BAD_DER", `${what}后有多余数据`);
  const parts = childrenOf(expectTag(top, TAG.SEQUENCE, what), what);
  if (parts.length !== 2) throw new OnlineUpdateError("BAD_DER", `${what}应包含 r 和 s 两个整数`);
  const out = new Uint8Array(fieldBytes * 2);
  parts.forEach((part, i) => {
    let value = expectTag(part, TAG.INTEGER, what).content;
    while (value.length > 1 && value[0] === 0) value = value.subarray(1);
    if (value.length > fieldBytes) throw new OnlineUpdateError("BAD_DER", `${what}的整数超出曲线长度`);
    out.set(value, (i + 1) * fieldBytes - value.length);
  });
  return out;
}

/** Name ::= SEQUENCE OF RDN with one RDN: CN (UTF8String). */
function encodeCnName(cn: string): Bytes {
  return sequence(set(sequence(oid(OID_COMMON_NAME), utf8String(cn))));
}

/**
 * A PKCS#10 CertificationRequest (DER) for `keyPair`, subject CN=<cn or "certhall online update">,
 * no attributes, signed ecdsa-with-SHA256 by the private key (the proof of possession).
 */
export async function buildCsrDer(keyPair: CryptoKeyPair, subject: { cn?: string } = {}): Promise<Bytes> {
  assertP256Pair(keyPair);
  const cn = normalizeCn(subject.cn);
  const subtle = subtleCrypto();
  const spki = new Uint8Array(await subtle.exportKey("spki", keyPair.publicKey));
  const info = sequence(smallInteger(0), encodeCnName(cn), spki, contextConstructed(0));
  const p1363 = new Uint8Array(await subtle.sign(ECDSA_SHA256, keyPair.privateKey, info));
  return sequence(info, sequence(oid(OID_ECDSA_WITH_SHA256)), bitString(p1363ToDer(p1363)));
}

/** buildCsrDer() as PEM "CERTIFICATE REQUEST" with 64-character lines, ready to upload. */
export async function buildCsrPem(keyPair: CryptoKeyPair, subject: { cn?: string } = {}): Promise<string> {
  return toPem(await buildCsrDer(keyPair, subject), "CERTIFICATE REQUEST");
}
