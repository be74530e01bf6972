import { createHmac, randomUUID } from "node:crypto";
import type { SmsMessage, SmsProvider } from "./sms.provider";

// Aliyun (阿里云) Short Message Service, API version 2017-05-25, action SendSms, called in the RPC
// style with signature method V1 (HMAC-SHA1). Written against Aliyun's "签名机制" document instead of
// pulling in the SDK: the whole protocol is one signed GET and a JSON reply.

export const ALIYUN_SMS_DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com";

export interface AliyunSmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** The approved SMS signature (短信签名), shown as 【…】 before the text. */
  signName: string;
  /** Defaults to https://dysmsapi.aliyuncs.com; tests point it at a local fake. */
  endpoint?: string;
  /** Our template name → Aliyun TemplateCode (e.g. "SMS_71390007"), each approved in the console. */
  templates: Record<string, string>;
  fetch?: typeof globalThis.fetch;
  /** Give up on a request after this long (default 10 s); the outbox retries later. */
  timeoutMs?: number;
  /** Injected for deterministic tests. */
  now?: () => Date;
  nonce?: () => string;
}

/**
 * SendSms failed. `code` is Aliyun's Code (e.g. "isv.MOBILE_NUMBER_ILLEGAL") or one of ours:
 * NETWORK_ERROR, TIMEOUT, HTTP_<status>, BAD_RESPONSE, TEMPLATE_NOT_CONFIGURED.
 * `retryable` tells the outbox whether trying again later can succeed.
 */
export class AliyunSmsError extends Error {
  override readonly name = "AliyunSmsError";
  readonly code: string;
  readonly aliyunMessage: string;
  readonly requestId: string | undefined;
  readonly httpStatus: number | undefined;
  readonly retryable: boolean;

  constructor(opts: {
    code: string;
    aliyunMessage: string;
    retryable: boolean;
    requestId?: string;
    httpStatus?: number;
    cause?: unknown;
  }) {
    super(`阿里云短信发送失败 [${opts.code}] ${opts.aliyunMessage}`, { cause: opts.cause });
    this.code = opts.code;
    this.aliyunMessage = opts.aliyunMessage;
    this.retryable = opts.retryable;
    this.requestId = opts.requestId;
    this.httpStatus = opts.httpStatus;
  }
}

/**
 * Codes after which the same request can succeed later: flow control (isv.BUSINESS_LIMIT_CONTROL is
 * Aliyun's per-number rate limit, e.g. 1 verification SMS per minute), API throttling, a reused
 * nonce, and Aliyun-side faults. Everything else (invalid number, unapproved template or signature,
 * day/month quota, account out of service, bad credentials) needs a person, not a retry.
 */
const RETRYABLE_CODES = new Set([
  "isv.BUSINESS_LIMIT_CONTROL",
  "Throttling",
  "Throttling.User",
  "Throttling.Api",
  "SignatureNonceUsed",
  "isp.SYSTEM_ERROR",
  "isp.GATEWAY_ERROR",
  "InternalError",
  "ServiceUnavailable",
]);

export function isRetryableAliyunCode(code: string): boolean {
  return RETRYABLE_CODES.has(code);
}

/**
 * POP percent-encoding: RFC 3986, leaving only A–Z a–z 0–9 - _ . ~ unencoded, UTF-8, space as %20.
 * Aliyun describes it as Java's URLEncoder plus "+ → %20, * → %2A, %7E → ~". encodeURIComponent
 * alone also leaves ! ' ( ) * alone, which Aliyun's side encodes; those must be encoded too, or a
 * company name with "(" breaks the signature.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export interface SignedRpcRequest {
  /** Sorted, encoded parameters without Signature: "AccessKeyId=…&Action=…". */
  canonicalQuery: string;
  stringToSign: string;
  /** Base64 HMAC-SHA1, before percent-encoding. */
  signature: string;
  /** The query to send: "Signature=…&" + canonicalQuery. */
  query: string;
}

/** Signs RPC parameters (Signature v1.0). The key is the AccessKey secret followed by "&". */
export function signRpcRequest(
  method: "GET" | "POST",
  params: Record<string, string>,
  accessKeySecret: string,
): SignedRpcRequest {
  const canonicalQuery = Object.keys(params)
    .filter((k) => k !== "Signature")
    .sort() // code-unit order, as Java's TreeMap in Aliyun's reference code
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join("&");
  const stringToSign = `${method}&${percentEncode("/")}&${percentEncode(canonicalQuery)}`;
  const signature = createHmac("sha1", `${accessKeySecret}&`).update(stringToSign, "utf8").digest("base64");
  return {
    canonicalQuery,
    stringToSign,
    signature,
    query: `Signature=${percentEncode(signature)}&${canonicalQuery}`,
  };
}

