// Key types, SubjectPublicKeyInfo inspection, signature algorithm identifiers, and the Signer
// abstraction that lets the issuing key live in node:crypto today and in a PKCS#11 token later.
import crypto from "node:crypto";
import {
  bitString,
  children,
  decodeOid,
  expectTag,
  integerBytes,
  NULL_DER,
  oid,
  readOne,
  seq,
  TAG,
} from "./der";
import { PkiError } from "./errors";
import { OID } from "./oids";
import { sm2Sign, sm2Verify } from "./sm2";

/** Algorithms a CA key may have. The issuing CA signs with SHA-256 (SHA-384 for P-384) or SM3. */
export type CaAlgorithm = "ecdsa-p256" | "ecdsa-p384" | "rsa-2048" | "rsa-3072" | "rsa-4096" | "sm2";
export const CA_ALGORITHMS: readonly CaAlgorithm[] = [
  "ecdsa-p256",
  "ecdsa-p384",
  "rsa-2048",
  "rsa-3072",
  "rsa-4096",
  "sm2",
];

export type KeyType = "rsa" | "ec" | "sm2";
export type Curve = "P-256" | "P-384" | "SM2";

/** What the CA learns from a SubjectPublicKeyInfo. */
export interface PublicKeyInfo {
  keyType: KeyType;
  /** RSA modulus bits, or the curve's field size in bits. */
  keySize: number;
  curve?: Curve;
  /** Profile-level name: "rsa-2048", "ecdsa-p256", "sm2", ... */
  keyName: string;
  /** The DER SubjectPublicKeyInfo exactly as received (copied into certificates unchanged). */
  spki: Buffer;
  /** The subjectPublicKey BIT STRING contents (uncompressed point for EC/SM2). */
  publicKey: Buffer;
}

const CURVES: Record<string, { curve: Curve; bits: number; pointLen: number; name: string }> = {
  [OID.prime256v1]: { curve: "P-256", bits: 256, pointLen: 65, name: "ecdsa-p256" },
  [OID.secp384r1]: { curve: "P-384", bits: 384, pointLen: 97, name: "ecdsa-p384" },
  [OID.sm2Curve]: { curve: "SM2", bits: 256, pointLen: 65, name: "sm2" },
};

/** Parses and checks a DER SubjectPublicKeyInfo. Refuses RSA < 2048 and unknown curves. */
export function inspectSpki(spki: Buffer): PublicKeyInfo {
  const top = children(expectTag(readOne(spki), TAG.SEQUENCE, "公钥信息"));
  const alg = children(expectTag(top[0], TAG.SEQUENCE, "公钥算法"));
  const bits = expectTag(top[1], TAG.BIT_STRING, "公钥");
  if (bits.value[0] !== 0) throw new PkiError("PKI_BAD_DER", "公钥位串无效");
  const publicKey = bits.value.subarray(1);
  const algOid = decodeOid(expectTag(alg[0], TAG.OID, "公钥算法").value);
  if (algOid === OID.rsaEncryption) {
    const rsa = children(expectTag(readOne(publicKey), TAG.SEQUENCE, "RSA 公钥"));
    const n = integerBytes(expectTag(rsa[0], TAG.INTEGER, "RSA 模数"));
    const e = integerBytes(expectTag(rsa[1], TAG.INTEGER, "RSA 指数"));
    const keySize = n.length * 8 - Math.clz32(n[0]!) + 24;
    if (keySize < 2048) {
      throw new PkiError("PKI_WEAK_KEY", `RSA 密钥长度 ${keySize} 位过短，至少需要 2048 位`);
    }
    // RFC 3279/NIST SP 800-89: the public exponent must be odd and greater than 1 (we want >= 65537).
    const eBig = BigInt(`0x${e.toString("hex")}`);
    if (eBig < 65537n || (eBig & 1n) === 0n) {
      throw new PkiError("PKI_WEAK_KEY", "RSA 公钥指数无效（须为不小于 65537 的奇数）");
    }
    return { keyType: "rsa", keySize, keyName: `rsa-${keySize}`, spki, publicKey };
  }
  if (algOid === OID.ecPublicKey) {
    const params = alg[1];
    if (!params || params.tag !== TAG.OID) {
      throw new PkiError("PKI_UNSUPPORTED_KEY", "椭圆曲线公钥必须使用命名曲线");
    }
    const curveOid = decodeOid(params.value);
    const curve = CURVES[curveOid];
    if (!curve) throw new PkiError("PKI_UNSUPPORTED_KEY", `不支持的椭圆曲线（${curveOid}）`);
    if (publicKey.length !== curve.pointLen || publicKey[0] !== 0x04) {
      throw new PkiError("PKI_UNSUPPORTED_KEY", "椭圆曲线公钥必须是未压缩点");
    }
    return {
      keyType: curve.curve === "SM2" ? "sm2" : "ec",
      keySize: curve.bits,
      curve: curve.curve,
      keyName: curve.name,
      spki,
      publicKey,
    };
  }
  throw new PkiError("PKI_UNSUPPORTED_KEY", `不支持的公钥算法（${algOid}）`);
}

