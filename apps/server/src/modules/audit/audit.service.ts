import { createHash, createHmac } from "node:crypto";
import { availableParallelism } from "node:os";
import { auditKeyOf, type Db, type Trx } from "../../db/database";
import type { AuditEntry } from "../../db/tables";
import { createHashPool, type HashJob } from "./audit.hash-pool";

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

/** hash_version 1: plain SHA-256 (entries of earlier versions); 2: HMAC-SHA-256 under AUDIT_KEY. */
export const AUDIT_PLAIN = 1;
export const AUDIT_KEYED = 2;

type Unhashed = Omit<AuditEntry, "hash">;

/**
 * The hash covers every stored field and the previous hash, so editing any of them breaks the chain.
 * Keyed entries take an HMAC: without AUDIT_KEY (kept outside the database) nobody can recompute it.
 */
export function entryHash(e: Unhashed, key: Buffer): string | null {
  const message = entryMessage(e);
  return message === null ? null : hashMessage(e.hash_version, message, key);
}

/** What an entry's hash is taken over (null for an unknown hash version). */
function entryMessage(e: Unhashed): string | null {
  const fields = [
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
  ];
  if (e.hash_version === AUDIT_PLAIN) return JSON.stringify(fields);
  if (e.hash_version === AUDIT_KEYED) return JSON.stringify([AUDIT_KEYED, ...fields]);
  return null;
}

/** The hash of a message by version (the same rule runs on the verification's threads: audit.hash-worker.mjs). */
function hashMessage(version: number, message: string, key: Buffer): string {
  return version === AUDIT_KEYED
    ? createHmac("sha256", key).update(message).digest("hex")
    : createHash("sha256").update(message).digest("hex");
}

/** A short public name of the key (recorded in anchors), so a verifier with the wrong key is told so. */
export function auditKeyId(key: Buffer): string {
  return createHmac("sha256", key).update("certhall audit key id").digest("hex").slice(0, 16);
}

/**
 * Appends entries inside the caller's transaction, in order. A no-op update of the head row takes its
 * row lock first (portable "SELECT … FOR UPDATE"), so on PostgreSQL concurrent appends queue up behind
 * each other and each reads the head the previous one committed; SQLite serialises writers anyway.
 * The lock is held until the transaction ends, so callers append as the LAST step of a transaction:
 * the shorter the time after the lock, the more transactions per second get through.
 */
export async function appendAuditEntries(trx: Trx, inputs: readonly AuditInput[]): Promise<number> {
  const key = auditKeyOf(trx);
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
    const row: Unhashed = {
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
      hash_version: AUDIT_KEYED,
    };
    prev = entryHash(row, key)!;
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

/**
 * A checkpoint of the chain kept outside the database (modules/audit/audit.anchor.ts): the entry `seq`
 * had `hash`; entries after `plainUntil` are keyed; `keyId` names the key that made them.
 */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  at: string;
  keyId: string;
  plainUntil: number;
}

/**
 * What went wrong: an entry altered (its hash or link fails), missing (a gap in seq), a history
 * rewritten (the entry at the anchor's seq differs from the anchor), a tail cut (the chain or its head
 * ends before the anchor or the head), the wrong key, or an anchor that fails its own signature.
 */
export type AuditProblemKind = "altered" | "missing" | "rewritten" | "cut" | "key" | "anchor";

export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  head: { seq: number; hash: string };
  firstBad?: { seq: number; kind: AuditProblemKind; problem: string };
}

const bad = (seq: number, kind: AuditProblemKind, problem: string) => ({ seq, kind, problem });

export interface WalkOptions {
  /** The key to check keyed entries with (default: the database handle's). */
  key?: Buffer;
  /** The newest anchor: the chain must pass through it. */
  anchor?: AuditCheckpoint | null;
  /** Start after this entry (its seq and hash), checking that it still has that hash; default genesis. */
  from?: { seq: number; hash: string };
  batchSize?: number;
  /** Threads computing the hashes (default for a chain over 20,000 entries: one per core but one, ≤ 4; 0 = none). */
  hashWorkers?: number;
}

/**
 * Walks the chain in seq order, one page at a time (memory stays flat however long the log), and
 * reports the first altered, missing or reordered entry; then checks the head row and the anchor.
 */
