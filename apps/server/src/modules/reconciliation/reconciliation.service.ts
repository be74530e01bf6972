import { createHash } from "node:crypto";
import type { Db, Trx } from "../../db/database";
import type { Order } from "../../db/tables.orders";
import type { StatementLineStatus, StatementLinesTable } from "../../db/tables.statements";
import { AppError, forbidden, invalidField, notFound } from "../../errors";
import { type Clock, iso, newId } from "../../lib/clock";
import { appendAudit } from "../audit/audit.service";
import { applyTransition } from "../orders/order.transition";
import { insertPaymentRow } from "../payments/payment.service";
import { assertNotOwnOrder } from "../staff/staff.duties";
import { statementFormat } from "./statement.formats";
import { parseStatement, type StatementCredit } from "./statement.parse";

export interface ReconciliationDeps {
  db: Db;
  clock: Clock;
  signName: string;
}

interface StaffActor {
  id: string;
}

/** 汇款识别码 as order.service makes them: 8 characters of an alphabet without 0, 1, I, L, O. */
const REMITTANCE_CODE = /(?<![A-Z0-9])[2-9A-HJKMNP-Z]{8}(?![A-Z0-9])/g;

/** The codes a payer may have written in the remark, in order of appearance. */
export function remittanceCodesIn(remark: string): string[] {
  return [...new Set(remark.toUpperCase().match(REMITTANCE_CODE) ?? [])];
}

/** The statuses a person still has to decide (the rest are done, or wait for finance's confirmation). */
export const UNDECIDED: readonly StatementLineStatus[] = [
  "amount_mismatch",
  "duplicate",
  "unknown",
  "not_payable",
];

interface Classified {
  status: StatementLineStatus;
  order: Order | null;
  note: string | null;
}

/**
 * 银行对账: finance imports the bank's statement; each credit is matched to its order by the 汇款识别码 in
 * the remark and the amount. Exact matches wait for finance to confirm them as one batch; the others are
 * listed for a person. A credit is stored once (by its fingerprint), so a second import books nothing.
 */
