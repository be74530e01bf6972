import { createHash, createPublicKey, randomBytes } from "node:crypto";
import { bitString, children, oid, readNode, seq } from "@certhall/pki/der";
import pkcs11js from "pkcs11js";
import { asTokenError, TokenError } from "./errors";
import { attributes, findObjects, ulong } from "./objects";
import type { TokenSession } from "./token";

type Handle = Buffer;

/** What keygen can make on a token. */
export type KeyAlgorithm = "ecdsa-p256" | "rsa-2048";
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ["ecdsa-p256", "rsa-2048"];

export interface TokenKey {
  label: string;
  /** CKA_ID, shared by the private key, public key and certificate of one identity. */
  id: Buffer;
  keyType: "ec" | "rsa";
  /** e.g. "ecdsa-p256", "rsa-2048"; keys made elsewhere may show other sizes. */
  algorithm: string;
  privateKey: Handle;
  publicKey: Handle;
}

export interface GenerateKeyPairOptions {
  label: string;
  /** CKA_ID as bytes or hex; by default the RFC 5280 §4.2.1.2 (1) key identifier of the new key. */
  id?: Uint8Array | string;
  algorithm?: KeyAlgorithm;
}

// RFC 5480 §2.1.1.1: secp256r1 / prime256v1.
const P256_OID = "1.2.840.10045.3.1.7";
const P256_PARAMS = oid(P256_OID);

export function parseKeyId(id: Uint8Array | string): Buffer {
  if (typeof id !== "string") return Buffer.from(id);
  const hex = id.replace(/[:\s]/g, "");
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new TokenError("KEY_NOT_FOUND", `密钥 ID 须为十六进制：${id}`);
  return Buffer.from(hex, "hex");
}

/** The EC point as a bare uncompressed point: tokens answer either raw or as a DER OCTET STRING. */
function ecPoint(value: Buffer): Buffer {
  if (value.length === 65 && value[0] === 0x04) return value;
  const wrapped = readNode(value);
  if (wrapped.tag === 0x04 && wrapped.raw.length === value.length) return wrapped.value;
  throw new TokenError("TOKEN_ERROR", "介质返回的 EC 公钥格式无法识别", "CKA_EC_POINT");
}

