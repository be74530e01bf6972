// Issuing is work done after the commit, never inside a payment's transaction: a provider call can be
// slow or fail. One pass: (1) with automatic issuing on, a blue invoice is queued for every paid order
// that has an invoice request and none yet; (2) a red one (红冲) for every refunded order whose blue
// invoice was issued; (3) each due invoice is claimed with a lease (two workers never send the same one)
// and sent to the provider, or its asynchronous result asked for; an issued invoice is stored with its
// PDF and emailed (the outbox row in the same transaction).
import type { FastifyBaseLogger } from "fastify";
import type { ExpressionBuilder } from "kysely";
import type { Db, Trx } from "../../db/database";
import type { Database } from "../../db/tables";
import type { Invoice } from "../../db/tables.invoices";
import { addSeconds, type Clock, iso, newId } from "../../lib/clock";
import { appendAudit } from "../audit/audit.service";
import { queueEmail } from "../mail/mail.outbox";
import {
  INVOICE_KIND_LABELS,
  type InvoiceOutcome,
  type InvoiceProvider,
  type InvoiceToIssue,
} from "./invoice.provider";

export interface InvoiceWorkerDeps {
  db: Db;
  clock: Clock;
  provider: InvoiceProvider | null;
  log: Pick<FastifyBaseLogger, "warn">;
}

export const INVOICE_MAX_ATTEMPTS = 8;
const LEASE_SECONDS = 120;

/** The order's settled money (an online payment paid, or a transfer booked): what the invoice is for. */
export function settledPayment(q: Db | Trx, orderId: string) {
  return q
    .selectFrom("payments")
    .select(["id", "amount_fen"])
    .where("order_id", "=", orderId)
    .where("status", "in", ["paid", "booked"])
    .where("amount_fen", ">", 0)
    .executeTakeFirst();
}

/** Inserts an invoice to issue (unique per order and colour: a second attempt finds the first). */
export async function insertInvoice(
  trx: Trx,
  clock: Clock,
  provider: string,
  p: Pick<
    Invoice,
    | "order_id"
    | "color"
    | "original_id"
    | "amount_fen"
    | "buyer_type"
    | "title"
    | "tax_no"
    | "email"
    | "kind"
    | "requested_by"
  >,
): Promise<Invoice> {
  const now = iso(clock());
  const row: Invoice = {
    id: newId(),
    ...p,
    status: "pending",
    provider,
    provider_serial: null,
    invoice_code: null,
    invoice_no: null,
    pdf: null,
    attempts: 0,
    next_attempt_at: now,
    lease_until: null,
    last_error: null,
    created_at: now,
    issued_at: null,
  };
  await trx.insertInto("invoices").values(row).execute();
  return row;
}

export async function autoIssueEnabled(q: Db | Trx): Promise<boolean> {
  const row = await q
    .selectFrom("platform_settings")
    .select("value")
    .where("key", "=", "invoice_auto_issue")
    .executeTakeFirst();
  return row?.value === "true";
}

type InvoiceFields = Pick<
  Invoice,
  "original_id" | "amount_fen" | "buyer_type" | "title" | "tax_no" | "email" | "kind"
>;

/** Queues the order's invoice of `color` unless it has one (checked again in the transaction), audited. */
async function queueOnce(
  deps: InvoiceWorkerDeps & { provider: InvoiceProvider },
  orderId: string,
  color: Invoice["color"],
  detail: Record<string, unknown>,
  fields: (trx: Trx) => Promise<InvoiceFields | null>,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const exists = await trx
      .selectFrom("invoices")
      .select("id")
      .where("order_id", "=", orderId)
      .where("color", "=", color)
      .executeTakeFirst();
    const f = exists ? null : await fields(trx);
    if (!f) return;
    const inv = await insertInvoice(trx, deps.clock, deps.provider.name, {
      ...f,
      order_id: orderId,
      color,
      requested_by: null,
    });
    await appendAudit(trx, {
      at: deps.clock(),
      actorType: "system",
      actorId: null,
      action: "invoice.requested",
      objectType: "invoice",
      objectId: inv.id,
      detail: { orderId, color, ...detail },
      ip: null,
    });
  });
}

