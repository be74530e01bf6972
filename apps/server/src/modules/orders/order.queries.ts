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

/**
 * Order items with their subject and CA type: the one join every view of an order's items uses. The
 * subject's values are those of the version the item was filed with (DESIGN §8: a receipt keeps the
 * name of its day), the current ones for an item from before versions.
 */
export function orderItemRows(q: Db | Trx) {
  return q
    .selectFrom("order_items")
    .innerJoin("subjects", "subjects.id", "order_items.subject_id")
    .leftJoin("subject_versions as sv", "sv.id", "order_items.subject_version_id")
    .innerJoin("ca_types", "ca_types.id", "order_items.ca_type_id")
    .select((eb) => [
      eb.fn.coalesce("sv.name", "subjects.name").as("subject_name"),
      eb.fn.coalesce("sv.identity_key", "subjects.identity_key").as("subject_identity"),
      eb.fn.coalesce("sv.legal_rep", "subjects.legal_rep").as("subject_legal_rep"),
      eb.fn.coalesce("sv.address", "subjects.address").as("subject_address"),
    ])
    .select([
      "order_items.subject_version_id",
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
      "ca_types.id as ca_type_id",
      "ca_types.name as ca_type_name",
      "ca_types.profile as ca_type_profile",
    ]);
}
