import type { Db, Trx } from "../../db/database";
import type { SessionRealm } from "../../db/tables";
import { addSeconds, type Clock, iso } from "../../lib/clock";
import { randomToken, sha256Hex } from "../../lib/tokens";

/** Idle and absolute lifetimes. Staff sessions are short: they act on other people's orders. */
export const SESSION_POLICY: Record<
  SessionRealm,
  { idleSeconds: number; absoluteSeconds: number; cookie: string }
> = {
  applicant: { idleSeconds: 24 * 3600, absoluteSeconds: 7 * 24 * 3600, cookie: "certhall_sid" },
  staff: { idleSeconds: 30 * 60, absoluteSeconds: 12 * 3600, cookie: "certhall_staff_sid" },
};

// last_seen_at is written at most once a minute per session, not on every request.
const TOUCH_INTERVAL_MS = 60_000;

export interface SessionContext {
  sessionId: string;
  subjectId: string;
  realm: SessionRealm;
}

export async function createSession(
  trx: Trx | Db,
  clock: Clock,
  realm: SessionRealm,
  subjectId: string,
  meta: { ip?: string | null; userAgent?: string | null },
): Promise<{ token: string; id: string; expiresAt: Date }> {
  const token = randomToken();
  const id = sha256Hex(token);
  const now = clock();
  const expiresAt = addSeconds(now, SESSION_POLICY[realm].absoluteSeconds);
  await trx
    .insertInto("sessions")
    .values({
      id,
      realm,
      subject_id: subjectId,
      created_at: iso(now),
      last_seen_at: iso(now),
      expires_at: iso(expiresAt),
      revoked_at: null,
      ip: meta.ip ?? null,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return { token, id, expiresAt };
}

export async function resolveSession(
  db: Db,
  clock: Clock,
  realm: SessionRealm,
  token: string | undefined,
): Promise<SessionContext | null> {
  if (!token || token.length > 100) return null;
  const id = sha256Hex(token);
  const row = await db.selectFrom("sessions").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row || row.realm !== realm || row.revoked_at) return null;
  const now = clock();
  if (row.expires_at <= iso(now)) return null;
  const idleLimit = addSeconds(new Date(row.last_seen_at), SESSION_POLICY[realm].idleSeconds);
  if (idleLimit <= now) return null;
  if (now.getTime() - new Date(row.last_seen_at).getTime() > TOUCH_INTERVAL_MS) {
    await db
      .updateTable("sessions")
      .set({ last_seen_at: iso(now) })
      .where("id", "=", id)
      .execute();
  }
  return { sessionId: id, subjectId: row.subject_id, realm };
}

export async function revokeSession(trx: Trx | Db, clock: Clock, id: string): Promise<void> {
  await trx
    .updateTable("sessions")
    .set({ revoked_at: iso(clock()) })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .execute();
}

/** After a password change or reset every other session of the subject ends. */
export async function revokeAllSessions(
  trx: Trx | Db,
  clock: Clock,
  realm: SessionRealm,
  subjectId: string,
  exceptId?: string,
): Promise<void> {
  let q = trx
    .updateTable("sessions")
    .set({ revoked_at: iso(clock()) })
    .where("realm", "=", realm)
    .where("subject_id", "=", subjectId)
    .where("revoked_at", "is", null);
  if (exceptId) q = q.where("id", "!=", exceptId);
  await q.execute();
}

export async function listActiveSessions(db: Db, clock: Clock, realm: SessionRealm, subjectId: string) {
  return db
    .selectFrom("sessions")
    .select(["id", "created_at", "last_seen_at", "ip", "user_agent"])
    .where("realm", "=", realm)
    .where("subject_id", "=", subjectId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", iso(clock()))
    .orderBy("last_seen_at", "desc")
    .execute();
}