/** SubjectPublicKeyInfo DER (RFC 5280 §4.1.2.7) of the key's public half, read from the token. */
export function publicKeySpki(session: TokenSession, key: Pick<TokenKey, "keyType" | "publicKey">): Buffer {
  if (key.keyType === "ec") {
    const attrs = attributes(session, key.publicKey, [pkcs11js.CKA_EC_PARAMS, pkcs11js.CKA_EC_POINT]);
    const params = attrs.get(pkcs11js.CKA_EC_PARAMS);
    const point = attrs.get(pkcs11js.CKA_EC_POINT);
    if (!params || !point) throw new TokenError("TOKEN_ERROR", "无法读取 EC 公钥", "CKA_EC_POINT");
    if (!params.equals(P256_PARAMS)) {
      throw new TokenError(
        "TOKEN_ERROR",
        "仅支持 P-256 曲线的 EC 密钥",
        `CKA_EC_PARAMS ${params.toString("hex")}`,
      );
    }
    // RFC 5480 §2: id-ecPublicKey with the named curve, and the uncompressed point as the key.
    return seq(seq(oid("1.2.840.10045.2.1"), params), bitString(ecPoint(point)));
  }
  const attrs = attributes(session, key.publicKey, [pkcs11js.CKA_MODULUS, pkcs11js.CKA_PUBLIC_EXPONENT]);
  const n = attrs.get(pkcs11js.CKA_MODULUS);
  const e = attrs.get(pkcs11js.CKA_PUBLIC_EXPONENT);
  if (!n || !e) throw new TokenError("TOKEN_ERROR", "无法读取 RSA 公钥", "CKA_MODULUS");
  // Let Node build the RFC 3279 §2.3.1 encoding, which also validates the numbers.
  return createPublicKey({
    key: { kty: "RSA", n: n.toString("base64url"), e: e.toString("base64url") },
    format: "jwk",
  }).export({ type: "spki", format: "der" });
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 over the subjectPublicKey BIT STRING's value. */
export function keyIdFromSpki(spki: Buffer): Buffer {
  const [, subjectPublicKey] = children(readNode(spki));
  if (!subjectPublicKey) throw new RangeError("SPKI without a public key");
  return createHash("sha1").update(subjectPublicKey.value.subarray(1)).digest();
}

function describe(session: TokenSession, privateKey: Handle): TokenKey | undefined {
  const attrs = attributes(session, privateKey, [pkcs11js.CKA_LABEL, pkcs11js.CKA_ID, pkcs11js.CKA_KEY_TYPE]);
  const id = attrs.get(pkcs11js.CKA_ID) ?? Buffer.alloc(0);
  const keyTypeValue = ulong(attrs.get(pkcs11js.CKA_KEY_TYPE) ?? Buffer.alloc(8));
  const keyType =
    keyTypeValue === pkcs11js.CKK_EC ? "ec" : keyTypeValue === pkcs11js.CKK_RSA ? "rsa" : undefined;
  if (!keyType) return undefined;
  const [publicKey] = findObjects(session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
    { type: pkcs11js.CKA_ID, value: id },
  ]);
  if (!publicKey) return undefined;
  let algorithm: string;
  if (keyType === "ec") {
    const params = attributes(session, publicKey, [pkcs11js.CKA_EC_PARAMS]).get(pkcs11js.CKA_EC_PARAMS);
    algorithm = params?.equals(P256_PARAMS) ? "ecdsa-p256" : "ec-other";
  } else {
    const modulus = attributes(session, publicKey, [pkcs11js.CKA_MODULUS]).get(pkcs11js.CKA_MODULUS);
    algorithm = `rsa-${(modulus?.length ?? 0) * 8}`;
  }
  return {
    label: (attrs.get(pkcs11js.CKA_LABEL) ?? Buffer.alloc(0)).toString("utf8"),
    id,
    keyType,
    algorithm,
    privateKey,
    publicKey,
  };
}

/** Every private key on the token that has its public key beside it (same CKA_ID). */
export function listKeys(session: TokenSession): TokenKey[] {
  try {
    return findObjects(session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }])
      .map((handle) => describe(session, handle))
      .filter((key): key is TokenKey => key !== undefined);
  } catch (error) {
    throw asTokenError(error, "读取密钥列表");
  }
}

export function findKey(session: TokenSession, by: { label?: string; id?: Uint8Array | string }): TokenKey {
  const id = by.id === undefined ? undefined : parseKeyId(by.id);
  const matches = listKeys(session).filter(
    (key) => (by.label === undefined || key.label === by.label) && (id === undefined || key.id.equals(id)),
  );
  const what = by.label !== undefined ? `标签为“${by.label}”` : `ID 为 ${id?.toString("hex")}`;
  if (matches.length === 0) throw new TokenError("KEY_NOT_FOUND", `介质中没有${what}的密钥`);
  if (matches.length > 1) throw new TokenError("KEY_EXISTS", `介质中有多个${what}的密钥，请改用密钥 ID 指定`);
  return matches[0]!;
}

function assertFree(session: TokenSession, label: string, id: Buffer | undefined): void {
  for (const objectClass of [pkcs11js.CKO_PRIVATE_KEY, pkcs11js.CKO_PUBLIC_KEY]) {
    const byLabel = findObjects(session, [
      { type: pkcs11js.CKA_CLASS, value: objectClass },
      { type: pkcs11js.CKA_LABEL, value: label },
    ]);
    if (byLabel.length > 0) throw new TokenError("KEY_EXISTS", `介质中已有标签为“${label}”的密钥`);
    if (id) {
      const byId = findObjects(session, [
        { type: pkcs11js.CKA_CLASS, value: objectClass },
        { type: pkcs11js.CKA_ID, value: id },
      ]);
      if (byId.length > 0)
        throw new TokenError("KEY_EXISTS", `介质中已有 ID 为 ${id.toString("hex")} 的密钥`);
    }
  }
}

