// E-invoices (电子发票): the applicant's request per order (抬头, 税号, email, 普票/专票), kept in
// invoice_requests keyed by the order id; finance issues after payment (or the worker does, when the
// automatic setting is on); downloads for the order's owner and finance only.
import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../../db/database";
import type { Invoice, InvoiceRequest } from "../../db/tables.invoices";
import { AppError, invalidField, notFound } from "../../errors";
import { type Clock, iso } from "../../lib/clock";
import { appendAudit } from "../audit/audit.service";
import { maskEmail } from "../mail/mail.outbox";
import { findOwnedOrder } from "../orders/order.queries";
import { INVOICE_KIND_LABELS, type InvoiceProvider } from "./invoice.provider";
import { checkInvoiceRequest, type InvoiceRequestInput } from "./invoice.rules";
import { autoIssueEnabled, insertInvoice, settledPayment, workInvoice } from "./invoice.worker";

export interface InvoiceDeps {
  db: Db;
  clock: Clock;
  provider: InvoiceProvider | null;
  log: Pick<FastifyBaseLogger, "warn">;
}

interface Meta {
  ip: string | null;
}

export const INVOICE_STATUS_LABELS: Record<Invoice["status"], string> = {
  pending: "待开具",
  submitted: "开具中",
  issued: "已开具",
  failed: "开具失败",
};

const CLOSED_ORDER_STATES = ["cancelled", "refunded"];

export function presentInvoice(i: Invoice) {
  return {
    id: i.id,
    color: i.color,
    status: i.status,
    statusLabel: INVOICE_STATUS_LABELS[i.status],
    kindLabel: INVOICE_KIND_LABELS[i.kind],
    invoiceCode: i.invoice_code,
    invoiceNo: i.invoice_no,
    amountFen: i.amount_fen,
    title: i.title,
    issuedAt: i.issued_at,
    lastError: i.status === "failed" ? i.last_error : null,
    hasPdf: i.pdf !== null,
  };
}

export function presentRequest(r: InvoiceRequest, mask = false) {
  return {
    buyerType: r.buyer_type,
    title: r.title,
    taxNo: r.tax_no,
    email: mask ? maskEmail(r.email) : r.email,
    kind: r.kind,
    kindLabel: INVOICE_KIND_LABELS[r.kind],
    updatedAt: r.updated_at,
  };
}

