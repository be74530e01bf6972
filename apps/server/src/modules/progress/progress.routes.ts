import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { zPhone, zSmsCode } from "../../lib/fields";
import { strictRateLimit } from "../../lib/http";
import type { SecurityDeps } from "../../plugins/security";
import { zOrderDetail } from "../orders/order.schemas";
import type { ProgressService } from "./progress.service";

const zOrderNo = z.string({ error: "请填写订单号" }).trim().min(1, { error: "请填写订单号" }).max(40);

const zProgress = z.object({
  orderNo: z.string(),
  businessName: z.string(),
  state: z.string(),
  stateLabel: z.string(),
  subjects: z.array(z.string()),
  handlerName: z.string(),
  handlerPhone: z.string(),
  submittedAt: z.string().nullable(),
  timeline: zOrderDetail.shape.timeline,
});

/** 进度查询: public, no session; the SMS code service's limits plus tight per-IP route limits. */
export function progressRoutes(deps: SecurityDeps & { progress: ProgressService }) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ["progress"];

    r.post(
      "/progress/sms-codes",
      {
        config: strictRateLimit(5),
        schema: {
          tags,
          summary: "Send a code to the phone of an order (same answer whether or not they match)",
          body: z.object({ orderNo: zOrderNo, phone: zPhone }),
          response: { 200: z.object({ retryAfterSeconds: z.number() }) },
        },
      },
      async (req) => deps.progress.requestCode(req.body, req.ip ?? null),
    );

    r.post(
      "/progress",
      {
        config: strictRateLimit(10),
        schema: {
          tags,
          summary: "The masked timeline of an order, for 订单号 + 手机号 + SMS code",
          body: z.object({ orderNo: zOrderNo, phone: zPhone, code: zSmsCode }),
          response: { 200: zProgress },
        },
      },
      async (req, reply) =>
        reply.header("cache-control", "no-store").send(await deps.progress.query(req.body)),
    );
  };
}
