// 进度查询 without login (issue 16 item 5): 订单号 + 手机号 + SMS code. The code route answers alike
// whether or not the order exists and the phone belongs to it (the handler's or the account's): the
// SMS code service records a code either way, under the same 60 s rule and daily caps, but only a
// phone tied to the order gets one that can match. The answer is the order's timeline with the
// subjects' and the handler's names masked.
import {
  BUSINESS_TYPES,
  type BusinessCode,
  maskName,
  maskPhone,
  ORDER_STATE_INFO,
  type OrderState,
} from "@certhall/domain";
import type { Db } from "../../db/database";
import type { Order } from "../../db/tables.orders";
import { AppError, invalidField } from "../../errors";
import type { SmsCodeService } from "../accounts/sms-code.service";
import { timeline } from "../orders/order.service";
import { maskCompanyName } from "../receipts/receipt.service";
import { isOrderNo } from "../receipts/receipt.token";

export interface ProgressDeps {
  db: Db;
  smsCodes: SmsCodeService;
}

export function createProgressService(deps: ProgressDeps) {
  const { db, smsCodes } = deps;

  function orderNoOf(text: string): string {
    const orderNo = text.trim().toUpperCase();
    if (!isOrderNo(orderNo)) throw invalidField("orderNo", "订单号格式不正确，应为 CH 加 14 位数字");
    return orderNo;
  }

  /** The order when `phone` is its handler's or its account's; null otherwise (never said which). */
  async function matching(orderNo: string, phone: string): Promise<Order | null> {
    const row = await db
      .selectFrom("orders")
      .innerJoin("accounts", "accounts.id", "orders.account_id")
      .selectAll("orders")
      .select("accounts.phone as account_phone")
      .where("orders.order_no", "=", orderNo)
      .executeTakeFirst();
    if (!row || (row.handler_phone !== phone && row.account_phone !== phone)) return null;
    const { account_phone: _, ...order } = row;
    return order;
  }

  async function requestCode(input: { orderNo: string; phone: string }, ip: string | null) {
    const order = await matching(orderNoOf(input.orderNo), input.phone);
    return smsCodes.sendCode(input.phone, "progress", ip, { deliver: order !== null });
  }

  async function query(input: { orderNo: string; phone: string; code: string }) {
    const orderNo = orderNoOf(input.orderNo);
    const codeId = await smsCodes.checkCode(input.phone, "progress", input.code);
    const order = await matching(orderNo, input.phone);
    // Only a phone tied to some order ever receives a code that matches; this one was sent for another.
    if (!order)
      throw new AppError("NOT_FOUND", "订单号与手机号不匹配，请核对后重新获取验证码", { field: "orderNo" });
    await db.transaction().execute((trx) => smsCodes.consumeCode(trx, codeId));
    const [subjects, events] = await Promise.all([
      db
        .selectFrom("order_items")
        .innerJoin("subjects", "subjects.id", "order_items.subject_id")
        .select(["subjects.id", "subjects.kind", "subjects.name"])
        .where("order_items.order_id", "=", order.id)
        .orderBy("order_items.position")
        .execute(),
      db.selectFrom("order_events").selectAll().where("order_id", "=", order.id).orderBy("version").execute(),
    ]);
    const state = order.state as OrderState;
    return {
      orderNo: order.order_no,
      businessName: BUSINESS_TYPES[order.business as BusinessCode]?.name ?? order.business,
      state,
      stateLabel: ORDER_STATE_INFO[state]?.labelZh ?? state,
      subjects: [...new Map(subjects.map((s) => [s.id, s])).values()].map((s) =>
        s.kind === "company" ? maskCompanyName(s.name) : maskName(s.name),
      ),
      handlerName: maskName(order.handler_name),
      handlerPhone: maskPhone(order.handler_phone),
      submittedAt: order.submitted_at,
      timeline: timeline(order, events),
    };
  }

  return { requestCode, query };
}

export type ProgressService = ReturnType<typeof createProgressService>;
