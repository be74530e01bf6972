// Anchors of the audit chain (issue 18 item 8): the head (seq, hash, time) signed by the issuing CA and
// written to a file outside the database. Someone who can write the database but not the anchor
// folder or the CA key cannot rewrite history or cut the tail without `verify` noticing.
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { FastifyBaseLogger } from "fastify";
import { auditKeyOf, type Db } from "../../db/database";
import type { Clock } from "../../lib/clock";
import type { RunExclusive } from "../../lib/exclusive";
import { startPeriodic } from "../../lib/periodic";
import { signCheckpoint, verifyCheckpoint } from "../pki/ca.checkpoint";
import type { CaService } from "../pki/ca.service";
import {
  AUDIT_PLAIN,
  type AuditCheckpoint,
  type AuditVerifyResult,
  auditKeyId,
  verifyAuditChain,
} from "./audit.service";

export interface AnchorDeps {
  db: Db;
  ca: CaService;
  clock: Clock;
  /** AUDIT_ANCHOR_DIR */
  dir: string;
}

const FORMAT = "certhall-audit-anchor/1";

interface AnchorFile extends AuditCheckpoint {
  format: typeof FORMAT;
  ca: string;
  signature: string;
}

/** The signed bytes: every field of the checkpoint, in a fixed order. */
const payloadOf = (c: AuditCheckpoint) =>
  Buffer.from(JSON.stringify([FORMAT, c.seq, c.hash, c.at, c.keyId, c.plainUntil]), "utf8");

/** File names sort by seq, then time: the last one is the newest anchor. */
const fileName = (c: AuditCheckpoint) =>
  `anchor-${String(c.seq).padStart(12, "0")}-${c.at.replace(/[-:.]/g, "")}.json`;

export type NewestAnchor =
  | { anchor: AuditCheckpoint; file: string }
  | { anchor: null; file: null }
  | { error: string; file: string };

/** The newest anchor in the folder, its signature checked against the CA certificate. */
export function readNewestAnchor(deps: Pick<AnchorDeps, "ca" | "dir">): NewestAnchor {
  let names: string[];
  try {
    names = readdirSync(deps.dir).filter((n) => /^anchor-\d{12}-[0-9TZ]+\.json$/.test(n));
  } catch {
    return { anchor: null, file: null };
  }
  const name = names.sort().at(-1);
  if (!name) return { anchor: null, file: null };
  const file = path.join(deps.dir, name);
  try {
    const a = JSON.parse(readFileSync(file, "utf8")) as AnchorFile;
    const anchor: AuditCheckpoint = {
      seq: a.seq,
      hash: a.hash,
      at: a.at,
      keyId: a.keyId,
      plainUntil: a.plainUntil,
    };
    if (a.format !== FORMAT || !verifyCheckpoint(deps.ca, payloadOf(anchor), a))
      return { error: `锚点文件 ${name} 的签名无效`, file };
    return { anchor, file };
  } catch {
    return { error: `锚点文件 ${name} 无法读取`, file };
  }
}

export interface AnchoredVerifyResult extends AuditVerifyResult {
  /** The anchor the chain was checked against (null: none written yet). */
  anchor: { seq: number; at: string; file: string } | null;
}

/** `audit verify`: the whole chain with the key, and against the newest anchor. */
export async function verifyAuditWithAnchor(
  deps: Pick<AnchorDeps, "db" | "ca" | "dir">,
  opts: { key?: Buffer; batchSize?: number } = {},
): Promise<AnchoredVerifyResult> {
  const newest = readNewestAnchor(deps);
  if ("error" in newest) {
    const r = await verifyAuditChain(deps.db, { ...opts, anchor: null });
    return {
      ...r,
      ok: false,
      firstBad: r.firstBad ?? { seq: r.head.seq, kind: "anchor", problem: newest.error },
      anchor: null,
    };
  }
  const r = await verifyAuditChain(deps.db, { ...opts, anchor: newest.anchor });
  const anchor = newest.anchor ? { seq: newest.anchor.seq, at: newest.anchor.at, file: newest.file } : null;
  return { ...r, anchor };
}

export type AnchorOutcome =
  | { written: AuditCheckpoint; file: string }
  | { written: null; reason: "unchanged" }
  | { written: null; reason: "bad"; result: AuditVerifyResult | { firstBad: { problem: string } } };

/**
 * Checks the entries appended since the newest anchor (with the key, and that the anchored entry is
 * unchanged) and, when they are sound and the head moved, writes a new signed anchor. A chain that
 * fails is never anchored.
 */
export async function writeAuditAnchor(deps: AnchorDeps): Promise<AnchorOutcome> {
  const newest = readNewestAnchor(deps);
  if ("error" in newest)
    return { written: null, reason: "bad", result: { firstBad: { problem: newest.error } } };
  const prev = newest.anchor;
  const result = await verifyAuditChain(deps.db, { anchor: prev, from: prev ?? undefined });
  if (!result.ok) return { written: null, reason: "bad", result };
  if (prev && result.head.seq === prev.seq) return { written: null, reason: "unchanged" };
  const lastPlain = await deps.db
    .selectFrom("audit_log")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .where("hash_version", "=", AUDIT_PLAIN)
    .where("seq", ">", prev?.seq ?? 0)
    .executeTakeFirst();
  const checkpoint: AuditCheckpoint = {
    seq: result.head.seq,
    hash: result.head.hash,
    at: deps.clock().toISOString(),
    keyId: auditKeyId(auditKeyOf(deps.db)),
    plainUntil: Number(lastPlain?.seq ?? prev?.plainUntil ?? 0),
  };
  const sig = await signCheckpoint(deps.ca, payloadOf(checkpoint));
  const body: AnchorFile = { format: FORMAT, ...checkpoint, ...sig };
  mkdirSync(deps.dir, { recursive: true, mode: 0o700 });
  chmodSync(deps.dir, 0o700);
  const file = path.join(deps.dir, fileName(checkpoint));
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return { written: checkpoint, file };
}

/** The server's job: an anchor at start and every `intervalMs` (only when the head moved). */
export function startAuditAnchorScheduler(
  deps: AnchorDeps,
  log: FastifyBaseLogger,
  intervalMs: number,
  exclusive?: RunExclusive,
) {
  return startPeriodic(
    async () => {
      const o = await writeAuditAnchor(deps);
      if (o.written) log.info({ seq: o.written.seq, file: o.file }, "audit chain anchored");
      else if (o.reason === "bad")
        log.error({ problem: o.result.firstBad }, "audit chain failed verification: not anchored");
    },
    intervalMs,
    (err) => log.error({ err }, "audit anchor failed"),
    exclusive && { name: "audit-anchor", run: exclusive },
  );
}
