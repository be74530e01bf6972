import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { strictRateLimit, zProblem } from "../../lib/http";
import type { SecurityDeps } from "../../plugins/security";
import { createUnlockService } from "./unlock.service";

// The one-time code travels in the body, never in the URL (an access log holding it would buy the SO PIN).
const zUnlockBody = z.object({
  code: z
    .string({ error: "请提供解锁授权码（code）" })
    .trim()
    .min(1, { error: "请提供解锁授权码（code）" })
    .max(200, { error: "解锁授权码（code）过长" }),
  // CK_TOKEN_INFO serialNumber: up to 16 printable characters on real keys; a little room beyond that.
  tokenSerial: z
    .string({ error: "请提供介质序列号（tokenSerial）" })
    .trim()
    .min(1, { error: "请提供介质序列号（tokenSerial）" })
    .max(64, { error: "介质序列号（tokenSerial）过长" }),
});

/**
 * The token client's 解锁 endpoints (packages/token unlock.ts). Called by a program holding a one-time
 * code, not by a browser session: no cookie, no CSRF token; the code is the whole authorisation, so
 * the routes are tightly rate limited against guessing (160-bit codes, but still).
 */
export function unlockRoutes(deps: SecurityDeps) {
  const unlock = createUnlockService(deps);
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ["unlock"];
    const errors = { 404: zProblem, 409: zProblem, 410: zProblem };

    r.post(
      "/unlock",
      {
        config: { csrf: false, ...strictRateLimit(10) },
        schema: {
          tags,
          summary:
            "The SO PIN of the key the one-time unlock code (body `code`) was issued for (tokenSerial must be that key's serial); usable again until done, void after 3 refused uses",
          body: zUnlockBody,
          response: { 200: z.object({ soPin: z.string() }), ...errors },
        },
      },
      async (req, reply) => {
        const answer = await unlock.release(req.body.code, req.body.tokenSerial, req.ip ?? null);
        return reply.header("cache-control", "no-store").send(answer);
      },
    );

    r.post(
      "/unlock/done",
      {
        config: { csrf: false, ...strictRateLimit(10) },
        schema: {
          tags,
          summary:
            "The token client reports the new user PIN set: the item is unlocked (the last one completes the order)",
          body: zUnlockBody,
          response: { 200: z.object({ ok: z.literal(true) }), ...errors },
        },
      },
      async (req) => {
        await unlock.done(req.body.code, req.body.tokenSerial, req.ip ?? null);
        return { ok: true as const };
      },
    );
  };
}
