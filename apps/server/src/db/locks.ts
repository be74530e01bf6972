import type { Trx } from "./database";

/** The rows of the `locks` table (migration 0008). */
export type LockName = "sms_codes.send";

/**
 * Queues the caller's transaction behind any other holding `name`, until it ends: a no-op update takes
 * the row lock (the portable "SELECT … FOR UPDATE"); SQLite serialises writers anyway. Checks that read
 * before they write (the 60 s between SMS codes) are then atomic on PostgreSQL too.
 */
export async function takeLock(trx: Trx, name: LockName): Promise<void> {
  await trx
    .updateTable("locks")
    .set((eb) => ({ name: eb.ref("name") }))
    .where("name", "=", name)
    .execute();
}