/** ISO 8601 UTC without milliseconds, the form Aliyun's examples use: 2017-07-12T02:42:19Z. */
function aliyunTimestamp(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

interface SendSmsReply {
  Code?: unknown;
  Message?: unknown;
  RequestId?: unknown;
  BizId?: unknown;
}

export function createAliyunSmsProvider(options: AliyunSmsOptions): SmsProvider {
  for (const key of ["accessKeyId", "accessKeySecret", "signName"] as const) {
    if (!options[key]) throw new Error(`Aliyun SMS: ${key} is required`);
  }
  const endpoint = (options.endpoint ?? ALIYUN_SMS_DEFAULT_ENDPOINT).replace(/\/+$/, "");
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? (() => new Date());
  const nonce = options.nonce ?? randomUUID;

  return {
    name: "aliyun",
    async send(msg: SmsMessage) {
      const templateCode = options.templates[msg.template];
      if (!templateCode) {
        throw new AliyunSmsError({
          code: "TEMPLATE_NOT_CONFIGURED",
          aliyunMessage: `模板 ${msg.template} 未配置阿里云模板代码（TemplateCode）`,
          retryable: false,
        });
      }
      const params: Record<string, string> = {
        AccessKeyId: options.accessKeyId,
        Action: "SendSms",
        Format: "JSON",
        PhoneNumbers: msg.phone,
        RegionId: "cn-hangzhou",
        SignName: options.signName,
        SignatureMethod: "HMAC-SHA1",
        SignatureNonce: nonce(),
        SignatureVersion: "1.0",
        TemplateCode: templateCode,
        Timestamp: aliyunTimestamp(now()),
        Version: "2017-05-25",
      };
      // Templates without variables take no TemplateParam; OutId lets Aliyun's delivery reports
      // (and a person reading the console) point back at our outbox row.
      if (Object.keys(msg.params).length > 0) params.TemplateParam = JSON.stringify(msg.params);
      if (msg.id) params.OutId = msg.id;
      const { query } = signRpcRequest("GET", params, options.accessKeySecret);

      let response: Response;
      try {
        response = await doFetch(`${endpoint}/?${query}`, {
          method: "GET",
          headers: { accept: "application/json" },
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const timedOut = err instanceof Error && err.name === "TimeoutError";
        throw new AliyunSmsError({
          code: timedOut ? "TIMEOUT" : "NETWORK_ERROR",
          aliyunMessage: timedOut
            ? `${timeoutMs} ms 内无响应`
            : `无法连接 ${endpoint}：${(err as Error).message}`,
          retryable: true,
          cause: err,
        });
      }

      const body = await response.text();
      let reply: SendSmsReply | undefined;
      try {
        reply = JSON.parse(body) as SendSmsReply;
      } catch {
        reply = undefined;
      }
      const code = typeof reply?.Code === "string" ? reply.Code : undefined;
      if (!reply || !code) {
        // No Aliyun answer at all: a proxy or load balancer spoke. 5xx and 429 pass; the rest will not.
        throw new AliyunSmsError({
          code: response.ok ? "BAD_RESPONSE" : `HTTP_${response.status}`,
          aliyunMessage: `无法识别的响应（HTTP ${response.status}）：${body.slice(0, 200)}`,
          retryable: response.status >= 500 || response.status === 429,
          httpStatus: response.status,
        });
      }
      const requestId = typeof reply.RequestId === "string" ? reply.RequestId : undefined;
      if (code === "OK") {
        if (response.ok && typeof reply.BizId === "string" && reply.BizId)
          return { providerMessageId: reply.BizId };
        // Accepted but without a message id: the SMS may be on its way, so a retry could send it twice.
        throw new AliyunSmsError({
          code: "BAD_RESPONSE",
          aliyunMessage: `Code 为 OK 但没有 BizId（HTTP ${response.status}）`,
          retryable: false,
          requestId,
          httpStatus: response.status,
        });
      }
      throw new AliyunSmsError({
        code,
        aliyunMessage: typeof reply.Message === "string" ? reply.Message : "",
        retryable: isRetryableAliyunCode(code) || response.status >= 500,
        requestId,
        httpStatus: response.status,
      });
    },
  };
}
