import { TokenError, type TokenErrorCode } from "./errors";

/**
 * The Chinese text of an RFC 9457 problem: `detail` for this occurrence, else `title` for the kind
 * of problem. The platform's details name the field, so they are shown as they are.
 */
export function problemText(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { detail, title } = body as { detail?: unknown; title?: unknown };
  if (typeof detail === "string" && detail) return detail;
  if (typeof title === "string" && title) return title;
  return undefined;
}

export interface PostJsonOptions {
  /** The platform's base URL, e.g. https://platform.example or https://host/prefix; path is appended. */
  url: string;
  /** Absolute path below the base URL, already percent-encoded where it carries a value. */
  path: string;
  body: unknown;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** The TokenError code of every failure, e.g. ISSUE_FAILED. */
  errorCode: TokenErrorCode;
  /** What was asked, for "<action>失败（HTTP 422）：…", e.g. 签发. */
  action: string;
  /** Who was asked, for "无法连接<service>：…", e.g. 签发服务. */
  service: string;
  /** A fixed reason for some statuses, replacing the platform's own text (e.g. 401 of a bad token). */
  reasonFor?: (status: number) => string | undefined;
}

/** The URL of `path` below a base URL that may itself have a path (a reverse proxy's prefix). */
export function platformUrl(base: string, path: string, code: TokenErrorCode = "TOKEN_ERROR"): URL {
  let root: URL;
  try {
    root = new URL(base.endsWith("/") ? base : `${base}/`);
  } catch {
    throw new TokenError(code, `平台地址（--url）无效：${base}`);
  }
  if (root.protocol !== "https:" && root.protocol !== "http:") {
    throw new TokenError(code, `平台地址（--url）须以 https:// 或 http:// 开头：${base}`);
  }
  return new URL(path.replace(/^\/+/, ""), root);
}

/**
 * POSTs JSON to the platform and returns the parsed 2xx body as an object. A refusal becomes a
 * TokenError with the platform's Chinese detail; the raw error body is kept in `detail` for support.
 * A 2xx body is never copied into an error, because some answers carry secrets (the SO PIN).
 */
export async function postJson(options: PostJsonOptions): Promise<Record<string, unknown>> {
  const doFetch = options.fetch ?? fetch;
  const endpoint = platformUrl(options.url, options.path, options.errorCode);
  let response: Response;
  let text: string;
  try {
    response = await doFetch(endpoint, {
      method: "POST",
      headers: {
        ...options.headers,
        "content-type": "application/json",
        accept: "application/json, application/problem+json",
      },
      body: JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    text = await response.text();
  } catch (error) {
    throw new TokenError(options.errorCode, `无法连接${options.service}：${endpoint.origin}`, String(error), {
      cause: error,
    });
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const reason = options.reasonFor?.(response.status) ?? problemText(body) ?? `${options.service}返回错误`;
    throw new TokenError(
      options.errorCode,
      `${options.action}失败（HTTP ${response.status}）：${reason}`,
      text.slice(0, 500),
    );
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new TokenError(options.errorCode, `${options.service}的应答无法解析`, `HTTP ${response.status}`);
  }
  return body as Record<string, unknown>;
}
