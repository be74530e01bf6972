// OCSP (RFC 6960): request parsing, signed responses (by the issuing CA or a delegated responder
// certificate) and the unsigned error responses. Responses without a nonce can be pre-signed and
// cached (RFC 5019); a request's nonce (RFC 8954) is echoed when the caller asks for it.
import crypto from "node:crypto";
import { REVOCATION_REASONS, type RevocationReason, serialFromHex } from "./crl";
import {
  bitString,
  children,
  type DerNode,
  decodeOid,
  enumerated,
  expectTag,
  explicit,
  generalizedTime,
  integerBytes,
  integerFromUnsigned,
  NULL_DER,
  octetString,
  oid,
  readOne,
  seq,
  TAG,
  tlv,
  tlvList,
} from "./der";
import { PkiError } from "./errors";
import { type Issuer, issuerContext } from "./issue";
import { type Signer, signatureAlgorithmFor } from "./keys";
import { OID } from "./oids";
import { parseCertificate } from "./x509";

export type CertIdHash = "sha1" | "sha256";

export interface CertId {
  hashAlgorithm: CertIdHash;
  issuerNameHash: Buffer;
  issuerKeyHash: Buffer;
  serialHex: string;
  /** The CertID DER exactly as received, echoed back in the response. */
  raw: Buffer;
}

export interface ParsedOcspRequest {
  certIds: CertId[];
  /** The nonce extension's extnValue contents, to echo verbatim. */
  nonce?: Buffer;
}

const HASH_BY_OID: Record<string, CertIdHash> = { [OID.sha1]: "sha1", [OID.sha256]: "sha256" };
const HASH_OID: Record<CertIdHash, string> = { sha1: OID.sha1, sha256: OID.sha256 };

function parseCertId(node: DerNode): CertId {
  const [alg, nameHash, keyHash, serial] = children(expectTag(node, TAG.SEQUENCE, "CertID"));
  const algOid = decodeOid(
    expectTag(children(expectTag(alg, TAG.SEQUENCE, "CertID"))[0], TAG.OID, "CertID").value,
  );
  const hashAlgorithm = HASH_BY_OID[algOid];
  if (!hashAlgorithm)
    throw new PkiError("PKI_BAD_OCSP_REQUEST", `OCSP 请求使用了不支持的哈希算法（${algOid}）`);
  return {
    hashAlgorithm,
    issuerNameHash: expectTag(nameHash, TAG.OCTET_STRING, "CertID").value,
    issuerKeyHash: expectTag(keyHash, TAG.OCTET_STRING, "CertID").value,
    serialHex: integerBytes(expectTag(serial, TAG.INTEGER, "CertID")).toString("hex"),
    raw: node.raw,
  };
}

/** Parses a DER OCSPRequest. Any structural problem is PKI_BAD_OCSP_REQUEST (answer malformedRequest). */
export function parseOcspRequest(der: Buffer): ParsedOcspRequest {
  try {
    const [tbs] = children(expectTag(readOne(der), TAG.SEQUENCE, "OCSP 请求"));
    const parts = children(expectTag(tbs, TAG.SEQUENCE, "OCSP 请求"));
    const list = parts.find((p) => p.tag === TAG.SEQUENCE);
    if (!list) throw new PkiError("PKI_BAD_OCSP_REQUEST", "OCSP 请求缺少 requestList");
    const certIds = children(list).map((req) =>
      parseCertId(children(expectTag(req, TAG.SEQUENCE, "Request"))[0]!),
    );
    if (certIds.length === 0) throw new PkiError("PKI_BAD_OCSP_REQUEST", "OCSP 请求不含任何证书");
    let nonce: Buffer | undefined;
    const extsWrapper = parts.find((p) => p.tag === 0xa2);
    if (extsWrapper) {
      for (const ext of children(children(extsWrapper)[0]!)) {
        const extParts = children(ext);
        if (decodeOid(extParts[0]!.value) === OID.ocspNonce) nonce = extParts[extParts.length - 1]!.value;
      }
    }
    // RFC 8954 2.1: nonces longer than 32 octets are refused (extnValue = OCTET STRING header + nonce).
    if (nonce && (nonce.length < 1 || nonce.length > 34)) {
      throw new PkiError("PKI_BAD_OCSP_REQUEST", "OCSP 请求的 nonce 长度无效");
    }
    return { certIds, nonce };
  } catch (err) {
    if (err instanceof PkiError && err.code === "PKI_BAD_OCSP_REQUEST") throw err;
    throw new PkiError("PKI_BAD_OCSP_REQUEST", "无法解析 OCSP 请求");
  }
}

/** The issuerNameHash/issuerKeyHash pair of an issuer certificate (RFC 6960 4.1.1). */
export function issuerHashes(
  issuerCertDer: Buffer,
  hash: CertIdHash = "sha1",
): { nameHash: Buffer; keyHash: Buffer } {
  const cert = parseCertificate(issuerCertDer);
  const bits = children(readOne(cert.spki))[1]!.value.subarray(1);
  return {
    nameHash: crypto.createHash(hash).update(cert.subjectRaw).digest(),
    keyHash: crypto.createHash(hash).update(bits).digest(),
  };
}

