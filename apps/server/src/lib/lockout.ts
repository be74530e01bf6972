import type { Db } from "../db/database";
import { AppError } from "../errors";
import { addSeconds, type Clock, iso } from "./clock";

/** DESIGN §4: lockout after repeated failures. Five wrong passwords lock the account for 15 minutes. */
export const LOCKOUT = { maxFailures: 5, lockSeconds: 15 * 60 } as const;

type LockableTable = "accounts" | "staff";

export function assertNotLocked(row: { locked_until: string | null }, clock: Clock): void {
  if (row.locked_until && row.locked_until > iso(clock())) {
    const seconds = Math.ceil((new Date(row.locked_until).getTime() - clock().getTime()) / 1000);
    throw new AppError(
      "ACCOUNT_LOCKED",
      `密码错误次数过多，账号已锁定，请 ${Math.ceil(seconds / 60)} 分钟后再试或找回密码`,
      {
        retryAfterSeconds: seconds,
      },
    );
  }
}

/** Records a failed attempt; returns how many tries are left (0 = now locked). */
export async function recordFailure(db: Db, clock: Clock, table: LockableTable, id: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom(table)
      .select(["failed_logins"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    const failures = row.failed_logins + 1;
    const locked = failures >= LOCKOUT.maxFailures;
    await trx
      .updateTable(table)
      .set({
        failed_logins: locked ? 0 : failures,
        locked_until: locked ? iso(addSeconds(clock(), LOCKOUT.lockSeconds)) : null,
      })
      .where("id", "=", id)
      .execute();
    return locked ? 0 : LOCKOUT.maxFailures - failures;
  });
}
