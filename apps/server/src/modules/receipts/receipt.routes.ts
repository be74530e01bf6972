import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../../db/database";
import type { Order } from "../../db/tables.orders";
import { notFound } from "../../errors";
import { requestMeta, strictRateLimit, zProblem } from "../../lib/http";
import { requireApplicant, requireStaff, type SecurityDeps } from "../../plugins/security";
import { renderReceiptPdf } from "./receipt.pdf";
import { zDeliveryInput, zReceipt, zTokenParam, zVerification } from "./receipt.schemas";
import type { ReceiptService } from "./receipt.service";

const zIdParam = z.object({ id: z.uuid({ error: "订单编号格式不正确" }) });

export function receiptRoutes(deps: SecurityDeps & { receipts: ReceiptService }) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { receipts, db } = deps;
    const applicant = requireApplicant(deps);
    const readOrders = requireStaff(deps, "orders.read");
    const tags = ["receipts"];

    async function owned(dbh: Db, accountId: string, id: string): Promise<Order> {
      const o = await dbh
        .selectFrom("orders")
        .selectAll()
        .where("id", "=", id)
        .where("account_id", "=", accountId)
        .executeTakeFirst();
      // Another account's order is simply not found: ids do not reveal what exists elsewhere.
      if (!o) throw notFound("订单");
      return o;
    }
    async function any(id: string): Promise<Order> {
      const o = await db.selectFrom("orders").selectAll().where("id", "=", id).executeTakeFirst();
      if (!o) throw notFound("订单");
      return o;
    }
    const pdfName = (orderNo: string) => `attachment; filename="receipt-${orderNo}.pdf"`;

    r.get(
      "/orders/:id/receipt",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary: "The receipt (回执单) of my order, once paid and booked",
          params: zIdParam,
          response: { 200: zReceipt, 404: zProblem, 409: zProblem },
        },
      },
      async (req) => receipts.build(await owned(db, req.applicant!.subjectId, req.params.id)),
    );

    r.get(
      "/orders/:id/receipt.pdf",
      {
        preHandler: applicant,
        // Rendering with the embedded CJK font costs CPU: a tighter limit than the JSON route.
        config: strictRateLimit(30),
        schema: { tags, summary: "The receipt as an A4 PDF", params: zIdParam },
      },
      async (req, reply) => {
        const receipt = await receipts.build(await owned(db, req.applicant!.subjectId, req.params.id));
        const pdf = await renderReceiptPdf(receipt);
        return reply
          .type("application/pdf")
          .header("content-disposition", pdfName(receipt.orderNo))
          .header("cache-control", "private, no-store")
          .send(pdf);
      },
    );

    r.get(
      "/admin/orders/:id/receipt",
      {
        preHandler: readOrders,
        schema: {
          tags,
          summary: "The receipt of an order, for staff",
          params: zIdParam,
          response: { 200: zReceipt, 404: zProblem, 409: zProblem },
        },
      },
      async (req) => receipts.build(await any(req.params.id)),
    );

    r.get(
      "/admin/orders/:id/receipt.pdf",
      {
        preHandler: readOrders,
        // Rendering with the embedded CJK font costs CPU: a tighter limit than the JSON route.
        config: strictRateLimit(30),
        schema: { tags, summary: "The receipt as an A4 PDF, for staff", params: zIdParam },
      },
      async (req, reply) => {
        const receipt = await receipts.build(await any(req.params.id));
        const pdf = await renderReceiptPdf(receipt);
        return reply
          .type("application/pdf")
          .header("content-disposition", pdfName(receipt.orderNo))
          .header("cache-control", "private, no-store")
          .send(pdf);
      },
    );

    r.get(
      "/verify/:token",
      {
        config: strictRateLimit(60),
        schema: {
          tags,
          summary: "Public verification of a receipt's QR code: only what is safe to show",
          params: zTokenParam,
          response: { 200: zVerification, 404: zProblem },
        },
      },
      async (req) => receipts.verify(req.params.token),
    );

    r.post(
      "/orders/:id/delivery",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary: "Mail the materials or come to a window (changeable until the materials are received)",
          params: zIdParam,
          body: zDeliveryInput,
          response: { 200: zReceipt, 400: zProblem, 404: zProblem, 409: zProblem },
        },
      },
      async (req) => {
        const accountId = req.applicant!.subjectId;
        const order = await receipts.setDelivery(accountId, req.params.id, req.body, requestMeta(req));
        return receipts.build(order);
      },
    );
  };
}
