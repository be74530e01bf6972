import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError } from "../errors";

export const requestMeta = (req: FastifyRequest) => ({
  ip: req.ip ?? null,
  userAgent: (req.headers["user-agent"] as string | undefined) ?? null,
});

/** Documented problem+json body, for the OpenAPI description of error responses. */
export const zProblem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    code: z.string(),
    detail: z.string(),
    field: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    retryAfterSeconds: z.number().optional(),
  })
  .describe("application/problem+json (RFC 9457)");

export const zNoContent = z.null().describe("No content");

/** Tight per-route limits for endpoints that invite guessing or flooding (on top of the global limit). */
export const strictRateLimit = (max: number) => ({ rateLimit: { max, timeWindow: "1 minute" } });

/**
 * Errors while reading a multipart upload: our own (AppError) as they are; anything busboy could not
 * read (cut off, no boundary, garbage) is the client's malformed form, a 400 naming the file field.
 */
export function multipartReadError(err: unknown, field: string): AppError {
  if (err instanceof AppError) return err;
  return new AppError(
    "VALIDATION_FAILED",
    "上传的表单（multipart/form-data）格式不正确，请重新选择文件后提交",
    {
      field,
    },
  );
}
