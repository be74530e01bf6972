import { sql } from "kysely";
import type { Db, Trx } from "../db/database";
import type { SessionRealm } from "../db/tables";
import { AppError } from "../errors";
import { appendAudit } from "../modules/audit/audit.service";
import { addSeconds, type Clock, iso } from "./clock";
import { dummyHash, verifyPassword } from "./password";
import { sha256Hex } from "./tokens";

/** DESIGN §4: lockout after repeated failures. Five wrong passwords lock the account for 15 minutes. */
export const LOCKOUT = { maxFailures: 5, lockSeconds: 15 * 60 } as const;

/**
 * The lockout row of an identifier as typed (phone or username), registered or not: unknown ones are
 * counted and locked exactly like known ones, so the answers do not tell which accounts exist.
 */
export function lockoutKey(realm: SessionRealm, identifier: string): string {
  return sha256Hex(`login:${realm}:${identifier}`);
}

/**
 * Takes one try before the password is checked, in one statement: it counts the try and, at the
 * fifth, locks; a locked key gives none. Concurrent requests queue on the row, so however many arrive
 * at once, at most five passwords are checked per lock period and a failure never clears a lock.
 * Returns the tries left after this one (0: this one locked), or null when the key is locked.
 */
async function takeTry(db: Db, clock: Clock, key: string): Promise<number | null> {
  const now = iso(clock());
  const until = iso(addSeconds(clock(), LOCKOUT.lockSeconds));
  const reaches = sql<boolean>`login_lockouts.failed_logins + 1 >= ${LOCKOUT.maxFailures}`;
  const row = await db
    .insertInto("login_lockouts")
    .values({ key, failed_logins: 1, locked_until: null, updated_at: now })
    .onConflict((oc) =>
      oc
        .column("key")
        .doUpdateSet({
          failed_logins: sql`case when ${reaches} then 0 else login_lockouts.failed_logins + 1 end`,
          locked_until: sql`case when ${reaches} then ${until} else login_lockouts.locked_until end`,
          updated_at: now,
        })
        .where((eb) =>
          eb.or([
            eb("login_lockouts.locked_until", "is", null),
            eb("login_lockouts.locked_until", "<=", now),
          ]),
        ),
    )
    .returning(["failed_logins", "locked_until"])
    .executeTakeFirst();
  if (!row) return null;
  return row.failed_logins === 0 ? 0 : LOCKOUT.maxFailures - row.failed_logins;
}

function lockedError(seconds: number, hint: string): AppError {
  return new AppError(
    "ACCOUNT_LOCKED",
    `密码错误次数过多，账号已锁定，请 ${Math.ceil(seconds / 60)} 分钟后再试${hint}`,
    { retryAfterSeconds: seconds },
  );
}

/** A success (or a password reset) starts the count over, in the caller's transaction. */
export async function clearLockout(trx: Trx, key: string): Promise<void> {
  await trx.deleteFrom("login_lockouts").where("key", "=", key).execute();
}

/**
 * Checks a password against the lockout of `key`. `hash` is undefined for an unknown identifier: the
 * same argon2 time is spent (also when locked), and the same tries are counted. Throws ACCOUNT_LOCKED
 * when locked (already, or by this failure, whose audit entry names `audit` when the account exists);
 * otherwise answers whether the password was right and, if not, how many tries are left.
 */
export async function checkPassword(
  db: Db,
  clock: Clock,
  opts: {
    key: string;
    hash: string | undefined;
    password: string;
    lockedHint?: string;
    audit?: { objectType: "account" | "staff"; objectId: string; ip: string | null };
  },
): Promise<{ ok: true } | { ok: false; left: number }> {
  const hint = opts.lockedHint ?? "";
  const left = await takeTry(db, clock, opts.key);
  if (left === null) {
    await verifyPassword(await dummyHash(), opts.password);
    const row = await db
      .selectFrom("login_lockouts")
      .select("locked_until")
      .where("key", "=", opts.key)
      .executeTakeFirst();
    const ms = row?.locked_until ? new Date(row.locked_until).getTime() - clock().getTime() : 0;
    throw lockedError(Math.max(1, Math.ceil(ms / 1000)), hint);
  }
  const matches = await verifyPassword(opts.hash ?? (await dummyHash()), opts.password);
  if (matches && opts.hash !== undefined) return { ok: true };
  if (left > 0) return { ok: false, left };
  const audit = opts.audit;
  if (audit) {
    await db.transaction().execute((trx) =>
      appendAudit(trx, {
        at: clock(),
        actorType: "system",
        actorId: null,
        action: `${audit.objectType}.locked`,
        objectType: audit.objectType,
        objectId: audit.objectId,
        ip: audit.ip,
      }),
    );
  }
  throw lockedError(LOCKOUT.lockSeconds, hint);
}

/**
 * The login check shared by applicants and staff: known and unknown identifiers get the same answers
 * (same message, status, count of tries left and argon2 time). `who` names the identifier in the
 * message ("手机号" / "用户名").
 */
export async function checkLoginPassword(
  db: Db,
  clock: Clock,
  opts: {
    realm: SessionRealm;
    identifier: string;
    row: { id: string; password_hash: string } | undefined;
    password: string;
    who: string;
    lockedHint?: string;
    ip: string | null;
  },
): Promise<void> {
  const { row } = opts;
  const result = await checkPassword(db, clock, {
    key: lockoutKey(opts.realm, opts.identifier),
    hash: row?.password_hash,
    password: opts.password,
    lockedHint: opts.lockedHint,
    audit: row && {
      objectType: opts.realm === "applicant" ? "account" : "staff",
      objectId: row.id,
      ip: opts.ip,
    },
  });
  if (!result.ok) {
    throw new AppError("LOGIN_FAILED", `${opts.who}或密码错误，还可尝试 ${result.left} 次`, {
      field: "password",
    });
  }
}