/** Whether `certId` names a certificate of this issuer (else answer "unknown" or unauthorized). */
export function certIdMatchesIssuer(certId: CertId, issuerCertDer: Buffer): boolean {
  const h = issuerHashes(issuerCertDer, certId.hashAlgorithm);
  return h.nameHash.equals(certId.issuerNameHash) && h.keyHash.equals(certId.issuerKeyHash);
}

/** Builds a CertID for pre-signing a response for `serialHex` without a request. */
export function buildCertId(issuerCertDer: Buffer, serialHex: string, hash: CertIdHash = "sha1"): CertId {
  const h = issuerHashes(issuerCertDer, hash);
  const raw = seq(
    seq(oid(HASH_OID[hash]), NULL_DER),
    octetString(h.nameHash),
    octetString(h.keyHash),
    integerFromUnsigned(serialFromHex(serialHex)),
  );
  return {
    hashAlgorithm: hash,
    issuerNameHash: h.nameHash,
    issuerKeyHash: h.keyHash,
    serialHex: serialFromHex(serialHex).toString("hex"),
    raw,
  };
}

export type OcspCertStatus =
  | { status: "good" }
  | { status: "revoked"; time: Date; reason?: RevocationReason }
  | { status: "unknown" };

export interface OcspSingleResponse {
  certId: CertId;
  status: OcspCertStatus;
  thisUpdate: Date;
  nextUpdate?: Date;
}

export interface BuildOcspResponseParams {
  /** The CA whose certificates the responses are about. */
  issuer: Issuer;
  /**
   * Who signs: by default the issuing CA itself. A delegated responder certificate must be issued by
   * `issuer` with id-kp-OCSPSigning (profile "ocsp-responder"); it is then included in `certs`.
   */
  responder?: { certDer: Buffer; signer: Signer };
  responses: readonly OcspSingleResponse[];
  /** The request's nonce (ParsedOcspRequest.nonce), echoed in the response extensions. */
  nonce?: Buffer;
  producedAt?: Date;
}

function certStatus(s: OcspCertStatus): Buffer {
  switch (s.status) {
    case "good":
      return Buffer.from([0x80, 0x00]);
    case "unknown":
      return Buffer.from([0x82, 0x00]);
    case "revoked": {
      const parts = [generalizedTime(s.time)];
      if (s.reason && s.reason !== "unspecified") {
        parts.push(explicit(0, enumerated(REVOCATION_REASONS[s.reason])));
      }
      return tlv(0xa1, ...parts);
    }
  }
}

const wholeSeconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);

export async function buildOcspResponse(params: BuildOcspResponseParams): Promise<Buffer> {
  const ctx = issuerContext(params.issuer);
  const signerCertDer = params.responder?.certDer ?? params.issuer.certDer;
  const signer = params.responder?.signer ?? params.issuer.signer;
  if (params.responder) {
    const responderCert = parseCertificate(params.responder.certDer);
    if (!responderCert.issuerRaw.equals(ctx.cert.subjectRaw)) {
      throw new PkiError("PKI_BAD_INPUT", "OCSP 响应器证书必须由该 CA 签发");
    }
    if (!Buffer.from(signer.publicKeySpki).equals(responderCert.spki)) {
      throw new PkiError("PKI_KEY_MISMATCH", "OCSP 响应器的私钥与其证书不匹配");
    }
  }
  // ResponderID byKey [2] EXPLICIT KeyHash: SHA-1 of the signer's subjectPublicKey (RFC 6960 4.2.1).
  const keyHash = issuerHashes(signerCertDer, "sha1").keyHash;
  const singles = params.responses.map((r) => {
    const parts = [r.certId.raw, certStatus(r.status), generalizedTime(wholeSeconds(r.thisUpdate))];
    if (r.nextUpdate) parts.push(explicit(0, generalizedTime(wholeSeconds(r.nextUpdate))));
    return seq(...parts);
  });
  const responseData = [
    explicit(2, octetString(keyHash)),
    generalizedTime(wholeSeconds(params.producedAt ?? new Date())),
    tlvList(TAG.SEQUENCE, singles),
  ];
  if (params.nonce) {
    responseData.push(explicit(1, seq(seq(oid(OID.ocspNonce), octetString(params.nonce)))));
  }
  const tbs = seq(...responseData);
  const sigAlg = signatureAlgorithmFor(signer.algorithm).der;
  const signature = await signer.sign(tbs);
  const basicParts = [tbs, sigAlg, bitString(signature)];
  if (params.responder) basicParts.push(explicit(0, seq(params.responder.certDer)));
  const basic = seq(...basicParts);
  return seq(enumerated(0), explicit(0, seq(oid(OID.ocspBasic), octetString(basic))));
}

/** RFC 6960 4.2.1 OCSPResponseStatus values other than successful; value 4 is not used. */
export const OCSP_ERROR_STATUS = {
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;
export type OcspErrorStatus = keyof typeof OCSP_ERROR_STATUS;

/** An unsigned error response (no responseBytes), e.g. malformedRequest or unauthorized. */
export function ocspErrorResponse(status: OcspErrorStatus): Buffer {
  const code = OCSP_ERROR_STATUS[status];
  if (code === undefined) throw new PkiError("PKI_BAD_INPUT", `未知的 OCSP 错误状态“${status}”`);
  return seq(enumerated(code));
}
