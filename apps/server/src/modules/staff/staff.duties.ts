import type { Db, Trx } from "../../db/database";
import type { Order } from "../../db/tables.orders";
import { forbidden } from "../../errors";

/**
 * Separation of duties (issue 18 item 9e): a staff member whose own mobile or ID number is the order's
 * applicant account's or handler's may not decide, book, process or issue it. Called by every staff
 * step of the order machine (applyTransition) and by the window's steps that change no state.
 */
export async function assertNotOwnOrder(
  q: Db | Trx,
  staffId: string,
  order: Pick<Order, "account_id" | "handler_phone" | "handler_id_number">,
): Promise<void> {
  const me = await q
    .selectFrom("staff")
    .select(["phone", "id_number"])
    .where("id", "=", staffId)
    .executeTakeFirst();
  if (!me?.phone && !me?.id_number) return;
  const account = await q
    .selectFrom("accounts")
    .select("phone")
    .where("id", "=", order.account_id)
    .executeTakeFirst();
  const samePhone = me.phone !== null && [order.handler_phone, account?.phone].includes(me.phone);
  const sameId = me.id_number !== null && me.id_number === order.handler_id_number.toUpperCase();
  if (samePhone || sameId) {
    throw forbidden(
      "职责分离：该订单的申请账号或经办人与您本人的手机号或身份证号相同，不能由您办理，请交由其他工作人员",
    );
  }
}
