import type { FastifyRequest } from "fastify";
import { z } from "zod";

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