// --- Signature algorithms -------------------------------------------------------------------

interface SigAlg {
  oid: string;
  hash: string;
  keyType: KeyType;
  /** DER AlgorithmIdentifier as it goes into certificates/CRLs/OCSP. */
  der: Buffer;
}

function sigAlg(oidStr: string, hash: string, keyType: KeyType, nullParams: boolean): SigAlg {
  // RFC 4055 2.1: RSA PKCS#1 v1.5 identifiers carry NULL parameters; RFC 5758 3.2: ECDSA ones omit them.
  // GM/T 0015 5.2.2: SM3withSM2 has no parameters (OpenSSL writes it the same way).
  const der = nullParams ? seq(oid(oidStr), NULL_DER) : seq(oid(oidStr));
  return { oid: oidStr, hash, keyType, der };
}

const SIG_ALGS: Record<string, SigAlg> = {
  [OID.sha256WithRSAEncryption]: sigAlg(OID.sha256WithRSAEncryption, "sha256", "rsa", true),
  [OID.sha384WithRSAEncryption]: sigAlg(OID.sha384WithRSAEncryption, "sha384", "rsa", true),
  [OID.sha512WithRSAEncryption]: sigAlg(OID.sha512WithRSAEncryption, "sha512", "rsa", true),
  [OID.ecdsaWithSHA256]: sigAlg(OID.ecdsaWithSHA256, "sha256", "ec", false),
  [OID.ecdsaWithSHA384]: sigAlg(OID.ecdsaWithSHA384, "sha384", "ec", false),
  [OID.ecdsaWithSHA512]: sigAlg(OID.ecdsaWithSHA512, "sha512", "ec", false),
  [OID.sm2WithSm3]: sigAlg(OID.sm2WithSm3, "sm3", "sm2", false),
};

/** The signature AlgorithmIdentifier a CA key of `algorithm` signs with. */
export function signatureAlgorithmFor(algorithm: CaAlgorithm): SigAlg {
  switch (algorithm) {
    case "ecdsa-p256":
      return SIG_ALGS[OID.ecdsaWithSHA256]!;
    case "ecdsa-p384":
      return SIG_ALGS[OID.ecdsaWithSHA384]!;
    case "rsa-2048":
    case "rsa-3072":
    case "rsa-4096":
      return SIG_ALGS[OID.sha256WithRSAEncryption]!;
    case "sm2":
      return SIG_ALGS[OID.sm2WithSm3]!;
  }
}

/**
 * Verifies `signature` over `data` made with the AlgorithmIdentifier `sigAlgDer` by `key`.
 * Returns false on a wrong signature; throws PKI_UNSUPPORTED_ALGORITHM for algorithms we do not take.
 */
export function verifySignature(
  sigAlgDer: Buffer,
  data: Buffer,
  signature: Buffer,
  key: PublicKeyInfo,
): boolean {
  const alg = signatureAlgorithmOf(sigAlgDer);
  // An algorithm/key mismatch (e.g. ECDSA claimed for an SM2 key) is simply a bad signature.
  if (alg.keyType !== key.keyType) return false;
  if (alg.keyType === "sm2") return sm2Verify(data, signature, key.publicKey);
  try {
    return crypto.verify(alg.hash, data, { key: jwkOf(key), format: "jwk" }, signature);
  } catch {
    return false;
  }
}

