/**
 * Typed errors with stable codes. The error handler turns them into application/problem+json
 * (RFC 9457): `code` for programs, `detail` a Chinese sentence for people, `field` the input it concerns.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  SMS_CODE_INVALID: 400,
  SMS_CODE_EXPIRED: 400,
  WEAK_PASSWORD: 400,
  UNAUTHENTICATED: 401,
  LOGIN_FAILED: 401,
  CSRF_FAILED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PHONE_TAKEN: 409,
  INVALID_STATE: 409,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  ACCOUNT_LOCKED: 423,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_TITLES: Record<ErrorCode, string> = {
  VALIDATION_FAILED: "输入有误",
  SMS_CODE_INVALID: "验证码错误",
  SMS_CODE_EXPIRED: "验证码已失效",
  WEAK_PASSWORD: "密码强度不足",
  UNAUTHENTICATED: "请先登录",
  LOGIN_FAILED: "登录失败",
  CSRF_FAILED: "请求校验失败",
  FORBIDDEN: "无权限",
  NOT_FOUND: "未找到",
  CONFLICT: "冲突",
  PHONE_TAKEN: "手机号已注册",
  INVALID_STATE: "当前状态不允许此操作",
  GONE: "已失效",
  PAYLOAD_TOO_LARGE: "内容过大",
  ACCOUNT_LOCKED: "账号已锁定",
  RATE_LIMITED: "操作过于频繁",
  INTERNAL: "服务器内部错误",
  UNAVAILABLE: "服务暂不可用",
};

export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field?: string;
  readonly errors?: FieldError[];
  readonly retryAfterSeconds?: number;

  constructor(
    code: ErrorCode,
    detail: string,
    opts: { field?: string; errors?: FieldError[]; retryAfterSeconds?: number } = {},
  ) {
    super(detail);
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.field = opts.field;
    this.errors = opts.errors ?? (opts.field ? [{ field: opts.field, message: detail }] : undefined);
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

export const notFound = (what = "对象") => new AppError("NOT_FOUND", `${what}不存在或无权访问`);
export const forbidden = (detail = "您的角色无权执行此操作") => new AppError("FORBIDDEN", detail);
export const unauthenticated = (detail = "请先登录") => new AppError("UNAUTHENTICATED", detail);
export const invalidField = (field: string, detail: string) =>
  new AppError("VALIDATION_FAILED", detail, { field });
