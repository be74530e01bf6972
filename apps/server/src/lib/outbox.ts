import type { ExpressionBuilder } from "kysely";
import type { Db } from "../db/database";
import type { Database } from "../db/tables";
import { addSeconds, iso } from "./clock";

/** The outboxes that share the claim-with-a-lease delivery (SMS and email). */
export type OutboxTable = "sms_outbox" | "email_outbox";

/**
 * The rows of `table` due at `now` (pending and due, or sending with an expired lease), each claimed
 * with a conditional update (→ sending, leased for `leaseSeconds`), so two workers never deliver the
 * same row and a worker that died mid-send leaves a lease that expires. Returns the claimed ids,
 * oldest due first.
 */
export async function claimDueOutboxRows(
  db: Db,
  table: OutboxTable,
  now: Date,
  batch: number,
  leaseSeconds: number,
): Promise<string[]> {
  const due = (eb: ExpressionBuilder<Database, OutboxTable>) =>
    eb.or([
      eb.and([eb("status", "=", "pending"), eb("next_attempt_at", "<=", iso(now))]),
      eb.and([eb("status", "=", "sending"), eb("lease_until", "<", iso(now))]),
    ]);
  const rows = await db
    .selectFrom(table)
    .select("id")
    .where(due)
    .orderBy("next_attempt_at")
    .limit(batch)
    .execute();
  const claimed: string[] = [];
  for (const { id } of rows) {
    const r = await db
      .updateTable(table)
      .set({ status: "sending", lease_until: iso(addSeconds(now, leaseSeconds)) })
      .where("id", "=", id)
      .where(due)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) claimed.push(id);
  }
  return claimed;
}
