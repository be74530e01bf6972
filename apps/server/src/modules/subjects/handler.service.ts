import { maskIdCard, maskPhone, validateIdCard, validateMobile } from "@certhall/domain";
import type { Db, Trx } from "../../db/database";
import type { HandlersTable } from "../../db/tables.orders";
import { invalidField, notFound } from "../../errors";
import { iso, newId } from "../../lib/clock";

export type Handler = HandlersTable;

export interface HandlerInput {
  name: string;
  idNumber: string;
  phone: string;
}

/** The list row: 身份证号 and mobile masked (DESIGN §7), the name in full (it is the account's own handler). */
export function presentHandlerSummary(h: Handler) {
  return {
    id: h.id,
    name: h.name,
    idNumberMasked: maskIdCard(h.id_number),
    phoneMasked: maskPhone(h.phone),
    lastUsedAt: h.last_used_at,
  };
}

/** The full record, for pre-filling the next order's 经办人 fields (owner only). */
export function presentHandler(h: Handler) {
  return { id: h.id, name: h.name, idNumber: h.id_number, phone: h.phone, lastUsedAt: h.last_used_at };
}

/**
 * Remembers the handler (经办人) of an order for the account's next one, inside the caller's transaction
 * (the order service's submit). One row per 身份证号 and account: a known handler gets the name and
 * mobile just entered and moves to the top. Values are validated again here, because this is a service
 * entry point and a bad ID number must never be stored; field names match the order form's `handler.*`.
 */
export async function rememberHandler(
  trx: Trx | Db,
  accountId: string,
  input: HandlerInput,
  now: Date,
): Promise<Handler> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100)
    throw invalidField("handler.name", "请填写经办人姓名（最多 100 个字符）");
  const id = validateIdCard(input.idNumber);
  if (!id.ok) throw invalidField("handler.idNumber", id.reason);
  const phone = validateMobile(input.phone);
  if (!phone.ok) throw invalidField("handler.phone", phone.reason);
  const at = iso(now);
  // INSERT … ON CONFLICT DO UPDATE: one statement on SQLite and PostgreSQL, so two orders submitted at
  // once with the same handler cannot both insert.
  await trx
    .insertInto("handlers")
    .values({
      id: newId(),
      account_id: accountId,
      name,
      id_number: id.value,
      phone: phone.value,
      last_used_at: at,
    })
    .onConflict((oc) =>
      oc.columns(["account_id", "id_number"]).doUpdateSet({ name, phone: phone.value, last_used_at: at }),
    )
    .execute();
  return trx
    .selectFrom("handlers")
    .selectAll()
    .where("account_id", "=", accountId)
    .where("id_number", "=", id.value)
    .executeTakeFirstOrThrow();
}

/** The account's remembered handlers, most recently used first. */
export async function listHandlers(db: Db, accountId: string, limit = 50): Promise<Handler[]> {
  return db
    .selectFrom("handlers")
    .selectAll()
    .where("account_id", "=", accountId)
    .orderBy("last_used_at", "desc")
    .orderBy("id")
    .limit(limit)
    .execute();
}

/** One remembered handler of the account; another account's id answers 404 like an unknown one. */
export async function getOwnedHandler(db: Db | Trx, accountId: string, id: string): Promise<Handler> {
  const h = await db
    .selectFrom("handlers")
    .selectAll()
    .where("id", "=", id)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  if (!h) throw notFound("经办人");
  return h;
}
