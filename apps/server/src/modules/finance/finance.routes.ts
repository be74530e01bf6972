import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireStaff, type SecurityDeps } from "../../plugins/security";
import { appendAudit } from "../audit/audit.service";
import { zPayment } from "../payments/payment.routes";
import { PAYMENT_METHOD_LABELS, PAYMENT_STATUS_LABELS, presentPayment } from "../payments/payment.service";
import type { FinanceService } from "./finance.service";

const zIdParam = z.object({ id: z.string().min(1).max(64) });
const zVersion = z.object({ version: z.number().int().min(1) });

const zQueueRow = z.object({
  id: z.string(),
  method: z.enum(["online", "transfer", "zero"]),
  methodLabel: z.string(),
  provider: z.string().nullable(),
  status: z.string(),
  statusLabel: z.string(),
  amountFen: z.number(),
  outTradeNo: z.string(),
  providerTradeNo: z.string().nullable(),
  voucherUrl: z.string().nullable(),
  paidAt: z.string().nullable(),
  bookedAt: z.string().nullable(),
  returnReason: z.string().nullable(),
  order: z.object({
    id: z.string(),
    orderNo: z.string(),
    business: z.string(),
    state: z.string(),
    version: z.number(),
    totalFen: z.number(),
    remittanceCode: z.string(),
    handlerName: z.string(),
  }),
});

/** RFC 5987 filename* for Content-Disposition (Chinese file names survive). */
const dispositionName = (name: string) =>
  `inline; filename="voucher"; filename*=UTF-8''${encodeURIComponent(name)}`;

export function financeRoutes(deps: SecurityDeps & { finance: FinanceService }) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { finance } = deps;
    const book = requireStaff(deps, "payments.book");
    const tags = ["finance"];

    r.get(
      "/admin/payments",
      {
        preHandler: book,
        schema: {
          tags,
          summary:
            "记账审核: payments awaiting booking (default), or booked / returned ones, or refund_due (money received for a trade closed on cancel/edit, to give back)",
          querystring: z.object({
            status: z
              .enum(["awaiting_booking", "booked", "returned", "refund_due"])
              .default("awaiting_booking"),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            offset: z.coerce.number().int().min(0).max(100_000).default(0),
          }),
          response: { 200: z.object({ payments: z.array(zQueueRow), hasMore: z.boolean() }) },
        },
      },
      async (req) => {
        const { status, limit, offset } = req.query;
        const res = await finance.list(status, { limit, offset });
        return {
          hasMore: res.hasMore,
          payments: res.rows.map((p) => ({
            id: p.id,
            method: p.method,
            methodLabel: PAYMENT_METHOD_LABELS[p.method],
            provider: p.provider,
            status: p.status,
            statusLabel: PAYMENT_STATUS_LABELS[p.status],
            amountFen: p.amount_fen,
            outTradeNo: p.out_trade_no,
            providerTradeNo: p.provider_trade_no,
            voucherUrl: p.voucher_upload_id ? `/api/v1/admin/payments/${p.id}/voucher` : null,
            paidAt: p.paid_at,
            bookedAt: p.booked_at,
            returnReason: p.return_reason,
            order: {
              id: p.order_id,
              orderNo: p.order_no,
              business: p.business,
              state: p.order_state,
              version: p.order_version,
              totalFen: p.total_fen,
              remittanceCode: p.remittance_code,
              handlerName: p.handler_name,
            },
          })),
        };
      },
    );

    r.post(
      "/admin/payments/:id/book",
      {
        preHandler: book,
        schema: {
          tags,
          summary: "Book a payment (记账): the order goes on to the receipt",
          params: zIdParam,
          body: zVersion,
          response: { 200: zPayment },
        },
      },
      async (req) => {
        const staff = req.staffSession!.staff;
        return presentPayment(await finance.book(staff, req.params.id, req.body, req.ip));
      },
    );

    r.post(
      "/admin/payments/:id/return",
      {
        preHandler: book,
        schema: {
          tags,
          summary: "Send a payment back with a reason (记账退回): the applicant pays again (SMS)",
          params: zIdParam,
          body: zVersion.extend({
            note: z.string({ error: "请填写退回原因" }).trim().min(1, { error: "请填写退回原因" }).max(500),
          }),
          response: { 200: zPayment },
        },
      },
      async (req) => {
        const staff = req.staffSession!.staff;
        return presentPayment(await finance.returnPayment(staff, req.params.id, req.body, req.ip));
      },
    );

    r.get(
      "/admin/payments/:id/voucher",
      { preHandler: book, schema: { tags, summary: "The transfer voucher as uploaded", params: zIdParam } },
      async (req, reply) => {
        const v = await finance.voucher(req.params.id);
        // Viewing personal financial documents is logged like any other staff access to them.
        await deps.db.transaction().execute((trx) =>
          appendAudit(trx, {
            at: deps.clock(),
            actorType: "staff",
            actorId: req.staffSession!.staff.id,
            action: "payment.voucher_viewed",
            objectType: "payment",
            objectId: req.params.id,
            ip: req.ip,
          }),
        );
        return reply
          .type(v.mime)
          .header("content-disposition", dispositionName(v.filename))
          .header("x-content-type-options", "nosniff")
          .header("cache-control", "private, no-store")
          .send(v.data);
      },
    );
  };
}