/**
 * Generates a key pair inside the token. The private key is CKA_SENSITIVE and not CKA_EXTRACTABLE:
 * it never leaves the USB key, which is what makes the certificate's proof of possession mean
 * something (DESIGN §5, 证书在线更新 with USB keys).
 */
export async function generateKeyPair(
  session: TokenSession,
  options: GenerateKeyPairOptions,
): Promise<TokenKey> {
  const algorithm = options.algorithm ?? "ecdsa-p256";
  if (!KEY_ALGORITHMS.includes(algorithm)) {
    throw new TokenError(
      "TOKEN_ERROR",
      `不支持的密钥算法：${algorithm}（可选 ${KEY_ALGORITHMS.join("、")}）`,
    );
  }
  if (!options.label) throw new TokenError("TOKEN_ERROR", "请指定密钥标签");
  const requestedId = options.id === undefined ? undefined : parseKeyId(options.id);
  try {
    assertFree(session, options.label, requestedId);
    // Until the key exists its identifier cannot be computed, so a random one stands in.
    const id = requestedId ?? randomBytes(20);
    const common = [
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_LABEL, value: options.label },
      { type: pkcs11js.CKA_ID, value: id },
    ];
    const ec = algorithm === "ecdsa-p256";
    const publicTemplate: pkcs11js.Template = [
      ...common,
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
      { type: pkcs11js.CKA_PRIVATE, value: false },
      { type: pkcs11js.CKA_VERIFY, value: true },
      ...(ec
        ? [{ type: pkcs11js.CKA_EC_PARAMS, value: P256_PARAMS }]
        : [
            { type: pkcs11js.CKA_MODULUS_BITS, value: 2048 },
            { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([0x01, 0x00, 0x01]) },
            { type: pkcs11js.CKA_ENCRYPT, value: true },
          ]),
    ];
    const privateTemplate: pkcs11js.Template = [
      ...common,
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
      { type: pkcs11js.CKA_SIGN, value: true },
      // RSA keys may also decrypt, so documents encrypted to the certificate (bids) can be read.
      ...(ec ? [] : [{ type: pkcs11js.CKA_DECRYPT, value: true }]),
    ];
    const mechanism = { mechanism: ec ? pkcs11js.CKM_EC_KEY_PAIR_GEN : pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN };
    const pair = await session.pkcs11.C_GenerateKeyPairAsync(
      session.handle,
      mechanism,
      publicTemplate,
      privateTemplate,
    );
    const key: TokenKey = {
      label: options.label,
      id,
      keyType: ec ? "ec" : "rsa",
      algorithm,
      privateKey: pair.privateKey,
      publicKey: pair.publicKey,
    };
    if (!requestedId) {
      try {
        key.id = keyIdFromSpki(publicKeySpki(session, key));
        for (const handle of [pair.privateKey, pair.publicKey]) {
          session.pkcs11.C_SetAttributeValue(session.handle, handle, [
            { type: pkcs11js.CKA_ID, value: key.id },
          ]);
        }
      } catch (error) {
        // A half-labelled pair would confuse every later lookup by CKA_ID; leave nothing behind.
        deleteKey(session, key);
        throw error;
      }
    }
    return key;
  } catch (error) {
    throw asTokenError(error, "生成密钥对");
  }
}

/** Removes both halves of a key pair, e.g. when an enrolment failed before any certificate existed. */
export function deleteKey(session: TokenSession, key: Pick<TokenKey, "privateKey" | "publicKey">): void {
  try {
    session.pkcs11.C_DestroyObject(session.handle, key.privateKey);
    session.pkcs11.C_DestroyObject(session.handle, key.publicKey);
  } catch (error) {
    throw asTokenError(error, "删除密钥");
  }
}