/**
 * verifySignature() on libuv's thread pool (node:crypto's callback form): slower for one request at a
 * time, but lets one Node process spread concurrent proof-of-possession checks over several cores.
 */
export function verifySignatureAsync(
  sigAlgDer: Buffer,
  data: Buffer,
  signature: Buffer,
  key: PublicKeyInfo,
): Promise<boolean> {
  const alg = signatureAlgorithmOf(sigAlgDer);
  if (alg.keyType !== key.keyType) return Promise.resolve(false);
  if (alg.keyType === "sm2") return Promise.resolve(sm2Verify(data, signature, key.publicKey));
  return new Promise((resolve) => {
    try {
      crypto.verify(alg.hash, data, { key: jwkOf(key), format: "jwk" }, signature, (err, ok) =>
        resolve(!err && ok),
      );
    } catch {
      resolve(false);
    }
  });
}

function signatureAlgorithmOf(sigAlgDer: Buffer): SigAlg {
  const algParts = children(expectTag(readOne(sigAlgDer), TAG.SEQUENCE, "签名算法"));
  const algOid = decodeOid(expectTag(algParts[0], TAG.OID, "签名算法").value);
  const alg = SIG_ALGS[algOid];
  if (!alg) throw new PkiError("PKI_UNSUPPORTED_ALGORITHM", `不支持的签名算法（${algOid}）`);
  return alg;
}

const b64url = (b: Buffer): string => b.toString("base64url");

/**
 * The key as a JWK for node:crypto. Importing a JWK builds the OpenSSL key from its numbers directly,
 * about twice as fast as decoding SPKI DER through OpenSSL 3.0's decoder framework, and proof-of-
 * possession checks import a fresh key for every request. OpenSSL still checks the EC point.
 */
function jwkOf(key: PublicKeyInfo): crypto.JsonWebKey {
  if (key.keyType === "ec") {
    const half = (key.publicKey.length - 1) / 2;
    return {
      kty: "EC",
      crv: key.curve,
      x: b64url(key.publicKey.subarray(1, 1 + half)),
      y: b64url(key.publicKey.subarray(1 + half)),
    };
  }
  const rsa = children(readOne(key.publicKey));
  return { kty: "RSA", n: b64url(integerBytes(rsa[0]!)), e: b64url(integerBytes(rsa[1]!)) };
}

// --- Key generation and the Signer interface -------------------------------------------------

export interface KeyPair {
  algorithm: CaAlgorithm;
  /** PKCS#8 PrivateKeyInfo, DER. */
  pkcs8: Buffer;
  /** SubjectPublicKeyInfo, DER. */
  spki: Buffer;
}

export function generateKeyPair(algorithm: CaAlgorithm): KeyPair {
  let pair: crypto.KeyPairKeyObjectResult;
  switch (algorithm) {
    case "ecdsa-p256":
      pair = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
      break;
    case "ecdsa-p384":
      pair = crypto.generateKeyPairSync("ec", { namedCurve: "secp384r1" });
      break;
    case "sm2":
      pair = crypto.generateKeyPairSync("ec", { namedCurve: "SM2" });
      break;
    default:
      pair = crypto.generateKeyPairSync("rsa", {
        modulusLength: Number(algorithm.slice(4)),
        publicExponent: 65537,
      });
  }
  return {
    algorithm,
    pkcs8: pair.privateKey.export({ type: "pkcs8", format: "der" }),
    spki: pair.publicKey.export({ type: "spki", format: "der" }),
  };
}

/**
 * Something that signs with the CA key. `sign` receives the complete to-be-signed bytes (it hashes
 * them itself) and returns the signature exactly as it goes into the BIT STRING: DER Ecdsa-Sig-Value
 * for ECDSA/SM2, the raw PKCS#1 v1.5 block for RSA. Implementations may be synchronous (node:crypto)
 * or asynchronous (PKCS#11, a remote signing process).
 */
export interface Signer {
  algorithm: CaAlgorithm;
  publicKeySpki: Buffer;
  sign(data: Buffer): Promise<Buffer> | Buffer;
}

interface Pkcs8Info {
  algorithm: CaAlgorithm;
  /** For EC/SM2: the private scalar d and the public point, when present. */
  ecPrivate?: Buffer;
  ecPublic?: Buffer;
}

