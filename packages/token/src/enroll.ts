import { createPublicKey, X509Certificate } from "node:crypto";
import { type TokenCertificate, writeCertificate } from "./certificates";
import { buildCsr, parseSubjectHint, type SubjectHint } from "./csr";
import { fromPem } from "./encoding";
import { TokenError, type TokenErrorCode } from "./errors";
import {
  deleteKey,
  generateKeyPair,
  type KeyAlgorithm,
  listKeys,
  publicKeySpki,
  type TokenKey,
} from "./keys";
import { postJson } from "./platform";
import type { TokenSession } from "./token";

export interface IssueRequest {
  csrPem: string;
  profile: string;
  subject: SubjectHint;
}

export interface IssueResponse {
  certificatePem: string;
  chainPem: string;
  serialHex: string;
}

export interface RequestIssueOptions {
  /** The platform's base URL, e.g. https://platform.example; the path is appended. */
  url: string;
  serviceToken: string;
  request: IssueRequest;
  /** Injected for tests and proxies; the global fetch by default. */
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** The platform's issue endpoint, relative to its base URL. */
export const ISSUE_PATH = "/api/v1/pki/issue";

/** POST {url}/api/v1/pki/issue with the service token; returns the issued certificate. */
export async function requestIssue(options: RequestIssueOptions): Promise<IssueResponse> {
  const body = await postJson({
    url: options.url,
    path: ISSUE_PATH,
    body: options.request,
    headers: { authorization: `Bearer ${options.serviceToken}` },
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    errorCode: "ISSUE_FAILED",
    action: "签发",
    service: "签发服务",
    reasonFor: (status) => (status === 401 || status === 403 ? "服务令牌无效或无权签发" : undefined),
  });
  return issuedCertificate(body, "ISSUE_FAILED", "签发服务");
}

/**
 * Checks the certificate part of a platform's answer: exactly one parseable certificate and its
 * serial in hex. Shared by the issue and the online-update answers.
 */
export function issuedCertificate(
  body: Record<string, unknown>,
  code: TokenErrorCode,
  service: string,
): IssueResponse {
  const { certificatePem, chainPem, serialHex } = body;
  const certs = typeof certificatePem === "string" ? fromPem("CERTIFICATE", certificatePem) : [];
  if (certs.length !== 1) throw new TokenError(code, `${service}的应答中没有证书`);
  try {
    new X509Certificate(certs[0]!);
  } catch (error) {
    throw new TokenError(code, `${service}应答的证书无法解析`, String(error), { cause: error });
  }
  if (typeof serialHex !== "string" || !/^[0-9a-fA-F]+$/.test(serialHex)) {
    throw new TokenError(code, `${service}的应答中没有证书序列号`);
  }
  return {
    certificatePem: certificatePem as string,
    chainPem: typeof chainPem === "string" ? chainPem : "",
    serialHex: serialHex.toLowerCase(),
  };
}

export interface EnrollOptions {
  url: string;
  serviceToken: string;
  profile: string;
  subject: SubjectHint;
  /** CKA_LABEL of the new key and certificate; by default certhall-<UTC time>, made unique. */
  label?: string;
  algorithm?: KeyAlgorithm;
  fetch?: typeof fetch;
}

export interface EnrollResult {
  key: TokenKey;
  certificate: TokenCertificate;
  chainPem: string;
  serialHex: string;
}

/** `base`, or `base-2`, `base-3`, … when a key on the token already has that label. */
export function freeLabel(session: TokenSession, base: string): string {
  const taken = new Set(listKeys(session).map((k) => k.label));
  let label = base;
  for (let n = 2; taken.has(label); n++) label = `${base}-${n}`;
  return label;
}

function defaultLabel(session: TokenSession): string {
  return freeLabel(session, `certhall-${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}`);
}

export interface CertifyKeyOptions {
  key: TokenKey;
  /** The key was made for this request: it is removed again when nothing gets issued for it. */
  created: boolean;
  /** What the request asks for: a subject hint, or the DER Name of the certificate being renewed. */
  subject: SubjectHint | Buffer;
  /** CKA_LABEL of the certificate object. */
  label: string;
  /** Replace the key's older certificate objects (a renewal that kept the key). */
  replace?: boolean;
  /** Sends the PKCS#10 request to the platform and returns what it issued. */
  request: (csrPem: string) => Promise<IssueResponse>;
  errorCode: TokenErrorCode;
  /** Who issued, for messages, e.g. 签发服务. */
  service: string;
}

/**
 * The part that enrolment and renewal share: the token signs a request for the key, the platform
 * issues, and the certificate is written beside the key. A key made for this request leaves the
 * token again when the request or the issue fails, so nothing is left half-done.
 */
export async function certifyKey(session: TokenSession, options: CertifyKeyOptions): Promise<EnrollResult> {
  const { key } = options;
  let issued: IssueResponse;
  let certDer: Buffer;
  try {
    const csr = await buildCsr(session, key, options.subject);
    issued = await options.request(csr.pem);
    certDer = fromPem("CERTIFICATE", issued.certificatePem)[0]!;
    const certified = new X509Certificate(certDer).publicKey.export({ type: "spki", format: "der" });
    const own = createPublicKey({ key: publicKeySpki(session, key), format: "der", type: "spki" });
    if (!certified.equals(own.export({ type: "spki", format: "der" }))) {
      throw new TokenError(
        "CERT_KEY_MISMATCH",
        `${options.service}签发的证书与介质中的密钥不匹配，未写入介质`,
      );
    }
  } catch (error) {
    // Nothing usable was issued for this key, so leave no orphan behind on a token with little space.
    if (options.created) deleteKey(session, key);
    throw error;
  }
  // From here on a certificate exists for the key, so the key stays even if what follows fails: the
  // certificate can still be written with `token import-cert`.
  const serial = new X509Certificate(certDer).serialNumber.toLowerCase();
  if (serial.replace(/^0+/, "") !== issued.serialHex.replace(/^0+/, "")) {
    throw new TokenError(
      options.errorCode,
      `${options.service}应答的序列号与证书不一致`,
      `${issued.serialHex} != ${serial}`,
    );
  }
  const certificate = writeCertificate(session, certDer, {
    label: options.label,
    id: key.id,
    replace: options.replace,
  });
  return { key, certificate, chainPem: issued.chainPem, serialHex: certificate.serialHex };
}

/**
 * 证书在线更新 for a USB key (DESIGN §5): the key is made on the token, the token signs the
 * request, the platform issues, and the certificate is written back beside the key.
 */
export async function enroll(session: TokenSession, options: EnrollOptions): Promise<EnrollResult> {
  const subject = parseSubjectHint(options.subject);
  const label = options.label ?? defaultLabel(session);
  const key = await generateKeyPair(session, { label, algorithm: options.algorithm });
  return certifyKey(session, {
    key,
    created: true,
    subject,
    label,
    errorCode: "ISSUE_FAILED",
    service: "签发服务",
    request: (csrPem) =>
      requestIssue({
        url: options.url,
        serviceToken: options.serviceToken,
        request: { csrPem, profile: options.profile, subject },
        fetch: options.fetch,
      }),
  });
}
