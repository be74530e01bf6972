import type { Db } from "../db/database";
import { AppError } from "../errors";
import { appendAudit } from "../modules/audit/audit.service";
import { addSeconds, type Clock, iso } from "./clock";
import { dummyHash, verifyPassword } from "./password";

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

/**
 * Records a failed attempt; returns how many tries are left (0 = now locked). Locking writes its
 * audit entry in the same transaction as the lock itself.
 */
export async function recordFailure(
  db: Db,
  clock: Clock,
  table: LockableTable,
  id: string,
  ip: string | null = null,
): Promise<number> {
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
    if (locked) {
      const objectType = table === "accounts" ? "account" : "staff";
      await appendAudit(trx, {
        at: clock(),
        actorType: "system",
        actorId: null,
        action: `${objectType}.locked`,
        objectType,
        objectId: id,
        ip,
      });
    }
    return locked ? 0 : LOCKOUT.maxFailures - failures;
  });
}

/**
 * The login check shared by applicants and staff: an unknown identifier costs the same argon2 time as
 * a known one; a locked account is refused before the password is tried; each failure counts toward
 * the lockout. `who` names the identifier in the message ("手机号" / "用户名").
 */
export async function checkLoginPassword(
  db: Db,
  clock: Clock,
  opts: {
    table: LockableTable;
    row: { id: string; password_hash: string; locked_until: string | null } | undefined;
    password: string;
    who: string;
    lockedHint?: string;
    ip: string | null;
  },
): Promise<void> {
  const { row } = opts;
  if (!row) {
    await verifyPassword(await dummyHash(), opts.password);
    throw new AppError("LOGIN_FAILED", `${opts.who}或密码错误`, { field: "password" });
  }
  assertNotLocked(row, clock);
  if (await verifyPassword(row.password_hash, opts.password)) return;
  const left = await recordFailure(db, clock, opts.table, row.id, opts.ip);
  if (left === 0) {
    throw new AppError("ACCOUNT_LOCKED", `密码错误次数过多，账号已锁定 15 分钟${opts.lockedHint ?? ""}`, {
      retryAfterSeconds: LOCKOUT.lockSeconds,
    });
  }
  throw new AppError("LOGIN_FAILED", `${opts.who}或密码错误，还可尝试 ${left} 次`, { field: "password" });
}
