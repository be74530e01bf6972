// The one-time codes of item_authorisations (证书在线更新 and 解锁) travel in request bodies, never in a
// URL, and a refused use counts against the code: an online-update code is void after one refusal (its
// first use must succeed; a code copied by someone else is then useless to them), an unlock code after
// three (a clerk's user may plug in the wrong key once or twice). A fault of ours (500) does not count.
import type { Db } from "../db/database";
import type { ItemAuthorisationsTable } from "../db/tables.orders";
import { AppError } from "../errors";
import { appendAudit } from "../modules/audit/audit.service";
import type { Clock } from "./clock";

type Purpose = ItemAuthorisationsTable["purpose"];

export const REFUSED_USES_MAX: Record<Purpose, number> = { online_update: 1, unlock: 3 };

/** Whether the code's refused uses have voided it. */
export const voidedByRefusals = (auth: { purpose: Purpose; refused_uses: number }): boolean =>
  auth.refused_uses >= REFUSED_USES_MAX[auth.purpose];

interface LiveCode {
  id: string;
  order_id: string;
  item_id: string;
  purpose: Purpose;
}

/**
 * Runs one use of a live code. When the use is refused (an AppError: a bad request, the wrong key or
 * token), its transaction has rolled back; the refusal is then counted and audited in a commit of its
 * own, and the refusal is rethrown unchanged.
 */
export async function countingRefusals<T>(
  deps: { db: Db; clock: Clock },
  auth: LiveCode,
  ip: string | null,
  use: () => Promise<T>,
): Promise<T> {
  try {
    return await use();
  } catch (err) {
    if (err instanceof AppError) await countRefusal(deps, auth, err, ip);
    throw err;
  }
}

async function countRefusal(
  deps: { db: Db; clock: Clock },
  auth: LiveCode,
  err: AppError,
  ip: string | null,
) {
  await deps.db.transaction().execute(async (trx) => {
    const counted = await trx
      .updateTable("item_authorisations")
      .set((eb) => ({ refused_uses: eb("refused_uses", "+", 1) }))
      .where("id", "=", auth.id)
      .where("done_at", "is", null)
      .executeTakeFirst();
    if (Number(counted.numUpdatedRows) !== 1) return; // done meanwhile (a concurrent use succeeded)
    const row = await trx
      .selectFrom("item_authorisations")
      .select("refused_uses")
      .where("id", "=", auth.id)
      .executeTakeFirstOrThrow();
    await appendAudit(trx, {
      at: deps.clock(),
      actorType: "system",
      actorId: null,
      action: auth.purpose === "unlock" ? "order.unlock_refused" : "order.online_update_refused",
      objectType: "order",
      objectId: auth.order_id,
      detail: {
        authorisationId: auth.id,
        itemId: auth.item_id,
        reason: err.code,
        field: err.field ?? null,
        refusedUses: row.refused_uses,
        voided: voidedByRefusals({ purpose: auth.purpose, refused_uses: row.refused_uses }),
      },
      ip,
    });
  });
}
