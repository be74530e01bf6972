import { maskName } from "@certhall/domain";
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../../errors";
import { multipartReadError } from "../../lib/http";
import { requireStaff, type SecurityDeps } from "../../plugins/security";
import type { ReconciliationService } from "./reconciliation.service";
import { STATEMENT_FORMATS } from "./statement.formats";
import { STATEMENT_MAX_BYTES } from "./statement.parse";

const zIdParam = z.object({ id: z.string().min(1).max(64) });

export const STATEMENT_LINE_STATUS_LABELS = {
  exact: "待确认入账",
  amount_mismatch: "金额不符",
  duplicate: "疑似重复汇款",
  unknown: "未匹配订单",
  not_payable: "订单不可入账",
  already_imported: "已导入过",
  booked: "已入账",
  resolved: "已人工处理",
} as const;

const zStatement = z.object({
  id: z.string(),
  bank: z.string(),
  bankName: z.string(),
  filename: z.string(),
  creditCount: z.number(),
  importedAt: z.string(),
});

const zLine = z.object({
  id: z.string(),
  lineNo: z.number(),
  date: z.string(),
  amountFen: z.number(),
  /** Masked: the statement names private persons too. */
  payerName: z.string(),
  payerAccountTail: z.string(),
  remark: z.string(),
  reference: z.string(),
  status: z.enum(Object.keys(STATEMENT_LINE_STATUS_LABELS) as [keyof typeof STATEMENT_LINE_STATUS_LABELS]),
  statusLabel: z.string(),
  note: z.string().nullable(),
  order: z
    .object({ id: z.string(), orderNo: z.string(), totalFen: z.number(), state: z.string() })
    .nullable(),
  paymentId: z.string().nullable(),
});

const bankName = (code: string) => STATEMENT_FORMATS.find((f) => f.code === code)?.name ?? code;

const presentStatement = (s: {
  id: string;
  bank: string;
  filename: string;
  credit_count: number;
  imported_at: string;
}) => ({
  id: s.id,
  bank: s.bank,
  bankName: bankName(s.bank),
  filename: s.filename,
  creditCount: s.credit_count,
  importedAt: s.imported_at,
});