async function queueAutomatic(deps: InvoiceWorkerDeps & { provider: InvoiceProvider }): Promise<void> {
  const { db } = deps;
  const auto = await autoIssueEnabled(db);
  const candidates = auto
    ? await db
        .selectFrom("invoice_requests as r")
        .innerJoin("orders as o", "o.id", "r.order_id")
        .selectAll("r")
        .where("o.state", "not in", ["cancelled", "refunded"])
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom("invoices as i")
                .select("i.id")
                .whereRef("i.order_id", "=", "r.order_id")
                .where("i.color", "=", "blue"),
            ),
          ),
        )
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom("payments as p")
              .select("p.id")
              .whereRef("p.order_id", "=", "r.order_id")
              .where("p.status", "in", ["paid", "booked"])
              .where("p.amount_fen", ">", 0),
          ),
        )
        .limit(50)
        .execute()
    : [];
  for (const r of candidates) {
    const { order_id, buyer_type, title, tax_no, email, kind } = r;
    await queueOnce(deps, order_id, "blue", { automatic: true }, async (trx) => {
      const paid = await settledPayment(trx, order_id);
      if (!paid) return null;
      return { buyer_type, title, tax_no, email, kind, original_id: null, amount_fen: paid.amount_fen };
    });
  }
  // 红冲: a refunded order's issued blue invoice is reversed, automatically (the refund is the decision).
  const refunded = await db
    .selectFrom("invoices as b")
    .innerJoin("orders as o", "o.id", "b.order_id")
    .selectAll("b")
    .where("o.state", "=", "refunded")
    .where("b.color", "=", "blue")
    .where("b.status", "=", "issued")
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("invoices as r")
            .select("r.id")
            .whereRef("r.order_id", "=", "b.order_id")
            .where("r.color", "=", "red"),
        ),
      ),
    )
    .limit(50)
    .execute();
  for (const b of refunded) {
    const { order_id, buyer_type, title, tax_no, email, kind, amount_fen } = b;
    await queueOnce(deps, order_id, "red", { reverses: b.invoice_no }, async () => ({
      buyer_type,
      title,
      tax_no,
      email,
      kind,
      amount_fen,
      original_id: b.id,
    }));
  }
}

async function toIssue(db: Db, inv: Invoice, now: Date): Promise<InvoiceToIssue & { orderState: string }> {
  const order = await db
    .selectFrom("orders")
    .select(["order_no", "state"])
    .where("id", "=", inv.order_id)
    .executeTakeFirstOrThrow();
  const original = inv.original_id
    ? await db
        .selectFrom("invoices")
        .select(["invoice_code", "invoice_no", "issued_at"])
        .where("id", "=", inv.original_id)
        .executeTakeFirstOrThrow()
    : null;
  return {
    id: inv.id,
    providerOrderNo: `${order.order_no}${inv.color === "blue" ? "B" : "R"}`,
    orderNo: order.order_no,
    orderState: order.state,
    color: inv.color,
    buyer: { type: inv.buyer_type, title: inv.title, taxNo: inv.tax_no, email: inv.email },
    kind: inv.kind,
    amountFen: inv.amount_fen,
    issuedAt: now,
    ...(original?.invoice_no
      ? {
          original: {
            invoiceCode: original.invoice_code,
            invoiceNo: original.invoice_no,
            issuedAt: original.issued_at,
          },
        }
      : {}),
  };
}

const dueFilter = (now: string) => (eb: ExpressionBuilder<Database, "invoices">) =>
  eb.or([
    eb.and([
      eb("status", "in", ["pending", "submitted"]),
      eb("next_attempt_at", "<=", now),
      eb("lease_until", "is", null),
    ]),
    eb.and([eb("status", "in", ["pending", "submitted"]), eb("lease_until", "<", now)]),
  ]);

