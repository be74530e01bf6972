import { sql } from "kysely";
import type { DbHandle } from "../db/database";

/**
 * Runs `job` unless the job of that name is already running somewhere, and says whether it ran.
 * Scheduled work (SMS outbox, reminders, CRL re-signing, audit anchors) goes through this so that
 * several instances do it once (DESIGN §10): a pass that finds the job taken is skipped, the next tick
 * tries again. Each job is also safe to repeat (rows are claimed or keyed), so the lock spares the work
 * and the races, not correctness.
 */
export type RunExclusive = (name: string, job: () => Promise<void>) => Promise<boolean>;

/** One process (SQLite, the embedded default): jobs of one name never overlap in this process. */
export function inProcessExclusive(): RunExclusive {
  const running = new Set<string>();
  return async (name, job) => {
    if (running.has(name)) return false;
    running.add(name);
    try {
      await job();
      return true;
    } finally {
      running.delete(name);
    }
  };
}

/**
 * PostgreSQL: a session advisory lock held on one reserved connection while the job runs (the job
 * itself uses the pool's other connections). The lock is per database, so its key is the schema plus
 * the name; a holder killed with -9 loses its connection and with it the lock, so nothing is left to
 * expire. Jobs of one name never overlap in this process either (a second caller would otherwise take
 * the same session lock again, which PostgreSQL grants re-entrantly).
 */
export function advisoryLockExclusive(db: DbHandle["db"]): RunExclusive {
  const local = inProcessExclusive();
  return (name, job) => {
    let ran = false;
    return local(name, () =>
      db.connection().execute(async (conn) => {
        const key = sql`hashtextextended(current_schema() || ':certhall-job:' || ${name}, 0)`;
        const got = await sql<{ ok: boolean }>`select pg_try_advisory_lock(${key}) as ok`.execute(conn);
        if (!got.rows[0]?.ok) return;
        try {
          ran = true;
          await job();
        } finally {
          await sql`select pg_advisory_unlock(${key})`.execute(conn);
        }
      }),
    ).then((localRan) => localRan && ran);
  };
}

export function exclusiveFor(handle: DbHandle): RunExclusive {
  return handle.kind === "postgres" ? advisoryLockExclusive(handle.db) : inProcessExclusive();
}

/**
 * Runs `job` after any other instance's job of that name has finished (waits, unlike RunExclusive):
 * start-up steps that must not race when several instances start together on a fresh database
 * (seed, the CA hierarchy). SQLite has one process: it just runs.
 */
export async function serialized<T>(handle: DbHandle, name: string, job: () => Promise<T>): Promise<T> {
  if (handle.kind !== "postgres") return job();
  return handle.db.connection().execute(async (conn) => {
    const key = sql`hashtextextended(current_schema() || ':certhall-step:' || ${name}, 0)`;
    await sql`select pg_advisory_lock(${key})`.execute(conn);
    try {
      return await job();
    } finally {
      await sql`select pg_advisory_unlock(${key})`.execute(conn);
    }
  });
}
