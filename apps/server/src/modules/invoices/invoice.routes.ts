import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireApplicant, requireStaff, type SecurityDeps } from "../../plugins/security";
import type { InvoiceService } from "./invoice.service";

const zIdParam = z.object({ id: z.string().min(1).max(64) });

const zInvoice = z.object({
  id: z.string(),
  color: z.enum(["blue", "red"]),
  status: z.string(),
  statusLabel: z.string(),
  kindLabel: z.string(),
  invoiceCode: z.string().nullable(),
  invoiceNo: z.string().nullable(),
  amountFen: z.number(),
  title: z.string(),
  issuedAt: z.string().nullable(),
  lastError: z.string().nullable(),
  hasPdf: z.boolean(),
});

const zRequest = z.object({
  buyerType: z.enum(["company", "person"]),
  title: z.string(),
  taxNo: z.string().nullable(),
  email: z.string(),
  kind: z.enum(["normal", "special"]),
  kindLabel: z.string(),
  updatedAt: z.string(),
});

const zRequestBody = z.object({
  buyerType: z.enum(["company", "person"], {
    error: "抬头类型（buyerType）只能是 company（企业）或 person（个人）",
  }),
  title: z.string({ error: "发票抬头（title）必填" }).max(200, "发票抬头（title）过长"),
  taxNo: z.string().max(40, "税号（taxNo）过长").nullish(),
  email: z.string({ error: "接收邮箱（email）必填" }).max(254, "接收邮箱（email）过长"),
  kind: z.enum(["normal", "special"], { error: "发票类型（kind）只能是 normal（普票）或 special（专票）" }),
});

const zApplicantView = z.object({
  enabled: z.boolean(),
  request: zRequest.nullable(),
  invoices: z.array(zInvoice),
});

function sendPdf(reply: FastifyReply, f: { data: Buffer; filename: string }) {
  return reply
    .type("application/pdf")
    .header("cache-control", "private, no-store")
    .header(
      "content-disposition",
      `attachment; filename="invoice.pdf"; filename*=UTF-8''${encodeURIComponent(f.filename)}`,
    )
    .send(f.data);
}

/** The applicant's invoice of an order, and finance's issuing, list and setting, under /api/v1. */
export function invoiceRoutes(deps: SecurityDeps & { invoices: InvoiceService }) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { invoices } = deps;
    const applicant = requireApplicant(deps);
    // Invoices are finance's duty, next to booking: the same permission.
    const finance = requireStaff(deps, "payments.book");
    const tags = ["invoices"];
    const me = (req: FastifyRequest) => req.applicant!.subjectId;
    const staffId = (req: FastifyRequest) => req.staffSession!.staff.id;

    r.get(
      "/orders/:id/invoice",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary: "The invoice request and invoices of one of my orders",
          params: zIdParam,
          response: { 200: zApplicantView },
        },
      },
      async (req) => invoices.forApplicant(me(req), req.params.id),
    );

    r.put(
      "/orders/:id/invoice",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary:
            "Ask for (or change) the e-invoice of my order: 抬头, 税号 (USCC, checked), email, 普票/专票",
          params: zIdParam,
          body: zRequestBody,
          response: { 200: zApplicantView },
        },
      },
      async (req) => invoices.saveRequest(me(req), req.params.id, req.body, { ip: req.ip }),
    );

    r.get(
      "/invoices/:id/pdf",
      {
        preHandler: applicant,
        schema: { tags, summary: "Download the PDF of an invoice of my order", params: zIdParam },
      },
      async (req, reply) => sendPdf(reply, await invoices.pdf({ accountId: me(req) }, req.params.id)),
    );

    r.get(
      "/admin/invoices",
      {
        preHandler: finance,
        schema: {
          tags,
          summary:
            "Finance: invoice requests with their invoices (pending=true: those without a blue invoice yet)",
          querystring: z.object({ pending: z.enum(["true", "false"]).optional() }),
        },
      },
      async (req) => ({
        items: await invoices.listForFinance({ pendingOnly: req.query.pending === "true" }),
      }),
    );

    r.post(
      "/admin/invoices/orders/:id/issue",
      {
        preHandler: finance,
        schema: {
          tags,
          summary: "Finance: issue (or retry) the blue invoice of a paid order",
          params: zIdParam,
          response: { 200: zInvoice },
        },
      },
      async (req) => invoices.issue(staffId(req), req.params.id, { ip: req.ip }),
    );

    r.get(
      "/admin/invoices/:id/pdf",
      {
        preHandler: finance,
        schema: { tags, summary: "Finance: download an invoice PDF", params: zIdParam },
      },
      async (req, reply) => sendPdf(reply, await invoices.pdf({ accountId: null }, req.params.id)),
    );

    r.get(
      "/admin/invoice-settings",
      {
        preHandler: finance,
        schema: { tags, summary: "Whether invoices are issued automatically after payment" },
      },
      async () => invoices.autoIssue(),
    );

    r.put(
      "/admin/invoice-settings",
      {
        preHandler: finance,
        schema: {
          tags,
          summary: "Turn automatic issuing after payment on or off",
          body: z.object({ autoIssue: z.boolean({ error: "自动开票（autoIssue）应为 true 或 false" }) }),
        },
      },
      async (req) => invoices.setAutoIssue(staffId(req), req.body.autoIssue, { ip: req.ip }),
    );
  };
}
