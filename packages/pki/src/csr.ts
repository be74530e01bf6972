// PKCS#10 (RFC 2986) certification requests: a small DER reader and a signature check, which is the
// applicant's proof of possession of the private key.
import { bitString, children, decodeOid, expectTag, explicit, integerBytes, readOne, seq, TAG } from "./der";
import { PkiError } from "./errors";
import {
  type Curve,
  inspectSpki,
  type KeyType,
  type PublicKeyInfo,
  type Signer,
  signatureAlgorithmFor,
  verifySignature,
  verifySignatureAsync,
} from "./keys";
import { type DistinguishedName, decodeName, encodeName } from "./names";
import { OID } from "./oids";
import { fromPemOrDer, toPem } from "./pem";
import { type ParsedExtension, parseExtension } from "./x509";

export interface ParsedCsr {
  der: Buffer;
  /** DER SubjectPublicKeyInfo, copied unchanged into the certificate. */
  subjectPublicKeyInfo: Buffer;
  /** subjectPublicKey contents (uncompressed point for EC/SM2, RSAPublicKey for RSA). */
  publicKey: Buffer;
  keyType: KeyType;
  /** RSA modulus bits or curve size. */
  keySize: number;
  curve?: Curve;
  /** "rsa-2048", "ecdsa-p256", "sm2", ... as profiles name keys. */
  keyName: string;
  signatureAlgorithm: string;
  /** The subject the applicant wrote (informational only; the CA certifies the RA's subject). */
  subject: { type: string; value: string }[];
  /** Extensions requested through the PKCS#9 extensionRequest attribute (informational). */
  requestedExtensions: ParsedExtension[];
}

export const CSR_PEM_LABELS = ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"] as const;

export function parseCsr(pemOrDer: string | Buffer): ParsedCsr {
  const r = readCsr(pemOrDer);
  if (!verifySignature(r.sigAlg, r.cri, r.signature, r.key)) throw badSignature();
  return r.parsed;
}

/**
 * parseCsr() with the signature check on libuv's thread pool, so concurrent requests in one process
 * use several cores. Same result and errors as parseCsr().
 */
export async function parseCsrAsync(pemOrDer: string | Buffer): Promise<ParsedCsr> {
  const r = readCsr(pemOrDer);
  if (!(await verifySignatureAsync(r.sigAlg, r.cri, r.signature, r.key))) throw badSignature();
  return r.parsed;
}

function badSignature(): PkiError {
  return new PkiError("PKI_BAD_SIGNATURE", "证书请求签名验证失败：请求被篡改或不是由该私钥生成");
}

interface ReadCsr {
  parsed: ParsedCsr;
  cri: Buffer;
  sigAlg: Buffer;
  signature: Buffer;
  key: PublicKeyInfo;
}

function readCsr(pemOrDer: string | Buffer): ReadCsr {
  const der = fromPemOrDer(pemOrDer, CSR_PEM_LABELS, "证书请求（CSR）");
  let top: ReturnType<typeof children>;
  try {
    top = children(expectTag(readOne(der), TAG.SEQUENCE, "证书请求"));
  } catch (err) {
    throw asGarbage(err);
  }
  const [criNode, sigAlgNode, sigNode] = top;
  if (!criNode || !sigAlgNode || !sigNode || top.length !== 3) {
    throw new PkiError("PKI_BAD_DER", "证书请求（CSR）的结构无效");
  }
  expectTag(criNode, TAG.SEQUENCE, "证书请求信息");
  expectTag(sigAlgNode, TAG.SEQUENCE, "证书请求签名算法");
  expectTag(sigNode, TAG.BIT_STRING, "证书请求签名");
  const cri = children(criNode);
  const version = expectTag(cri[0], TAG.INTEGER, "证书请求版本");
  if (integerBytes(version)[0] !== 0) throw new PkiError("PKI_BAD_DER", "证书请求版本必须为 v1(0)");
  const subjectNode = expectTag(cri[1], TAG.SEQUENCE, "证书请求主体");
  const spkiNode = expectTag(cri[2], TAG.SEQUENCE, "证书请求公钥");
  const key = inspectSpki(Buffer.from(spkiNode.raw));

  const requestedExtensions: ParsedExtension[] = [];
  const attrs = cri[3];
  if (attrs && attrs.tag === 0xa0) {
    for (const attr of children(attrs)) {
      const [typeNode, valuesNode] = children(attr);
      if (typeNode && decodeOid(typeNode.value) === OID.extensionRequest && valuesNode) {
        const extSeq = children(valuesNode)[0];
        if (extSeq) for (const e of children(extSeq)) requestedExtensions.push(parseExtension(e));
      }
    }
  }

  if (sigNode.value[0] !== 0) throw new PkiError("PKI_BAD_DER", "证书请求签名位串无效");
  const signature = sigNode.value.subarray(1);
  const parsed: ParsedCsr = {
    der,
    subjectPublicKeyInfo: key.spki,
    publicKey: key.publicKey,
    keyType: key.keyType,
    keySize: key.keySize,
    curve: key.curve,
    keyName: key.keyName,
    signatureAlgorithm: decodeOid(children(sigAlgNode)[0]!.value),
    subject: decodeName(subjectNode.raw),
    requestedExtensions,
  };
  return { parsed, cri: criNode.raw, sigAlg: sigAlgNode.raw, signature, key };
}

function asGarbage(err: unknown): unknown {
  if (err instanceof PkiError && err.code === "PKI_BAD_DER") {
    return new PkiError("PKI_BAD_DER", "无法解析证书请求（CSR）：数据不是有效的 DER 结构");
  }
  return err;
}

/**
 * Makes a PKCS#10 request signed by `signer` (any key the Signer interface reaches: node:crypto,
 * SM2 with the standard ID, a token). For the operations CLI, tests and benchmarks; applicants'
 * browsers and tokens make their own.
 */
export async function createCsr(
  subject: DistinguishedName,
  signer: Signer,
): Promise<{ der: Buffer; pem: string }> {
  const cri = seq(Buffer.from([TAG.INTEGER, 1, 0]), encodeName(subject), signer.publicKeySpki, explicit(0));
  const sigAlg = signatureAlgorithmFor(signer.algorithm).der;
  const der = seq(cri, sigAlg, bitString(await signer.sign(cri)));
  return { der, pem: toPem(der, "CERTIFICATE REQUEST") };
}
