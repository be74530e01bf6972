import { stepAllowed } from "@certhall/domain";
import type { Db } from "../../db/database";
import type { Order } from "../../db/tables.orders";
import { AppError, invalidField, notFound } from "../../errors";
import { type Clock, iso } from "../../lib/clock";
import { appendAudit } from "../audit/audit.service";
import { assertNotOwnOrder } from "../staff/staff.duties";

/**
 * The envelope of materials an applicant mails (邮寄): the applicant gives the courier and waybill
 * number once the order waits for materials by mail; the window receives the envelope by that number.
 * One row per order (a corrected waybill replaces the first until the window has the envelope).
 */
export function createInboundMail(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function declare(
    order: Order,
    input: { courier: string; waybill: string },
    meta: { accountId: string; ip: string | null },
  ) {
    if (order.delivery_method !== "mail") {
      throw invalidField("waybill", "该订单未选择邮寄材料，请先在「材料递交方式」中选择邮寄");
    }
    if (!stepAllowed(order, "receive_materials")) {
      throw new AppError("INVALID_STATE", "订单当前不在等待材料的阶段，不能登记快递单号", {
        field: "waybill",
      });
    }
    const now = iso(clock());
    return db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom("inbound_mail")
        .selectAll()
        .where("order_id", "=", order.id)
        .executeTakeFirst();
      if (before?.received_at) {
        throw new AppError("INVALID_STATE", "窗口已签收您的邮件，快递单号不能再修改", { field: "waybill" });
      }
      const row = { courier: input.courier, waybill: input.waybill, declared_at: now };
      await trx
        .insertInto("inbound_mail")
        .values({ order_id: order.id, ...row, received_at: null, received_by: null })
        .onConflict((oc) => oc.column("order_id").doUpdateSet(row))
        .execute();
      await appendAudit(trx, {
        at: clock(),
        actorType: "applicant",
        actorId: meta.accountId,
        action: "order.mail_declared",
        objectType: "order",
        objectId: order.id,
        detail: {
          orderNo: order.order_no,
          before: before ? { courier: before.courier, waybill: before.waybill } : null,
          after: { courier: input.courier, waybill: input.waybill },
        },
        ip: meta.ip,
      });
      return { ...row, receivedAt: null };
    });
  }

  async function of(orderId: string) {
    const r = await db
      .selectFrom("inbound_mail")
      .selectAll()
      .where("order_id", "=", orderId)
      .executeTakeFirst();
    return r
      ? { courier: r.courier, waybill: r.waybill, declaredAt: r.declared_at, receivedAt: r.received_at }
      : null;
  }

  /** 签收: the window has the envelope with this waybill; answers its order (the operator then ticks materials). */
  async function receive(waybill: string, meta: { staffId: string; ip: string | null }) {
    const now = clock();
    return db.transaction().execute(async (trx) => {
      const mails = await trx
        .selectFrom("inbound_mail")
        .innerJoin("orders", "orders.id", "inbound_mail.order_id")
        .selectAll("orders")
        .select(["inbound_mail.received_at as mail_received_at", "inbound_mail.courier"])
        .where("inbound_mail.waybill", "=", waybill)
        .execute();
      if (mails.length === 0) throw notFound(`快递单号 ${waybill} 对应的订单`);
      if (mails.length > 1) {
        throw invalidField("waybill", `快递单号 ${waybill} 登记在 ${mails.length} 个订单上，请按订单号查找`);
      }
      const order = mails[0]!;
      await assertNotOwnOrder(trx, meta.staffId, order);
      if (!order.mail_received_at) {
        await trx
          .updateTable("inbound_mail")
          .set({ received_at: iso(now), received_by: meta.staffId })
          .where("order_id", "=", order.id)
          .execute();
        await appendAudit(trx, {
          at: now,
          actorType: "staff",
          actorId: meta.staffId,
          action: "order.mail_received",
          objectType: "order",
          objectId: order.id,
          detail: { orderNo: order.order_no, courier: order.courier, waybill },
          ip: meta.ip,
        });
      }
      return { orderId: order.id, orderNo: order.order_no, alreadyReceived: order.mail_received_at !== null };
    });
  }

  return { declare, of, receive };
}
