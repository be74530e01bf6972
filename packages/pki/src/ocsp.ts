// OCSP (RFC 6960): request parsing, responses signed by the CA itself (RFC 6960 4.2.2.2, first case:
// no delegated responder certificate exists, so no key but the CA's can vouch for a status) and the
// unsigned error responses. Responses without a nonce can be pre-signed and
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
import { signatureAlgorithmFor } from "./keys";
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
  /** The CA whose certificates the responses are about; it signs them with its own key. */
  issuer: Issuer;
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
  // issuerContext checks that the signer's key is the CA certificate's key.
  issuerContext(params.issuer);
  const signer = params.issuer.signer;
  // ResponderID byKey [2] EXPLICIT KeyHash: SHA-1 of the signer's subjectPublicKey (RFC 6960 4.2.1).
  const keyHash = issuerHashes(params.issuer.certDer, "sha1").keyHash;
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
  const basic = seq(tbs, sigAlg, bitString(signature));
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
