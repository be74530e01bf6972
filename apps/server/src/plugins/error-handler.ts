import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { AppError, ERROR_TITLES, type ErrorCode, type FieldError } from "../errors";
import { fieldLabel } from "../lib/zod-zh";

interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  field?: string;
  errors?: FieldError[];
  retryAfterSeconds?: number;
}

export function sendProblem(reply: FastifyReply, p: Omit<Problem, "type" | "title">): FastifyReply {
  const body: Problem = {
    type: `https://certhall.dev/problems/${p.code.toLowerCase()}`,
    title: ERROR_TITLES[p.code],
    ...p,
  };
  if (p.retryAfterSeconds) reply.header("retry-after", String(p.retryAfterSeconds));
  return reply.code(p.status).type("application/problem+json; charset=utf-8").send(JSON.stringify(body));
}

function fromAppError(e: AppError): Omit<Problem, "type" | "title"> {
  return {
    status: e.status,
    code: e.code,
    detail: e.message,
    field: e.field,
    errors: e.errors,
    retryAfterSeconds: e.retryAfterSeconds,
  };
}

/**
 * Every error leaves as application/problem+json (RFC 9457) with a stable code and a Chinese
 * sentence. Unknown errors are logged with their stack and answered with a generic 500: no stack,
 * SQL or internals reach the client.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) return sendProblem(reply, fromAppError(err));

    if (hasZodFastifySchemaValidationErrors(err)) {
      const errors: FieldError[] = err.validation.map((v) => {
        const path = ((v.params?.issue as { path?: PropertyKey[] } | undefined)?.path ?? []) as PropertyKey[];
        const field = path.map(String).join(".") || v.instancePath.replace(/^\//, "").replace(/\//g, ".");
        return { field: field || "body", message: v.message ?? `${fieldLabel(path)}无效` };
      });
      const first = errors[0];
      return sendProblem(reply, {
        status: 400,
        code: "VALIDATION_FAILED",
        detail: first?.message ?? "请求内容有误",
        field: first?.field,
        errors,
      });
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err }, "response did not match its schema");
      return sendProblem(reply, { status: 500, code: "INTERNAL", detail: "服务器内部错误，请稍后重试" });
    }
    if (err.statusCode === 429) {
      const retry = Number(reply.getHeader("retry-after")) || 60;
      return sendProblem(reply, {
        status: 429,
        code: "RATE_LIMITED",
        detail: `操作过于频繁，请 ${retry} 秒后再试`,
        retryAfterSeconds: retry,
      });
    }
    if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return sendProblem(reply, { status: 413, code: "PAYLOAD_TOO_LARGE", detail: "提交的内容过大" });
    }
    if (err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || err.code === "FST_ERR_CTP_EMPTY_JSON_BODY") {
      return sendProblem(reply, {
        status: 400,
        code: "VALIDATION_FAILED",
        detail: "请求内容格式不正确，应为 JSON",
        field: "body",
      });
    }
    if (
      err.statusCode === 400 &&
      (err instanceof SyntaxError || err.code === "FST_ERR_CTP_INVALID_JSON_BODY")
    ) {
      return sendProblem(reply, {
        status: 400,
        code: "VALIDATION_FAILED",
        detail: "请求内容不是有效的 JSON",
        field: "body",
      });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      req.log.info({ err: { code: err.code, message: err.message } }, "client error");
      return sendProblem(reply, { status: err.statusCode, code: "VALIDATION_FAILED", detail: "请求无效" });
    }
    req.log.error({ err }, "unhandled error");
    return sendProblem(reply, { status: 500, code: "INTERNAL", detail: "服务器内部错误，请稍后重试" });
  });
}