export async function verifyAuditChain(db: Db, opts: WalkOptions = {}): Promise<AuditVerifyResult> {
  const key = opts.key ?? auditKeyOf(db);
  const anchor = opts.anchor ?? null;
  const batchSize = opts.batchSize ?? 2000;
  const dbHead = await db.selectFrom("audit_head").selectAll().where("id", "=", 1).executeTakeFirst();
  const head = { seq: dbHead?.seq ?? 0, hash: dbHead?.hash ?? AUDIT_GENESIS };
  const fail = (checked: number, firstBad: AuditVerifyResult["firstBad"]) => ({
    ok: false,
    checked,
    head,
    firstBad,
  });
  if (anchor && anchor.keyId !== auditKeyId(key))
    return fail(0, bad(anchor.plainUntil + 1, "key", "审计密钥与锚点记录的密钥不符：请检查 AUDIT_KEY"));

  let prevHash = opts.from?.hash ?? AUDIT_GENESIS;
  let expectedSeq = (opts.from?.seq ?? 0) + 1;
  let keyedSeen = false;
  if (opts.from && opts.from.seq > 0) {
    const row = await db
      .selectFrom("audit_log")
      .select(["hash", "hash_version"])
      .where("seq", "=", opts.from.seq)
      .executeTakeFirst();
    if (row?.hash !== opts.from.hash)
      return fail(
        0,
        bad(opts.from.seq, "rewritten", `第 ${opts.from.seq} 条记录与上一个锚点不符：历史被改写`),
      );
    keyedSeen = row.hash_version === AUDIT_KEYED;
  }
  const firstSeq = expectedSeq;
  // The hashes are checked apart from the walk (on worker threads for a long chain) while the walk
  // links the entries and fetches the next page; the first problem by seq is reported.
  const threads =
    opts.hashWorkers ??
    (head.seq - firstSeq > 20_000 ? Math.min(4, Math.max(1, availableParallelism() - 1)) : 0);
  const pool = threads > 0 ? createHashPool(key, threads) : null;
  const page = (from: number) =>
    db.selectFrom("audit_log").selectAll().where("seq", ">=", from).orderBy("seq").limit(batchSize).execute();
  let walkBad: ReturnType<typeof bad> | null = null;
  let rewrittenAt: number | null = null;
  let hashBadAt: number | null = null;
  const inFlight: Promise<void>[] = [];
  try {
    let next = page(expectedSeq);
    for (;;) {
      const rows = await next;
      if (rows.length === batchSize) next = page(rows[rows.length - 1]!.seq + 1);
      const job: HashJob & { seqs: number[] } = { versions: [], messages: [], hashes: [], seqs: [] };
      for (const r of rows) {
        if (r.seq !== expectedSeq) walkBad = bad(expectedSeq, "missing", `第 ${expectedSeq} 条记录缺失`);
        else if (r.prev_hash !== prevHash)
          walkBad = bad(r.seq, "altered", `第 ${r.seq} 条记录与前一条的链接不符`);
        // A plain entry after a keyed one, or past the anchor's plain part, is a downgrade: altered.
        else if (r.hash_version === AUDIT_PLAIN && (keyedSeen || (anchor && r.seq > anchor.plainUntil)))
          walkBad = bad(r.seq, "altered", `第 ${r.seq} 条记录内容被修改（应带密钥校验）`);
        if (walkBad) break;
        const message = entryMessage(r);
        job.versions.push(r.hash_version);
        job.messages.push(message ?? "");
        job.hashes.push(message === null ? "unknown hash version" : r.hash);
        job.seqs.push(r.seq);
        if (anchor && r.seq === anchor.seq && r.hash !== anchor.hash) {
          rewrittenAt = r.seq;
          break;
        }
        keyedSeen ||= r.hash_version === AUDIT_KEYED;
        prevHash = r.hash;
        expectedSeq++;
      }
      const done = (i: number) => {
        if (i >= 0) hashBadAt = Math.min(hashBadAt ?? Infinity, job.seqs[i]!);
      };
      inFlight.push(pool ? pool.check(job).then(done) : Promise.resolve(done(checkInline(job, key))));
      if (inFlight.length > 2 * threads) await inFlight.shift();
      if (walkBad || rewrittenAt !== null || hashBadAt !== null || rows.length < batchSize) {
        if (rows.length === batchSize) next.catch(() => {});
        break;
      }
    }
    await Promise.all(inFlight);
  } finally {
    await pool?.close();
  }
  // The first problem by seq; at one entry its hash is checked before the anchor.
  const found = [
    walkBad,
    hashBadAt !== null ? bad(hashBadAt, "altered", `第 ${hashBadAt} 条记录内容被修改`) : null,
    rewrittenAt !== null && rewrittenAt !== hashBadAt
      ? bad(rewrittenAt, "rewritten", `第 ${rewrittenAt} 条记录与 ${anchor?.at} 的锚点不符：历史被改写`)
      : null,
  ].filter((b) => b !== null);
  if (found.length > 0) {
    const first = found.reduce((a, b) => (b.seq < a.seq ? b : a));
    return fail(first.seq - firstSeq, first);
  }
  const checked = expectedSeq - firstSeq;
  const last = expectedSeq - 1;
  if (!dbHead || head.seq !== last || head.hash !== prevHash) {
    return fail(checked, bad(last + 1, "cut", `链尾记录缺失：应有 ${head.seq} 条，实有 ${last} 条`));
  }
  if (anchor && last < anchor.seq) {
    return fail(
      checked,
      bad(
        last + 1,
        "cut",
        `链尾被截断：最后一条为第 ${last} 条，早于 ${anchor.at} 的锚点（第 ${anchor.seq} 条）`,
      ),
    );
  }
  return { ok: true, checked, head };
}

/** The index of the first entry of `job` whose hash fails, or -1 (the pool's rule, on this thread). */
function checkInline(job: HashJob, key: Buffer): number {
  return job.messages.findIndex((m, i) => hashMessage(job.versions[i]!, m, key) !== job.hashes[i]);
}