function inspectPkcs8(pkcs8: Buffer): Pkcs8Info {
  const top = children(expectTag(readOne(pkcs8), TAG.SEQUENCE, "PKCS#8 私钥"));
  const alg = children(expectTag(top[1], TAG.SEQUENCE, "私钥算法"));
  const algOid = decodeOid(expectTag(alg[0], TAG.OID, "私钥算法").value);
  const inner = expectTag(top[2], TAG.OCTET_STRING, "私钥");
  if (algOid === OID.rsaEncryption) {
    const rsa = children(expectTag(readOne(inner.value), TAG.SEQUENCE, "RSA 私钥"));
    const n = integerBytes(expectTag(rsa[1], TAG.INTEGER, "RSA 模数"));
    const bits = n.length * 8 - Math.clz32(n[0]!) + 24;
    const algorithm = `rsa-${bits}` as CaAlgorithm;
    if (!CA_ALGORITHMS.includes(algorithm)) {
      throw new PkiError("PKI_UNSUPPORTED_KEY", `CA 不支持 ${bits} 位 RSA 密钥`);
    }
    return { algorithm };
  }
  if (algOid === OID.ecPublicKey) {
    const curveOid = decodeOid(expectTag(alg[1], TAG.OID, "椭圆曲线").value);
    const curve = CURVES[curveOid];
    if (!curve) throw new PkiError("PKI_UNSUPPORTED_KEY", `不支持的椭圆曲线（${curveOid}）`);
    // RFC 5915 ECPrivateKey { version, privateKey OCTET STRING, [0] params OPTIONAL, [1] publicKey OPTIONAL }
    const ec = children(expectTag(readOne(inner.value), TAG.SEQUENCE, "EC 私钥"));
    const d = expectTag(ec[1], TAG.OCTET_STRING, "EC 私钥").value;
    const pubNode = ec.find((c) => c.tag === 0xa1);
    const ecPublic = pubNode ? children(pubNode)[0]?.value.subarray(1) : undefined;
    return { algorithm: curve.name as CaAlgorithm, ecPrivate: d, ecPublic };
  }
  throw new PkiError("PKI_UNSUPPORTED_KEY", `不支持的私钥算法（${algOid}）`);
}

export function sm2Spki(point: Buffer): Buffer {
  return seq(seq(oid(OID.ecPublicKey), oid(OID.sm2Curve)), bitString(point));
}

export interface LocalSignerOptions {
  /**
   * Sign on libuv's thread pool (asynchronous Signer). One Node process then uses several cores for
   * concurrent issuance; a single sequential caller is faster without it. Not used for SM2.
   */
  threadPool?: boolean;
}

/** A Signer over a PKCS#8 key held in memory, using node:crypto (and our SM2 code for SM2). */
export function localSigner(pkcs8: Buffer, options: LocalSignerOptions = {}): Signer {
  const info = inspectPkcs8(pkcs8);
  if (info.algorithm === "sm2") {
    const d = Buffer.from(info.ecPrivate!);
    let point = info.ecPublic;
    if (point?.length !== 65) {
      const ecdh = crypto.createECDH("SM2");
      ecdh.setPrivateKey(d);
      point = ecdh.getPublicKey();
    }
    const pub = Buffer.from(point);
    return { algorithm: "sm2", publicKeySpki: sm2Spki(pub), sign: (data) => sm2Sign(data, d, pub) };
  }
  const key = crypto.createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  const hash = signatureAlgorithmFor(info.algorithm).hash;
  const publicKeySpki = crypto.createPublicKey(key).export({ type: "spki", format: "der" });
  if (options.threadPool) {
    return {
      algorithm: info.algorithm,
      publicKeySpki,
      sign: (data) =>
        new Promise<Buffer>((resolve, reject) =>
          crypto.sign(hash, data, key, (err, sig) => (err ? reject(err) : resolve(sig))),
        ),
    };
  }
  return { algorithm: info.algorithm, publicKeySpki, sign: (data) => crypto.sign(hash, data, key) };
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING contents. */
export function keyIdentifier(spki: Buffer): Buffer {
  const top = children(expectTag(readOne(spki), TAG.SEQUENCE, "公钥信息"));
  const bits = expectTag(top[1], TAG.BIT_STRING, "公钥");
  return crypto.createHash("sha1").update(bits.value.subarray(1)).digest();
}
