// Group commit: concurrent writers share one database transaction. Each job is still written whole
// (all its rows and its audit entry together) and no caller hears back before the commit. One
// BEGIN/COMMIT and one audit-head lock per batch instead of per job is what lets issuance keep up with
// the signing (bench/issue-http.ts). If a batch fails, its jobs are retried one transaction each, so
// one bad job fails alone.
import type { Db, Trx } from "../../db/database";

const GROUP_MAX = 128;

export function createGroupCommit<T>(persist: (trx: Trx, batch: T[]) => Promise<void>, db: Db) {
  type Job = { rows: T; resolve: () => void; reject: (e: unknown) => void };
  let pending: Job[] = [];
  let flushing = false;

  async function retryAlone(batch: Job[]): Promise<void> {
    for (const job of batch) {
      try {
        await db.transaction().execute((trx) => persist(trx, [job.rows]));
        job.resolve();
      } catch (err) {
        job.reject(err);
      }
    }
  }

  async function flush(): Promise<void> {
    flushing = true;
    try {
      while (pending.length > 0) {
        const batch = pending.slice(0, GROUP_MAX);
        pending = pending.slice(batch.length);
        try {
          await db.transaction().execute((trx) =>
            persist(
              trx,
              batch.map((j) => j.rows),
            ),
          );
          for (const job of batch) job.resolve();
        } catch (batchErr) {
          if (batch.length === 1) batch[0]!.reject(batchErr);
          else await retryAlone(batch);
        }
      }
    } finally {
      flushing = false;
    }
  }

  return (rows: T): Promise<void> =>
    new Promise((resolve, reject) => {
      pending.push({ rows, resolve, reject });
      if (!flushing) void flush();
    });
}