export function createInvoiceService(deps: InvoiceDeps) {
  const { db, clock } = deps;
  const requireProvider = () => {
    if (!deps.provider) throw new AppError("INVALID_STATE", "电子发票暂未开通，请联系客服");
    return deps.provider;
  };

  const invoicesOf = (orderId: string) =>
    db.selectFrom("invoices").selectAll().where("order_id", "=", orderId).orderBy("created_at").execute();

  async function forApplicant(accountId: string, orderId: string) {
    await findOwnedOrder(db, accountId, orderId);
    const request = await db
      .selectFrom("invoice_requests")
      .selectAll()
      .where("order_id", "=", orderId)
      .executeTakeFirst();
    return {
      enabled: deps.provider !== null,
      request: request ? presentRequest(request) : null,
      invoices: (await invoicesOf(orderId)).map(presentInvoice),
    };
  }

  /** Saves (or changes) what the applicant asks for; refused once the blue invoice is on its way. */
  async function saveRequest(accountId: string, orderId: string, input: InvoiceRequestInput, meta: Meta) {
    requireProvider();
    const v = checkInvoiceRequest(input);
    await db.transaction().execute(async (trx) => {
      const order = await findOwnedOrder(trx, accountId, orderId);
      if (CLOSED_ORDER_STATES.includes(order.state))
        throw new AppError("INVALID_STATE", "订单已取消或已退款，不能申请发票");
      const blue = await trx
        .selectFrom("invoices")
        .select("status")
        .where("order_id", "=", orderId)
        .where("color", "=", "blue")
        .executeTakeFirst();
      if (blue && blue.status !== "failed")
        throw new AppError("INVALID_STATE", "发票已开具或正在开具，不能再修改开票信息");
      const now = iso(clock());
      const values = {
        buyer_type: v.buyerType,
        title: v.title,
        tax_no: v.taxNo,
        email: v.email,
        kind: v.kind,
        updated_at: now,
      };
      const existing = await trx
        .selectFrom("invoice_requests")
        .select("order_id")
        .where("order_id", "=", orderId)
        .executeTakeFirst();
      if (existing)
        await trx.updateTable("invoice_requests").set(values).where("order_id", "=", orderId).execute();
      else
        await trx
          .insertInto("invoice_requests")
          .values({ order_id: orderId, account_id: accountId, created_at: now, ...values })
          .execute();
      // A failed blue invoice takes the corrected details on its retry.
      if (blue)
        await trx
          .updateTable("invoices")
          .set({ buyer_type: v.buyerType, title: v.title, tax_no: v.taxNo, email: v.email, kind: v.kind })
          .where("order_id", "=", orderId)
          .where("color", "=", "blue")
          .where("status", "=", "failed")
          .execute();
      await appendAudit(trx, {
        at: clock(),
        actorType: "applicant",
        actorId: accountId,
        action: "invoice.request_saved",
        objectType: "order",
        objectId: orderId,
        detail: {
          orderNo: order.order_no,
          buyerType: v.buyerType,
          kind: v.kind,
          taxNo: v.taxNo,
          email: maskEmail(v.email),
        },
        ip: meta.ip,
      });
    });
    return forApplicant(accountId, orderId);
  }

  /** Finance issues the blue invoice of a paid order (or retries a failed one); worked at once after the commit. */
  async function issue(staffId: string, orderId: string, meta: Meta) {
    const provider = requireProvider();
    const id = await db.transaction().execute(async (trx) => {
      const order = await trx
        .selectFrom("orders")
        .select(["id", "order_no", "state"])
        .where("id", "=", orderId)
        .executeTakeFirst();
      if (!order) throw notFound("订单");
      if (CLOSED_ORDER_STATES.includes(order.state))
        throw new AppError("INVALID_STATE", "订单已取消或已退款，不能开具蓝字发票");
      const req = await trx
        .selectFrom("invoice_requests")
        .selectAll()
        .where("order_id", "=", orderId)
        .executeTakeFirst();
      if (!req) throw new AppError("INVALID_STATE", "申请人尚未填写开票信息");
      const paid = await settledPayment(trx, orderId);
      if (!paid) throw new AppError("INVALID_STATE", "订单尚未到账（在线支付成功或转账已记账后才能开票）");
      const blue = await trx
        .selectFrom("invoices")
        .selectAll()
        .where("order_id", "=", orderId)
        .where("color", "=", "blue")
        .executeTakeFirst();
      let invoiceId: string;
      if (blue && blue.status !== "failed")
        throw new AppError("CONFLICT", `该订单的发票${INVOICE_STATUS_LABELS[blue.status]}，不能重复开具`);
      if (blue) {
        const retried = await trx
          .updateTable("invoices")
          .set({
            status: "pending",
            attempts: 0,
            last_error: null,
            lease_until: null,
            next_attempt_at: iso(clock()),
            requested_by: staffId,
          })
          .where("id", "=", blue.id)
          .where("status", "=", "failed")
          .executeTakeFirst();
        if (Number(retried.numUpdatedRows) !== 1) throw new AppError("CONFLICT", "发票状态已变化，请刷新");
        invoiceId = blue.id;
      } else {
        const { buyer_type, title, tax_no, email, kind } = req;
        invoiceId = (
          await insertInvoice(trx, clock, provider.name, {
            order_id: orderId,
            color: "blue",
            original_id: null,
            amount_fen: paid.amount_fen,
            buyer_type,
            title,
            tax_no,
            email,
            kind,
            requested_by: staffId,
          })
        ).id;
      }
      await appendAudit(trx, {
        at: clock(),
        actorType: "staff",
        actorId: staffId,
        action: "invoice.requested",
        objectType: "invoice",
        objectId: invoiceId,
        detail: { orderNo: order.order_no, color: "blue", retry: !!blue },
        ip: meta.ip,
      });
      return invoiceId;
    });
    await workInvoice({ ...deps, provider }, id);
    return presentInvoice(
      await db.selectFrom("invoices").selectAll().where("id", "=", id).executeTakeFirstOrThrow(),
    );
  }

  /** The PDF of an issued invoice: for the order's owner (accountId) or finance (accountId null). */
  async function pdf(who: { accountId: string | null }, invoiceId: string) {
    const row = await db
      .selectFrom("invoices")
      .innerJoin("orders", "orders.id", "invoices.order_id")
      .select([
        "invoices.pdf",
        "invoices.color",
        "invoices.invoice_no",
        "orders.order_no",
        "orders.account_id",
      ])
      .where("invoices.id", "=", invoiceId)
      .executeTakeFirst();
    if (!row || (who.accountId !== null && row.account_id !== who.accountId)) throw notFound("发票");
    if (!row.pdf) throw new AppError("INVALID_STATE", "发票尚未开具完成");
    return {
      data: Buffer.from(row.pdf, "base64"),
      filename: `电子发票-${row.order_no}${row.color === "red" ? "-红字" : ""}.pdf`,
    };
  }

  /** Finance's list: the newest invoice requests with their invoices (email masked). */
  async function listForFinance(filter: { pendingOnly: boolean }) {
    let q = db
      .selectFrom("invoice_requests as r")
      .innerJoin("orders as o", "o.id", "r.order_id")
      .selectAll("r")
      .select(["o.order_no", "o.state", "o.total_fen"])
      .orderBy("r.updated_at", "desc")
      .limit(100);
    if (filter.pendingOnly) {
      q = q.where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("invoices as i")
              .select("i.id")
              .whereRef("i.order_id", "=", "r.order_id")
              .where("i.color", "=", "blue")
              .where("i.status", "!=", "failed"),
          ),
        ),
      );
    }
    const rows = await q.execute();
    const ids = rows.map((r) => r.order_id);
    const invoices = ids.length
      ? await db
          .selectFrom("invoices")
          .selectAll()
          .where("order_id", "in", ids)
          .orderBy("created_at")
          .execute()
      : [];
    const paid = ids.length
      ? await db
          .selectFrom("payments")
          .select("order_id")
          .where("order_id", "in", ids)
          .where("status", "in", ["paid", "booked"])
          .where("amount_fen", ">", 0)
          .execute()
      : [];
    const paidSet = new Set(paid.map((p) => p.order_id));
    return rows.map((r) => ({
      orderId: r.order_id,
      orderNo: r.order_no,
      orderState: r.state,
      totalFen: r.total_fen,
      paid: paidSet.has(r.order_id),
      request: presentRequest(r, true),
      invoices: invoices.filter((i) => i.order_id === r.order_id).map(presentInvoice),
    }));
  }

  async function setAutoIssue(staffId: string, on: boolean, meta: Meta) {
    if (typeof on !== "boolean") throw invalidField("autoIssue", "自动开票（autoIssue）应为 true 或 false");
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable("platform_settings")
        .set({ value: String(on), updated_at: iso(clock()), updated_by: staffId })
        .where("key", "=", "invoice_auto_issue")
        .execute();
      await appendAudit(trx, {
        at: clock(),
        actorType: "staff",
        actorId: staffId,
        action: "invoice.auto_issue_set",
        objectType: "setting",
        objectId: "invoice_auto_issue",
        detail: { autoIssue: on },
        ip: meta.ip,
      });
    });
    return { autoIssue: on };
  }

  return {
    forApplicant,
    saveRequest,
    issue,
    pdf,
    listForFinance,
    autoIssue: async () => ({
      autoIssue: await autoIssueEnabled(db),
      provider: deps.provider?.name ?? "none",
    }),
    setAutoIssue,
  };
}

export type InvoiceService = ReturnType<typeof createInvoiceService>;
