import { createHash } from "node:crypto";
import type { Db, Trx } from "../../db/database";
import type { AuditEntry } from "../../db/tables";

export interface AuditInput {
  at: Date;
  actorType: "applicant" | "staff" | "system";
  actorId: string | null;
  action: string;
  objectType?: string | null;
  objectId?: string | null;
  detail?: Record<string, unknown>;
  ip?: string | null;
}

export const AUDIT_GENESIS = "0".repeat(64);

/** The hash covers every stored field and the previous hash, so editing any of them breaks the chain. */
function entryHash(e: Omit<AuditEntry, "hash">): string {
  const canonical = JSON.stringify([
    e.seq,
    e.at,
    e.actor_type,
    e.actor_id,
    e.action,
    e.object_type,
    e.object_id,
    e.detail,
    e.ip,
    e.prev_hash,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * Appends entries inside the caller's transaction, in order. A no-op update of the head row takes its
 * row lock first (portable "SELECT … FOR UPDATE"), so on PostgreSQL concurrent appends queue up behind
 * each other and each reads the head the previous one committed; SQLite serialises writers anyway.
 * The lock is held until the transaction ends, so callers append as the LAST step of a transaction:
 * the shorter the time after the lock, the more transactions per second get through.
 */
export async function appendAuditEntries(trx: Trx, inputs: readonly AuditInput[]): Promise<number> {
  await trx
    .updateTable("audit_head")
    .set((eb) => ({ seq: eb.ref("seq") }))
    .where("id", "=", 1)
    .execute();
  const head = await trx.selectFrom("audit_head").selectAll().where("id", "=", 1).executeTakeFirst();
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? AUDIT_GENESIS;
  const rows: AuditEntry[] = [];
  for (const input of inputs) {
    const row: Omit<AuditEntry, "hash"> = {
      seq: ++seq,
      at: input.at.toISOString(),
      actor_type: input.actorType,
      actor_id: input.actorId,
      action: input.action,
      object_type: input.objectType ?? null,
      object_id: input.objectId ?? null,
      detail: JSON.stringify(input.detail ?? {}),
      ip: input.ip ?? null,
      prev_hash: prev,
    };
    prev = entryHash(row);
    rows.push({ ...row, hash: prev });
  }
  if (rows.length === 0) return seq;
  await trx.insertInto("audit_log").values(rows).execute();
  // The head row exists from the first migration on (seq 0, genesis hash).
  await trx.updateTable("audit_head").set({ seq, hash: prev }).where("id", "=", 1).execute();
  return seq;
}

export function appendAudit(trx: Trx, input: AuditInput): Promise<number> {
  return appendAuditEntries(trx, [input]);
}

export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  firstBad?: { seq: number; problem: string };
}

/** Walks the chain in order and reports the first altered, missing or reordered entry. */
export async function verifyAuditChain(db: Db, batchSize = 1000): Promise<AuditVerifyResult> {
  let prevHash = AUDIT_GENESIS;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const rows = await db
      .selectFrom("audit_log")
      .selectAll()
      .where("seq", ">=", expectedSeq)
      .orderBy("seq")
      .limit(batchSize)
      .execute();
    for (const r of rows) {
      if (r.seq !== expectedSeq)
        return {
          ok: false,
          checked,
          firstBad: { seq: expectedSeq, problem: `第 ${expectedSeq} 条记录缺失` },
        };
      if (r.prev_hash !== prevHash)
        return {
          ok: false,
          checked,
          firstBad: { seq: r.seq, problem: `第 ${r.seq} 条记录与前一条的链接不符` },
        };
      const { hash, ...rest } = r;
      if (entryHash(rest) !== hash)
        return { ok: false, checked, firstBad: { seq: r.seq, problem: `第 ${r.seq} 条记录内容被修改` } };
      prevHash = hash;
      expectedSeq++;
      checked++;
    }
    if (rows.length < batchSize) break;
  }
  const head = await db.selectFrom("audit_head").selectAll().where("id", "=", 1).executeTakeFirst();
  const headSeq = head?.seq ?? 0;
  if (!head || headSeq !== checked || head.hash !== prevHash) {
    return {
      ok: false,
      checked,
      firstBad: { seq: checked + 1, problem: `链尾记录缺失：应有 ${headSeq} 条，实有 ${checked} 条` },
    };
  }
  return { ok: true, checked };
}

export async function listAudit(db: Db, opts: { limit: number; before?: number }) {
  let q = db.selectFrom("audit_log").selectAll().orderBy("seq", "desc").limit(opts.limit);
  if (opts.before !== undefined) q = q.where("seq", "<", opts.before);
  return q.execute();
}