/** Reads the `bank` field and the one `file` of a statement upload; malformed bodies are a 400. */
async function readStatementForm(
  req: FastifyRequest,
): Promise<{ bank: string; filename: string; data: Buffer }> {
  if (!req.isMultipart()) {
    throw new AppError("VALIDATION_FAILED", "请以表单上传对账单文件（字段 file）", { field: "file" });
  }
  let file: { filename: string; data: Buffer } | undefined;
  let bank = "";
  try {
    for await (const part of req.parts()) {
      if (part.type === "file") {
        const data = await part.toBuffer();
        if (part.fieldname !== "file" || file) {
          throw new AppError("VALIDATION_FAILED", "只能上传一个对账单文件（字段 file）", { field: "file" });
        }
        file = { filename: part.filename || "statement", data };
      } else if (part.fieldname === "bank") bank = String(part.value);
    }
  } catch (err) {
    if ((err as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE") {
      throw new AppError("PAYLOAD_TOO_LARGE", `对账单文件不能超过 ${STATEMENT_MAX_BYTES / 1024 / 1024} MB`, {
        field: "file",
      });
    }
    throw multipartReadError(err, "file");
  }
  if (!file) throw new AppError("VALIDATION_FAILED", "请选择对账单文件", { field: "file" });
  return { bank, ...file };
}

/** 银行对账 under /api/v1/admin: import a statement, see its lines, confirm the exact ones, decide the rest. */
export function reconciliationRoutes(deps: SecurityDeps & { reconciliation: ReconciliationService }) {
  return async (app: FastifyInstance) => {
    await app.register(multipart, { limits: { files: 1, fields: 5, fileSize: STATEMENT_MAX_BYTES } });
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { reconciliation } = deps;
    const book = requireStaff(deps, "payments.book");
    const tags = ["finance"];

    r.get(
      "/admin/statement-formats",
      {
        preHandler: book,
        schema: {
          tags,
          summary: "The banks whose statement exports can be imported",
          response: { 200: z.object({ formats: z.array(z.object({ code: z.string(), name: z.string() })) }) },
        },
      },
      async () => ({ formats: STATEMENT_FORMATS.map((f) => ({ code: f.code, name: f.name })) }),
    );

    r.get(
      "/admin/statements",
      {
        preHandler: book,
        schema: {
          tags,
          summary: "Imported bank statements, newest first (keyset: before=<importedAt>,<id>)",
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(100).default(20),
            before: z
              .string()
              .max(120)
              .regex(/^[^,]+,[^,]+$/, { error: "before 应为 importedAt,id" })
              .optional(),
          }),
          response: { 200: z.object({ statements: z.array(zStatement), hasMore: z.boolean() }) },
        },
      },
      async (req) => {
        const [at, id] = req.query.before?.split(",") ?? [];
        const res = await reconciliation.list({
          limit: req.query.limit,
          before: at && id ? { at, id } : undefined,
        });
        return {
          hasMore: res.hasMore,
          statements: res.rows.map(presentStatement),
        };
      },
    );

    r.post(
      "/admin/statements",
      {
        preHandler: book,
        schema: {
          tags,
          summary: "Import a bank statement (multipart: bank, file as CSV or XLSX); nothing is booked yet",
          response: { 201: z.object({ id: z.string() }) },
        },
      },
      async (req, reply) => {
        const form = await readStatementForm(req);
        const id = await reconciliation.importStatement(req.staffSession!.staff, form, req.ip);
        return reply.code(201).send({ id });
      },
    );

    r.get(
      "/admin/statements/:id",
      {
        preHandler: book,
        schema: {
          tags,
          summary: "A statement's credits with how each was matched",
          params: zIdParam,
          response: {
            200: z.object({
              statement: zStatement,
              counts: z.record(z.string(), z.number()),
              lines: z.array(zLine),
            }),
          },
        },
      },
      async (req) => {
        const { statement: s, lines } = await reconciliation.get(req.params.id);
        const counts: Record<string, number> = {};
        for (const l of lines) counts[l.status] = (counts[l.status] ?? 0) + 1;
        return {
          statement: presentStatement(s),
          counts,
          lines: lines.map((l) => ({
            id: l.id,
            lineNo: l.line_no,
            date: l.tx_date,
            amountFen: l.amount_fen,
            payerName: maskName(l.payer_name),
            payerAccountTail: l.payer_account.slice(-4),
            remark: l.remark,
            reference: l.reference,
            status: l.status,
            statusLabel: STATEMENT_LINE_STATUS_LABELS[l.status],
            note: l.note,
            order:
              l.order_id && l.order_no
                ? {
                    id: l.order_id,
                    orderNo: l.order_no,
                    totalFen: l.total_fen ?? 0,
                    state: l.order_state ?? "",
                  }
                : null,
            paymentId: l.payment_id,
          })),
        };
      },
    );

    r.post(
      "/admin/statements/:id/book",
      {
        preHandler: book,
        schema: {
          tags,
          summary: "Confirm: book every exact match of the statement in one step",
          params: zIdParam,
          response: { 200: z.object({ booked: z.number(), moved: z.number(), ownSkipped: z.number() }) },
        },
      },
      async (req) => reconciliation.bookExact(req.staffSession!.staff, req.params.id, req.ip),
    );

    r.post(
      "/admin/statement-lines/:id/resolve",
      {
        preHandler: book,
        schema: {
          tags,
          summary: "Record a person's decision on a credit that was not booked (refunded, contacted, …)",
          params: zIdParam,
          body: z.object({
            note: z.string({ error: "请填写处理说明" }).trim().min(1, { error: "请填写处理说明" }).max(500),
          }),
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        await reconciliation.resolve(req.staffSession!.staff, req.params.id, req.body, req.ip);
        return reply.code(204).send(null);
      },
    );
  };
}