/** Works one invoice if it is due (claimed with a lease); answers its status afterwards. */
export async function workInvoice(
  deps: InvoiceWorkerDeps & { provider: InvoiceProvider },
  id: string,
): Promise<void> {
  const { db, clock } = deps;
  const now = clock();
  const claimed = await db
    .updateTable("invoices")
    .set({ lease_until: iso(addSeconds(now, LEASE_SECONDS)) })
    .where("id", "=", id)
    .where(dueFilter(iso(now)))
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return;
  const inv = await db.selectFrom("invoices").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const req = await toIssue(db, inv, now);
  const attempts = inv.attempts + 1;
  let outcome: InvoiceOutcome;
  try {
    if (inv.color === "blue" && req.orderState === "refunded" && inv.status === "pending") {
      outcome = { state: "failed", reason: "订单已退款，不再开具蓝字发票" };
    } else {
      outcome =
        inv.status === "submitted" && inv.provider_serial
          ? await deps.provider.query(inv.provider_serial, req)
          : await deps.provider.issue(req);
    }
  } catch (err) {
    const message = String((err as Error).message ?? err).slice(0, 500);
    const giveUp = attempts >= INVOICE_MAX_ATTEMPTS;
    await db
      .updateTable("invoices")
      .set({
        attempts,
        lease_until: null,
        last_error: message,
        next_attempt_at: iso(addSeconds(clock(), 2 ** attempts * 5)),
        ...(giveUp ? { status: "failed" as const } : {}),
      })
      .where("id", "=", id)
      .execute();
    deps.log.warn({ invoiceId: id, attempts, giveUp, err: message }, "invoice provider call failed");
    return;
  }
  await db.transaction().execute(async (trx) => {
    if (outcome.state === "submitted") {
      // Asked again in 10 s, then less often: Nuonuo usually issues within seconds.
      await trx
        .updateTable("invoices")
        .set({
          status: "submitted",
          provider_serial: outcome.serial,
          attempts,
          lease_until: null,
          last_error: null,
          next_attempt_at: iso(addSeconds(clock(), Math.min(600, 10 * attempts))),
        })
        .where("id", "=", id)
        .execute();
      return;
    }
    if (outcome.state === "failed") {
      await trx
        .updateTable("invoices")
        .set({ status: "failed", attempts, lease_until: null, last_error: outcome.reason })
        .where("id", "=", id)
        .execute();
      await appendAudit(trx, {
        at: clock(),
        actorType: "system",
        actorId: null,
        action: "invoice.failed",
        objectType: "invoice",
        objectId: id,
        detail: { orderNo: req.orderNo, color: inv.color, reason: outcome.reason },
        ip: null,
      });
      return;
    }
    await trx
      .updateTable("invoices")
      .set({
        status: "issued",
        attempts,
        lease_until: null,
        last_error: null,
        invoice_code: outcome.invoiceCode,
        invoice_no: outcome.invoiceNo,
        pdf: outcome.pdf.toString("base64"),
        issued_at: iso(clock()),
      })
      .where("id", "=", id)
      .execute();
    const red = inv.color === "red";
    await queueEmail(trx, clock, {
      to: inv.email,
      subject: `${red ? "红字" : ""}电子发票：订单 ${req.orderNo}`,
      text: `${inv.title}：\n\n您的订单 ${req.orderNo} 的${red ? "红字" : ""}${INVOICE_KIND_LABELS[inv.kind]}已开具，发票号码 ${outcome.invoiceNo}，见附件 PDF。${red ? "\n该红字发票冲销原发票（订单已退款）。" : ""}\n`,
      attachment: { filename: `电子发票-${req.orderNo}${red ? "-红字" : ""}.pdf`, content: outcome.pdf },
      ref: { type: "invoice", id },
    });
    await appendAudit(trx, {
      at: clock(),
      actorType: "system",
      actorId: null,
      action: "invoice.issued",
      objectType: "invoice",
      objectId: id,
      detail: {
        orderNo: req.orderNo,
        color: inv.color,
        invoiceNo: outcome.invoiceNo,
        provider: deps.provider.name,
      },
      ip: null,
    });
  });
}

/** One pass of the invoice worker. */
export async function runInvoicePass(deps: InvoiceWorkerDeps): Promise<void> {
  const provider = deps.provider;
  if (!provider) return;
  await queueAutomatic({ ...deps, provider });
  const now = iso(deps.clock());
  const due = await deps.db
    .selectFrom("invoices")
    .select("id")
    .where(dueFilter(now))
    .orderBy("next_attempt_at")
    .limit(20)
    .execute();
  for (const { id } of due) await workInvoice({ ...deps, provider }, id);
}