export function createReconciliationService(deps: ReconciliationDeps) {
  const { db, clock } = deps;
  const tdeps = { clock, signName: deps.signName };

  /**
   * Decides what a credit is. `claimed` holds the orders an earlier credit of the same batch already
   * took: a second credit for one order is a duplicate (paid twice), for a person to refund.
   */
  async function classify(trx: Trx, c: { remark: string; amount_fen: number }, claimed: Set<string>) {
    const codes = remittanceCodesIn(c.remark);
    if (codes.length === 0)
      return { status: "unknown", order: null, note: "摘要中没有汇款识别码" } as Classified;
    const orders = await trx.selectFrom("orders").selectAll().where("remittance_code", "in", codes).execute();
    if (orders.length === 0)
      return { status: "unknown", order: null, note: "汇款识别码不对应任何订单" } as Classified;
    if (orders.length > 1) {
      return { status: "unknown", order: null, note: "摘要中有多个订单的汇款识别码" } as Classified;
    }
    const order = orders[0]!;
    const open = await openTransfer(trx, order.id);
    const payable =
      order.state === "awaiting_payment" || (order.state === "awaiting_booking" && open !== null);
    if (claimed.has(order.id) || (!payable && (await settled(trx, order.id)))) {
      return { status: "duplicate", order, note: "该订单的款项已收到，疑似重复汇款" } as Classified;
    }
    if (!payable)
      return { status: "not_payable", order, note: "订单当前不在待付款或待记账状态" } as Classified;
    if (c.amount_fen !== order.total_fen) {
      return { status: "amount_mismatch", order, note: "金额与订单应付金额不符" } as Classified;
    }
    return { status: "exact", order, note: null } as Classified;
  }

  /** A transfer the applicant declared and finance has not yet booked or returned. */
  async function openTransfer(trx: Trx, orderId: string) {
    return (
      (await trx
        .selectFrom("payments")
        .selectAll()
        .where("order_id", "=", orderId)
        .where("method", "=", "transfer")
        .where("status", "=", "declared")
        .executeTakeFirst()) ?? null
    );
  }

  async function settled(trx: Trx, orderId: string): Promise<boolean> {
    const row = await trx
      .selectFrom("payments")
      .select("id")
      .where("order_id", "=", orderId)
      .where("status", "in", ["paid", "booked"])
      .executeTakeFirst();
    return row !== undefined;
  }

  const fingerprint = (bank: string, c: StatementCredit) =>
    createHash("sha256")
      .update(JSON.stringify([bank, c.reference, c.date, c.amountFen]))
      .digest("hex");

  async function importStatement(
    staff: StaffActor,
    input: { bank: string; filename: string; data: Buffer },
    ip: string | null,
  ) {
    const format = statementFormat(input.bank);
    if (!format) throw invalidField("bank", "请选择对账单所属银行");
    const credits = await parseStatement(input.data, format);
    const prints = credits.map((c) => fingerprint(format.code, c));
    const seen = new Set<string>();
    prints.forEach((f, i) => {
      if (seen.has(f)) {
        const lineNo = credits[i]!.lineNo;
        throw invalidField("file", `第 ${lineNo} 行与前面一行的交易流水号、日期和金额完全相同，请检查文件`);
      }
      seen.add(f);
    });
    return db.transaction().execute(async (trx) => {
      const now = iso(clock());
      const statementId = newId();
      await trx
        .insertInto("bank_statements")
        .values({
          id: statementId,
          bank: format.code,
          filename: input.filename.slice(0, 200),
          sha256: createHash("sha256").update(input.data).digest("hex"),
          credit_count: credits.length,
          imported_by: staff.id,
          imported_at: now,
        })
        .execute();
      const claimed = new Set(await claimedOrders(trx));
      const imported = await importedBefore(trx, prints);
      const counts: Record<string, number> = {};
      for (const [i, c] of credits.entries()) {
        const fp = prints[i]!;
        const before = imported.has(fp);
        const k: Classified = before
          ? { status: "already_imported", order: null, note: "该笔流水已在之前的对账单中导入" }
          : await classify(trx, { remark: c.remark, amount_fen: c.amountFen }, claimed);
        if (k.status === "exact" && k.order) claimed.add(k.order.id);
        counts[k.status] = (counts[k.status] ?? 0) + 1;
        await trx
          .insertInto("statement_lines")
          .values({
            id: newId(),
            statement_id: statementId,
            line_no: c.lineNo,
            tx_date: c.date,
            amount_fen: c.amountFen,
            payer_name: c.payerName,
            payer_account: c.payerAccount,
            remark: c.remark,
            reference: c.reference,
            fingerprint: before ? null : fp,
            status: k.status,
            order_id: k.order?.id ?? null,
            payment_id: null,
            note: k.note,
            decided_by: null,
            decided_at: null,
          })
          .execute();
      }
      await appendAudit(trx, {
        at: clock(),
        actorType: "staff",
        actorId: staff.id,
        action: "statement.import",
        objectType: "bank_statement",
        objectId: statementId,
        detail: { bank: format.code, credits: credits.length, counts },
        ip,
      });
      return statementId;
    });
  }

  /** The fingerprints among `prints` that an earlier import stored, looked up a chunk at a time. */
  async function importedBefore(trx: Trx, prints: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < prints.length; i += 500) {
      const rows = await trx
        .selectFrom("statement_lines")
        .select("fingerprint")
        .where("fingerprint", "in", prints.slice(i, i + 500))
        .execute();
      for (const r of rows) if (r.fingerprint) found.add(r.fingerprint);
    }
    return found;
  }

  /** Orders an exact line of any statement already waits to book (two imports must not both book one). */
  async function claimedOrders(trx: Trx): Promise<string[]> {
    const rows = await trx
      .selectFrom("statement_lines")
      .select("order_id")
      .where("status", "=", "exact")
      .where("order_id", "is not", null)
      .execute();
    return rows.map((r) => r.order_id!);
  }

  async function loadStatement(id: string) {
    const statement = await db
      .selectFrom("bank_statements")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (!statement) throw notFound("对账单");
    return statement;
  }

  async function get(id: string) {
    const statement = await loadStatement(id);
    const lines = await db
      .selectFrom("statement_lines")
      .leftJoin("orders", "orders.id", "statement_lines.order_id")
      .selectAll("statement_lines")
      .select(["orders.order_no", "orders.total_fen", "orders.state as order_state"])
      .where("statement_id", "=", id)
      .orderBy("line_no")
      .execute();
    return { statement, lines };
  }

  async function list(page: { limit: number; before?: { at: string; id: string } }) {
    let q = db.selectFrom("bank_statements").selectAll();
    if (page.before) {
      const b = page.before;
      q = q.where((eb) =>
        eb.or([eb("imported_at", "<", b.at), eb.and([eb("imported_at", "=", b.at), eb("id", "<", b.id)])]),
      );
    }
    const rows = await q
      .orderBy("imported_at", "desc")
      .orderBy("id", "desc")
      .limit(page.limit + 1)
      .execute();
    return { rows: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
  }

  /**
   * Books every exact line of the statement in one transaction (finance's confirmation). Each line is
   * checked again under the order's row lock; a line whose order moved on meanwhile is re-classified and
   * left for a person, never booked on stale facts.
   */
  async function bookExact(staff: StaffActor, statementId: string, ip: string | null) {
    await loadStatement(statementId);
    return db.transaction().execute(async (trx) => {
      const lines = await trx
        .selectFrom("statement_lines")
        .selectAll()
        .where("statement_id", "=", statementId)
        .where("status", "=", "exact")
        .orderBy("line_no")
        .execute();
      let booked = 0;
      let moved = 0;
      let ownSkipped = 0;
      for (const line of lines) {
        if (line.order_id) await lockOrder(trx, line.order_id);
        const k = await classify(trx, line, new Set());
        if (k.status !== "exact" || !k.order || k.order.id !== line.order_id) {
          await decide(trx, line.id, staff, { status: k.status, note: k.note });
          moved++;
          continue;
        }
        // Separation of duties: an order of the finance member's own stays for a colleague to book.
        if (!(await mayBook(trx, staff.id, k.order))) {
          ownSkipped++;
          continue;
        }
        const paymentId = await bookLine(trx, staff, line, k.order, ip);
        await decide(trx, line.id, staff, { status: "booked", note: null, paymentId });
        booked++;
      }
      if (lines.length === 0) throw new AppError("INVALID_STATE", "该对账单没有待确认入账的记录");
      if (booked + moved === 0) {
        throw forbidden("职责分离：待入账的订单均与您本人的手机号或身份证号相同，请交由其他财务人员确认");
      }
      await appendAudit(trx, {
        at: clock(),
        actorType: "staff",
        actorId: staff.id,
        action: "statement.book",
        objectType: "bank_statement",
        objectId: statementId,
        detail: { booked, moved, ownSkipped },
        ip,
      });
      return { booked, moved, ownSkipped };
    });
  }

  /** False when the order is the staff member's own (assertNotOwnOrder would refuse it). */
  async function mayBook(trx: Trx, staffId: string, order: Order): Promise<boolean> {
    try {
      await assertNotOwnOrder(trx, staffId, order);
      return true;
    } catch (err) {
      if (err instanceof AppError && err.code === "FORBIDDEN") return false;
      throw err;
    }
  }

  async function lockOrder(trx: Trx, orderId: string) {
    await trx
      .updateTable("orders")
      .set((eb) => ({ version: eb.ref("version") }))
      .where("id", "=", orderId)
      .execute();
  }

  /** One credit booked: the declared transfer, or a transfer finance records from the statement. */
  async function bookLine(
    trx: Trx,
    staff: StaffActor,
    line: StatementLinesTable,
    order: Order,
    ip: string | null,
  ) {
    const now = iso(clock());
    const actor = { role: "finance" as const, type: "staff" as const, id: staff.id };
    const detail = { statementLineId: line.id, reference: line.reference, amountFen: line.amount_fen };
    let current = order;
    let paymentId: string;
    const declared = await openTransfer(trx, order.id);
    if (declared) {
      paymentId = declared.id;
      await trx
        .updateTable("payments")
        .set({
          status: "booked",
          booked_by: staff.id,
          booked_at: now,
          statement_line_id: line.id,
          updated_at: now,
        })
        .where("id", "=", declared.id)
        .where("status", "=", "declared")
        .execute();
    } else {
      const p = await insertPaymentRow(trx, clock, order, {
        method: "transfer",
        provider: null,
        status: "booked",
        amount_fen: line.amount_fen,
        paid_at: `${line.tx_date}T00:00:00.000Z`,
        booked_by: staff.id,
        booked_at: now,
        statement_line_id: line.id,
      });
      paymentId = p.id;
      current = await applyTransition(trx, tdeps, {
        order,
        event: "declare_transfer",
        method: "transfer",
        actor,
        ip,
        detail: { paymentId, ...detail },
      });
    }
    // A business that books transfers without finance is settled by the declaration alone.
    if (current.state !== "awaiting_booking") return paymentId;
    await applyTransition(trx, tdeps, {
      order: current,
      event: "book",
      actor,
      ip,
      detail: { paymentId, method: "transfer", ...detail },
    });
    return paymentId;
  }

  async function decide(
    trx: Trx,
    lineId: string,
    staff: StaffActor,
    d: { status: StatementLineStatus; note: string | null; paymentId?: string },
  ) {
    await trx
      .updateTable("statement_lines")
      .set({
        status: d.status,
        note: d.note,
        decided_by: staff.id,
        decided_at: iso(clock()),
        ...(d.paymentId ? { payment_id: d.paymentId } : {}),
      })
      .where("id", "=", lineId)
      .execute();
  }

  /** A person's decision on a line the machine could not book (refunded, contacted the payer, …). */
  async function resolve(staff: StaffActor, lineId: string, input: { note: string }, ip: string | null) {
    const note = input.note.trim();
    if (!note) throw invalidField("note", "请填写处理说明");
    return db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable("statement_lines")
        .set({ status: "resolved", note, decided_by: staff.id, decided_at: iso(clock()) })
        .where("id", "=", lineId)
        .where("status", "in", [...UNDECIDED])
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) {
        const exists = await trx
          .selectFrom("statement_lines")
          .select("id")
          .where("id", "=", lineId)
          .executeTakeFirst();
        if (!exists) throw notFound("对账记录");
        throw new AppError("INVALID_STATE", "该笔流水无需人工处理或已处理，请刷新");
      }
      await appendAudit(trx, {
        at: clock(),
        actorType: "staff",
        actorId: staff.id,
        action: "statement.resolve",
        objectType: "statement_line",
        objectId: lineId,
        detail: { note },
        ip,
      });
    });
  }

  return { importStatement, get, list, bookExact, resolve };
}

export type ReconciliationService = ReturnType<typeof createReconciliationService>;
