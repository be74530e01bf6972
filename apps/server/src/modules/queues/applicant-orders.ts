import type { BusinessCode, OrderState } from "@certhall/domain";
import type { Db } from "../../db/database";
import { decodeCursor, encodeCursor, searchOrderIds } from "./queue.list";

/**
 * 「我的订单」 as a keyset walk, newest change first: (account_id, updated_at, id) is the
 * `orders_account_keyset` index of migration 0018, so a page costs the same however many orders the
 * account and the table hold. The cursor is the last row's (updated_at, id).
 */
export async function listApplicantOrders(
  db: Db,
  accountId: string,
  filter: { states?: OrderState[]; business?: BusinessCode; q?: string },
  page: { limit: number; after?: string },
) {
  let q = db.selectFrom("orders").selectAll().where("account_id", "=", accountId);
  if (filter.states?.length) q = q.where("state", "in", filter.states);
  if (filter.business) q = q.where("business", "=", filter.business);
  if (filter.q) {
    const term = filter.q;
    q = q.where("id", "in", () => searchOrderIds(db, term));
  }
  if (page.after) {
    const [u, id] = decodeCursor(page.after);
    q = q.where((eb) => eb(eb.refTuple("updated_at", "id"), "<", eb.tuple(u, id)));
  }
  const rows = await q
    .orderBy("updated_at", "desc")
    .orderBy("id", "desc")
    .limit(page.limit + 1)
    .execute();
  const pageRows = rows.slice(0, page.limit);
  const last = pageRows.at(-1);
  return {
    rows: pageRows,
    hasMore: rows.length > page.limit,
    next: rows.length > page.limit && last ? encodeCursor(last.updated_at, last.id) : null,
  };
}
