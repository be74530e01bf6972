import type { Db, Trx } from "../../db/database";
import type { Order } from "../../db/tables.orders";
import { notFound } from "../../errors";

/** An applicant's own order; anyone else's id is "not found", never "forbidden" (no probing). */
export async function findOwnedOrder(q: Db | Trx, accountId: string, orderId: string): Promise<Order> {
  const o = await q
    .selectFrom("orders")
    .selectAll()
    .where("id", "=", orderId)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  if (!o) throw notFound("订单");
  return o;
}

/** Order items with their subject and CA type: the one join every view of an order's items uses. */
export function orderItemRows(q: Db | Trx) {
  return q
    .selectFrom("order_items")
    .innerJoin("subjects", "subjects.id", "order_items.subject_id")
    .innerJoin("ca_types", "ca_types.id", "order_items.ca_type_id")
    .select([
      "order_items.id",
      "order_items.order_id",
      "order_items.position",
      "order_items.years",
      "order_items.eseal",
      "order_items.fee_lines",
      "order_items.amount_fen",
      "order_items.certificate_serial",
      "order_items.media_serial",
      "order_items.target_serial",
      "order_items.details",
      "subjects.id as subject_id",
      "subjects.kind as subject_kind",
      "subjects.name as subject_name",
      "subjects.identity_key as subject_identity",
      "subjects.legal_rep as subject_legal_rep",
      "subjects.address as subject_address",
      "ca_types.id as ca_type_id",
      "ca_types.name as ca_type_name",
      "ca_types.profile as ca_type_profile",
    ]);
}
