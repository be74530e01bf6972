import { X509Certificate } from "node:crypto";
import { type TokenCertificate, writeCertificate } from "./certificates";
import { buildCsr, parseSubjectHint, type SubjectHint } from "./csr";
import { fromPem } from "./der";
import { TokenError } from "./errors";
import { deleteKey, generateKeyPair, type KeyAlgorithm, listKeys, type TokenKey } from "./keys";
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

function problemText(body: unknown): string | undefined {
  // RFC 9457 problem details: `detail` for this occurrence, `title` for the kind of problem.
  if (typeof body !== "object" || body === null) return undefined;
  const { detail, title } = body as { detail?: unknown; title?: unknown };
  if (typeof detail === "string" && detail) return detail;
  if (typeof title === "string" && title) return title;
  return undefined;
}

/** POST {url}/api/v1/pki/issue with the service token; returns the issued certificate. */
export async function requestIssue(options: RequestIssueOptions): Promise<IssueResponse> {
  const doFetch = options.fetch ?? fetch;
  const endpoint = new URL(ISSUE_PATH.slice(1), options.url.endsWith("/") ? options.url : `${options.url}/`);
  let response: Response;
  try {
    response = await doFetch(endpoint, {
      method: "POST",
      headers: {
        authorization: `Bearer ${options.serviceToken}`,
        "content-type": "application/json",
        accept: "application/json, application/problem+json",
      },
      body: JSON.stringify(options.request),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    throw new TokenError("ISSUE_FAILED", `无法连接签发服务：${endpoint.origin}`, String(error), {
      cause: error,
    });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const reason =
      response.status === 401 || response.status === 403
        ? "服务令牌无效或无权签发"
        : (problemText(body) ?? "签发服务返回错误");
    throw new TokenError(
      "ISSUE_FAILED",
      `签发失败（HTTP ${response.status}）：${reason}`,
      text.slice(0, 500),
    );
  }
  const { certificatePem, chainPem, serialHex } = (body ?? {}) as Record<string, unknown>;
  const certs = typeof certificatePem === "string" ? fromPem("CERTIFICATE", certificatePem) : [];
  if (certs.length !== 1)
    throw new TokenError("ISSUE_FAILED", "签发服务的应答中没有证书", text.slice(0, 500));
  try {
    new X509Certificate(certs[0]!);
  } catch (error) {
    throw new TokenError("ISSUE_FAILED", "签发服务应答的证书无法解析", String(error), { cause: error });
  }
  if (typeof serialHex !== "string" || !/^[0-9a-fA-F]+$/.test(serialHex)) {
    throw new TokenError("ISSUE_FAILED", "签发服务的应答中没有证书序列号", text.slice(0, 500));
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

function defaultLabel(session: TokenSession): string {
  const taken = new Set(listKeys(session).map((k) => k.label));
  const base = `certhall-${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}`;
  let label = base;
  for (let n = 2; taken.has(label); n++) label = `${base}-${n}`;
  return label;
}

/**
 * 证书在线更新 for a USB key (DESIGN §5): the key is made on the token, the token signs the
 * request, the platform issues, and the certificate is written back beside the key.
 */
export async function enroll(session: TokenSession, options: EnrollOptions): Promise<EnrollResult> {
  const subject = parseSubjectHint(options.subject);
  const label = options.label ?? defaultLabel(session);
  const key = await generateKeyPair(session, { label, algorithm: options.algorithm });
  let issued: IssueResponse;
  try {
    const csr = await buildCsr(session, key, subject);
    issued = await requestIssue({
      url: options.url,
      serviceToken: options.serviceToken,
      request: { csrPem: csr.pem, profile: options.profile, subject },
      fetch: options.fetch,
    });
  } catch (error) {
    // Nothing was issued for this key, so leave no orphan behind on a token with little space.
    deleteKey(session, key);
    throw error;
  }
  const [certDer] = fromPem("CERTIFICATE", issued.certificatePem);
  // From here on a certificate exists for the key, so the key stays even if what follows fails: the
  // certificate can still be written with `token import-cert`.
  const serial = new X509Certificate(certDer!).serialNumber.toLowerCase();
  if (serial.replace(/^0+/, "") !== issued.serialHex.replace(/^0+/, "")) {
    throw new TokenError(
      "ISSUE_FAILED",
      "签发服务应答的序列号与证书不一致",
      `${issued.serialHex} != ${serial}`,
    );
  }
  const certificate = writeCertificate(session, certDer!, { label, id: key.id });
  return { key, certificate, chainPem: issued.chainPem, serialHex: certificate.serialHex };
}
