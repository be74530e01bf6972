import type { Db } from "../../db/database";
import type { Payment } from "../../db/tables.orders";
import { AppError, notFound } from "../../errors";
import { type Clock, iso } from "../../lib/clock";
import { applyTransition } from "../orders/order.transition";

export interface FinanceDeps {
  db: Db;
  clock: Clock;
  signName: string;
}

export type FinanceQueue = "awaiting_booking" | "booked" | "returned" | "refund_due";

interface StaffActor {
  id: string;
}

/** Payments finance may still book: recorded (online) or declared (transfer), on an order waiting for it. */
const BOOKABLE: Payment["status"][] = ["paid", "declared"];

/** 记账审核: finance books a payment (the order goes on) or sends it back with a reason (pay again). */
export function createFinanceService(deps: FinanceDeps) {
  const { db, clock } = deps;
  const tdeps = { clock, signName: deps.signName };

  async function list(queue: FinanceQueue, page: { limit: number; offset: number }) {
    let q = db
      .selectFrom("payments")
      .innerJoin("orders", "orders.id", "payments.order_id")
      .select([
        "payments.id",
        "payments.method",
        "payments.provider",
        "payments.status",
        "payments.amount_fen",
        "payments.out_trade_no",
        "payments.provider_trade_no",
        "payments.voucher_upload_id",
        "payments.paid_at",
        "payments.booked_at",
        "payments.booked_by",
        "payments.return_reason",
        "payments.created_at",
        "orders.id as order_id",
        "orders.order_no",
        "orders.business",
        "orders.state as order_state",
        "orders.version as order_version",
        "orders.total_fen",
        "orders.remittance_code",
        "orders.handler_name",
      ]);
    if (queue === "awaiting_booking") {
      q = q.where("orders.state", "=", "awaiting_booking").where("payments.status", "in", BOOKABLE);
    } else {
      q = q.where("payments.status", "=", queue);
    }
    // Oldest first while waiting (first in, first booked); newest first in the history queues.
    const dir = queue === "awaiting_booking" ? "asc" : "desc";
    const rows = await q
      .orderBy("payments.paid_at", dir)
      .orderBy("payments.id")
      .limit(page.limit + 1)
      .offset(page.offset)
      .execute();
    return { rows: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
  }

  async function load(paymentId: string) {
    const payment = await db
      .selectFrom("payments")
      .selectAll()
      .where("id", "=", paymentId)
      .executeTakeFirst();
    if (!payment) throw notFound("付款记录");
    const order = await db
      .selectFrom("orders")
      .selectAll()
      .where("id", "=", payment.order_id)
      .executeTakeFirstOrThrow();
    return { payment, order };
  }

  function assertBookable(payment: Payment, orderState: string): void {
    if (!BOOKABLE.includes(payment.status) || orderState !== "awaiting_booking") {
      throw new AppError("INVALID_STATE", "该付款不在待记账状态，请刷新列表");
    }
  }

  /**
   * Books a payment. Separation of duties (DESIGN §1) is checked by applyTransition for every staff
   * step: a finance member whose own phone or ID number is on the order cannot book it.
   */
  async function book(staff: StaffActor, paymentId: string, input: { version: number }, ip: string | null) {
    const { payment, order } = await load(paymentId);
    assertBookable(payment, order.state);
    return db.transaction().execute(async (trx) => {
      const now = iso(clock());
      const r = await trx
        .updateTable("payments")
        .set({ status: "booked", booked_by: staff.id, booked_at: now, updated_at: now })
        .where("id", "=", payment.id)
        .where("status", "in", BOOKABLE)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new AppError("CONFLICT", "该付款已被他人处理，请刷新列表");
      await applyTransition(trx, tdeps, {
        order,
        event: "book",
        actor: { role: "finance", type: "staff", id: staff.id },
        expectedVersion: input.version,
        ip,
        detail: { paymentId: payment.id, method: payment.method, amountFen: payment.amount_fen },
      });
      return trx.selectFrom("payments").selectAll().where("id", "=", payment.id).executeTakeFirstOrThrow();
    });
  }

  async function returnPayment(
    staff: StaffActor,
    paymentId: string,
    input: { version: number; note: string },
    ip: string | null,
  ) {
    const { payment, order } = await load(paymentId);
    assertBookable(payment, order.state);
    return db.transaction().execute(async (trx) => {
      const now = iso(clock());
      const note = input.note.trim();
      const r = await trx
        .updateTable("payments")
        .set({ status: "returned", return_reason: note || null, updated_at: now })
        .where("id", "=", payment.id)
        .where("status", "in", BOOKABLE)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new AppError("CONFLICT", "该付款已被他人处理，请刷新列表");
      // The transition insists on the reason (NOTE_REQUIRED) and sends the applicant the SMS with it.
      await applyTransition(trx, tdeps, {
        order,
        event: "return_payment",
        actor: { role: "finance", type: "staff", id: staff.id },
        expectedVersion: input.version,
        note,
        ip,
        detail: { paymentId: payment.id, method: payment.method, amountFen: payment.amount_fen },
      });
      return trx.selectFrom("payments").selectAll().where("id", "=", payment.id).executeTakeFirstOrThrow();
    });
  }

  async function voucher(paymentId: string) {
    const { payment } = await load(paymentId);
    if (!payment.voucher_upload_id) throw notFound("转账凭证");
    const upload = await db
      .selectFrom("uploads")
      .selectAll()
      .where("id", "=", payment.voucher_upload_id)
      .executeTakeFirst();
    if (!upload) throw notFound("转账凭证");
    return { mime: upload.mime, filename: upload.filename, data: Buffer.from(upload.data, "base64") };
  }

  return { list, book, returnPayment, voucher };
}

export type FinanceService = ReturnType<typeof createFinanceService>;
