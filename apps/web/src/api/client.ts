/**
 * The one fetch wrapper of the web app.
 *
 * - CSRF is a double-submit cookie: the server sets `certhall_csrf` (readable by JS) and expects its
 *   value back in `x-csrf-token` on every unsafe method. When the cookie is missing (first visit,
 *   cleared cookies) we ask `GET /api/v1/csrf` for one before sending.
 * - Errors are RFC 9457 `application/problem+json`; they become an `ApiError` carrying the Chinese
 *   `detail` for people and the `field` the server blames, so forms can show it on the right input.
 */

export const CSRF_COOKIE = "certhall_csrf";
export const CSRF_HEADER = "x-csrf-token";
export const API_BASE = "/api/v1";

export interface FieldProblem {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  code: string;
  detail: string;
  field?: string;
  errors?: FieldProblem[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly field: string | undefined;
  readonly errors: FieldProblem[];
  readonly retryAfterSeconds: number | undefined;

  constructor(problem: Problem) {
    super(problem.detail);
    this.name = "ApiError";
    this.status = problem.status;
    this.code = problem.code;
    this.detail = problem.detail;
    this.field = problem.field;
    this.errors = problem.errors ?? [];
    this.retryAfterSeconds = problem.retryAfterSeconds;
  }
}

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const BAD_RESPONSE = "服务器返回的内容无法识别，请稍后重试";
const UNKNOWN_FAILURE = "操作未能完成，请稍后重试";

/**
 * What a person may read about a failure: the server's `detail`, or a message our own code threw on
 * purpose (a plain `Error` with a Chinese sentence). Engine errors (TypeError "Failed to fetch",
 * SyntaxError from JSON.parse, a bug's "cannot read properties of undefined") become one generic
 * sentence; their text, let alone a stack, is for the console, not the screen.
 */
export function errorDetail(err: unknown): string {
  if (err instanceof ApiError) return err.detail;
  if (err instanceof Error && err.name === "Error" && err.message && !looksInternal(err.message)) {
    return err.message;
  }
  return UNKNOWN_FAILURE;
}

/** Reads one cookie out of a `document.cookie`-style string. */
export function readCookie(cookieString: string, name: string): string | undefined {
  for (const part of cookieString.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return undefined;
}

function fallbackDetail(status: number): string {
  if (status === 401) return "请先登录";
  if (status === 403) return "无权限";
  if (status === 404) return "请求的内容不存在";
  if (status === 429) return "操作过于频繁，请稍后再试";
  if (status >= 500) return "服务器暂时无法处理请求，请稍后再试";
  return `请求失败（${status}）`;
}

/** Text that reads like a stack trace ("    at fn (file.js:1:2)") or is long enough to be a dump. */
function looksInternal(text: string): boolean {
  return /\n\s*at\s/.test(text) || /\bat\s+\S+\s+\(.*:\d+:\d+\)/.test(text) || text.length > 500;
}

/**
 * Turns any error body into a Problem, so a proxy's HTML 502 page still yields a Chinese sentence.
 * People only ever read a server's `detail` (RFC 9457): a framework's `message` on a 5xx, or anything
 * that looks like a stack trace, is replaced by the generic sentence for the status.
 */
export function toProblem(status: number, body: unknown, retryAfterHeader?: string | null): Problem {
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v.length > 0 && !looksInternal(v) ? v : undefined);
  const httpStatus = typeof b.status === "number" ? b.status : status;
  const retryFromHeader = retryAfterHeader ? Number.parseInt(retryAfterHeader, 10) : Number.NaN;
  const retryAfterSeconds =
    typeof b.retryAfterSeconds === "number"
      ? b.retryAfterSeconds
      : Number.isFinite(retryFromHeader)
        ? retryFromHeader
        : undefined;
  const errors = Array.isArray(b.errors)
    ? b.errors.flatMap((e): FieldProblem[] => {
        const o = (typeof e === "object" && e !== null ? e : {}) as Record<string, unknown>;
        const field = str(o.field);
        const message = str(o.message);
        return field && message ? [{ field, message }] : [];
      })
    : undefined;
  return {
    type: str(b.type),
    title: str(b.title),
    status: httpStatus,
    code: str(b.code) ?? `http_${status}`,
    detail: str(b.detail) ?? (httpStatus >= 500 ? undefined : str(b.message)) ?? fallbackDetail(httpStatus),
    field: str(b.field),
    errors,
    retryAfterSeconds,
  };
}

export interface ApiClientOptions {
  fetch?: typeof fetch;
  /** Returns the current `document.cookie`; injectable for tests. */
  cookies?: () => string;
  baseUrl?: string;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
}

export type ApiClient = ReturnType<typeof createApiClient>;

export function createApiClient(options: ApiClientOptions = {}) {
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const cookies = options.cookies ?? (() => (typeof document === "undefined" ? "" : document.cookie));
  const baseUrl = options.baseUrl ?? API_BASE;
  let pendingToken: Promise<string> | undefined;

  async function fetchCsrfToken(): Promise<string> {
    const res = await doFetch(`${baseUrl}/csrf`, {
      method: "GET",
      credentials: "same-origin",
      headers: { accept: "application/json" },
    });
    const body = (await res.json().catch(() => ({}))) as { token?: unknown };
    if (!res.ok || typeof body.token !== "string") {
      throw new ApiError(toProblem(res.status, body));
    }
    return body.token;
  }

  async function csrfToken(forceRefresh: boolean): Promise<string> {
    const fromCookie = forceRefresh ? undefined : readCookie(cookies(), CSRF_COOKIE);
    if (fromCookie) return fromCookie;
    // Several mutations fired at once share one token request.
    pendingToken ??= fetchCsrfToken().finally(() => {
      pendingToken = undefined;
    });
    return pendingToken;
  }

  async function send(method: string, url: string, body: unknown, opts: RequestOptions, retry: boolean) {
    const headers: Record<string, string> = { accept: "application/json, application/problem+json" };
    // A FormData body (file uploads) sets its own multipart content type with the boundary.
    const form = typeof FormData !== "undefined" && body instanceof FormData;
    if (body !== undefined && !form) headers["content-type"] = "application/json";
    if (UNSAFE_METHODS.has(method)) headers[CSRF_HEADER] = await csrfToken(retry);
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers,
        credentials: "same-origin",
        body: body === undefined ? undefined : form ? (body as FormData) : JSON.stringify(body),
        signal: opts.signal,
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === "AbortError") throw err;
      throw new ApiError({ status: 0, code: "network_error", detail: "网络连接失败，请检查网络后重试" });
    }
    return res;
  }

  async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    const url = `${baseUrl}${path}${qs ? `?${qs}` : ""}`;

    let res = await send(method, url, body, opts, false);
    // A stale or rotated CSRF cookie gets one fresh token and one retry; a second refusal is real.
    if (res.status === 403 && UNSAFE_METHODS.has(method)) {
      const problem = await readProblem(res.clone());
      if (problem.code.toLowerCase().includes("csrf")) res = await send(method, url, body, opts, true);
    }
    if (!res.ok) throw new ApiError(await readProblem(res));
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      // An HTML page where JSON was due (a proxy's login page, the SPA fallback): not the engine's
      // SyntaxError, a sentence.
      throw new ApiError({ status: res.status, code: "bad_response", detail: BAD_RESPONSE });
    }
  }

  return {
    request,
    get: <T>(path: string, opts?: RequestOptions) => request<T>("GET", path, undefined, opts),
    post: <T>(path: string, body?: unknown, opts?: RequestOptions) =>
      request<T>("POST", path, body ?? {}, opts),
    put: <T>(path: string, body?: unknown, opts?: RequestOptions) =>
      request<T>("PUT", path, body ?? {}, opts),
    patch: <T>(path: string, body?: unknown, opts?: RequestOptions) =>
      request<T>("PATCH", path, body ?? {}, opts),
    delete: <T>(path: string, opts?: RequestOptions) => request<T>("DELETE", path, undefined, opts),
  };
}

async function readProblem(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => "");
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return toProblem(res.status, body, res.headers.get("retry-after"));
}

export const api = createApiClient();
