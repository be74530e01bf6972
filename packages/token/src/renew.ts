import { certificateSubjectDer, readCertificates, type TokenCertificate } from "./certificates";
import { certifyKey, type EnrollResult, freeLabel, type IssueResponse, issuedCertificate } from "./enroll";
import { TokenError } from "./errors";
import { findKey, generateKeyPair, KEY_ALGORITHMS, type KeyAlgorithm } from "./keys";
import { platformUrl, postJson } from "./platform";
import type { TokenSession } from "./token";

/**
 * The platform's 证书在线更新 endpoint. The one-time code from the order page travels in the JSON body,
 * never in the URL, so no access log or proxy on the way keeps it.
 */
export const ONLINE_UPDATE_PATH = "/api/v1/online-update";

const SERVICE = "在线更新服务";

export interface OnlineUpdateResponse extends IssueResponse {
  /** As the platform states it; the certificate's own notAfter is what counts. */
  notAfter?: string;
}

export interface RequestOnlineUpdateOptions {
  /** The platform's base URL, e.g. https://platform.example; the path is appended. */
  url: string;
  /** The one-time code from the order page: it is the whole authorisation, so no other header. */
  code: string;
  csrPem: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * A one-time code as the platform hands it out: whitespace, control characters and anything very long
 * are refused before any request (a typo would otherwise spend a request). `option` names the CLI flag.
 */
export function checkOneTimeCode(code: string, option = "--code"): string {
  const trimmed = code.trim();
  if (!trimmed) throw new TokenError("BAD_CODE", `一次性码（${option}）不能为空`);
  if (trimmed.length > 200 || /[\s\p{Cc}]/u.test(trimmed)) {
    throw new TokenError("BAD_CODE", `一次性码（${option}）格式无效，请从订单页面复制`);
  }
  return trimmed;
}

/** POST {url}/api/v1/online-update with the code and the request; returns the issued certificate. */
export async function requestOnlineUpdate(
  options: RequestOnlineUpdateOptions,
): Promise<OnlineUpdateResponse> {
  const code = checkOneTimeCode(options.code);
  const body = await postJson({
    url: options.url,
    path: ONLINE_UPDATE_PATH,
    body: { code, csrPem: options.csrPem },
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    errorCode: "RENEW_FAILED",
    action: "在线更新",
    service: SERVICE,
  });
  const issued = issuedCertificate(body, "RENEW_FAILED", SERVICE);
  return typeof body.notAfter === "string" ? { ...issued, notAfter: body.notAfter } : issued;
}

export interface RenewOptions {
  url: string;
  /** The one-time code from the order page. */
  code: string;
  /** CKA_LABEL of the key pair whose certificate is renewed. */
  label: string;
  /** Make a new key pair on the token instead of certifying the existing one again. */
  rekey?: boolean;
  /** Label of the new key pair (rekey only); by default `<label>-<yyyymmdd>` in Asia/Shanghai. */
  newLabel?: string;
  /** Algorithm of the new key pair (rekey only); by default the old key's, else ecdsa-p256. */
  algorithm?: KeyAlgorithm;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** The date in the default new label; now by default. */
  now?: Date;
}

export interface RenewResult extends EnrollResult {
  rekeyed: boolean;
  /** The certificate's notAfter, read from the certificate itself. */
  notAfter: Date;
  /** The key's newest certificate before the renewal, if the token had one. */
  previous?: TokenCertificate;
}

/** yyyymmdd of the Asia/Shanghai calendar day, whatever the machine's time zone. */
export function shanghaiDay(date: Date): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}${part("month")}${part("day")}`;
}

/**
 * 证书在线更新 onto a USB key with a one-time code (DESIGN §5). Keeping the key, the token signs a
 * new request with the key labelled `label` and the new certificate replaces the old certificate
 * object of that key. With `rekey`, a new key pair is made beside the old one (which stays, e.g. to
 * decrypt old documents) and is removed again if the platform issues nothing for it.
 */
export async function renewOnToken(session: TokenSession, options: RenewOptions): Promise<RenewResult> {
  const code = checkOneTimeCode(options.code);
  platformUrl(options.url, ONLINE_UPDATE_PATH, "RENEW_FAILED");
  if (!options.rekey && (options.newLabel !== undefined || options.algorithm !== undefined)) {
    throw new TokenError("RENEW_FAILED", "新密钥标签和算法仅在更换密钥（--rekey）时使用");
  }
  const old = findKey(session, { label: options.label });
  const previous = readCertificates(session)
    .filter((c) => c.id.equals(old.id))
    .sort((a, b) => b.notAfter.getTime() - a.notAfter.getTime())[0];
  // The request repeats the subject being renewed; the platform takes the real one from the order.
  const subject = previous ? certificateSubjectDer(previous.der) : { commonName: options.label };

  let key = old;
  let label = options.label;
  if (options.rekey) {
    label =
      options.newLabel ?? freeLabel(session, `${options.label}-${shanghaiDay(options.now ?? new Date())}`);
    const algorithm =
      options.algorithm ??
      ((KEY_ALGORITHMS as readonly string[]).includes(old.algorithm)
        ? (old.algorithm as KeyAlgorithm)
        : "ecdsa-p256");
    key = await generateKeyPair(session, { label, algorithm });
  }
  const result = await certifyKey(session, {
    key,
    created: options.rekey === true,
    subject,
    label,
    replace: !options.rekey,
    errorCode: "RENEW_FAILED",
    service: SERVICE,
    request: (csrPem) =>
      requestOnlineUpdate({
        url: options.url,
        code,
        csrPem,
        fetch: options.fetch,
        timeoutMs: options.timeoutMs,
      }),
  });
  return {
    ...result,
    rekeyed: options.rekey === true,
    notAfter: result.certificate.notAfter,
    previous,
  };
}
