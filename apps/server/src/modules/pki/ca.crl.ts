// CRLs of the CAs this process holds keys for (RFC 5280 5): signed on demand (CLI, ceremony), at half
// of their validity (the scheduler), and in the background after revocations (crl.resigner.ts), and
// served from a small cache that looks at the database again every few seconds (another instance may
// have signed a newer one).
import { buildCrl, type RevocationReason, type Signer } from "@certhall/pki";
import type { Db, Trx } from "../../db/database";
import { AppError } from "../../errors";
import { newId } from "../../lib/clock";
import { appendAudit } from "../audit/audit.service";
import type { PkiCoordination } from "./ca.coordination";
import type { Hierarchy } from "./ca.hierarchy";
import {
  b64,
  type CaLog,
  type CaServiceDeps,
  type CrlRecord,
  hoursMs,
  type LoadedCa,
  unb64,
  wholeSecond,
} from "./ca.types";
import type { CaActor } from "./ceremony";
import { createCrlResigner } from "./crl.resigner";

/** Revoked rows read per query when a CRL is signed. */
const CRL_PAGE = 2000;

/** How long a cached CRL is served before the database is asked for a newer one. */
const CRL_RECHECK_MS = 5000;

const halfLife = (crl: CrlRecord) =>
  crl.thisUpdate.getTime() + (crl.nextUpdate.getTime() - crl.thisUpdate.getTime()) / 2;

export function createCrlService(
  deps: CaServiceDeps,
  ctx: { hierarchy: Hierarchy; coordination: PkiCoordination; log: CaLog },
) {
  const { db, clock, config } = deps;
  const { hierarchy, coordination } = ctx;
  const crlValidityMs = hoursMs(config.ca.crlNextUpdateHours);
  const cache = new Map<string, { crl: CrlRecord; checkedAt: number }>();

  const publishCrl = (crl: CrlRecord) => cache.set(crl.ca, { crl, checkedAt: Date.now() });

  /** The next CRL number of `ca`; the row lock (portable SELECT … FOR UPDATE) makes numbers unique. */
  async function nextNumber(trx: Trx, ca: LoadedCa): Promise<number> {
    await trx
      .updateTable("pki_cas")
      .set((eb) => ({ crl_number: eb("crl_number", "+", 1) }))
      .where("id", "=", ca.id)
      .execute();
    const row = await trx
      .selectFrom("pki_cas")
      .select("crl_number")
      .where("id", "=", ca.id)
      .executeTakeFirstOrThrow();
    return Number(row.crl_number);
  }

  /**
   * What the database says is revoked, read in pages (keyset on the serial) so that a background
   * signing of 100,000 entries lets the requests in between pages.
   */
  async function revokedRows(q: Db | Trx, ca: LoadedCa) {
    const rows = [];
    for (let after = ""; ; ) {
      const page = await q
        .selectFrom("pki_certificates")
        .select(["serial_hex", "revoked_at", "revocation_reason", "invalidity_date"])
        .where("ca_id", "=", ca.id)
        .where("status", "=", "revoked")
        .where("serial_hex", ">", after)
        .orderBy("serial_hex")
        .limit(CRL_PAGE)
        .execute();
      rows.push(...page);
      if (page.length < CRL_PAGE) return rows;
      after = page[page.length - 1]!.serial_hex;
    }
  }

  /** Reads what the database says is revoked and signs the CRL numbered `number`. */
  async function sign(q: Db | Trx, ca: LoadedCa, signer: Signer, number: number, validityMs: number) {
    const revoked = await revokedRows(q, ca);
    const thisUpdate = wholeSecond(clock());
    const nextUpdate = new Date(thisUpdate.getTime() + validityMs);
    const der = await buildCrl({
      issuer: { certDer: ca.certDer, signer },
      entries: revoked.map((r) => ({
        serialHex: r.serial_hex,
        revokedAt: new Date(r.revoked_at!),
        reason: (r.revocation_reason ?? undefined) as RevocationReason | undefined,
        invalidityDate: r.invalidity_date ? new Date(r.invalidity_date) : undefined,
      })),
      crlNumber: number,
      thisUpdate,
      nextUpdate,
    });
    return { ca: ca.slug, number, thisUpdate, nextUpdate, entries: revoked.length, der } satisfies CrlRecord;
  }

  async function store(trx: Trx, ca: LoadedCa, crl: CrlRecord): Promise<void> {
    await trx
      .insertInto("pki_crls")
      .values({
        id: newId(),
        ca_id: ca.id,
        crl_number: crl.number,
        this_update: crl.thisUpdate.toISOString(),
        next_update: crl.nextUpdate.toISOString(),
        entries: crl.entries,
        der: b64(crl.der),
        created_at: clock().toISOString(),
      })
      .execute();
  }

  const signerOf = (ca: LoadedCa, using?: { signer: Signer }): Signer => {
    const signer = using?.signer ?? ca.signer;
    if (!signer) throw new AppError("INVALID_STATE", `CA ${ca.slug} 的私钥不在本系统，无法签发 CRL`);
    return signer;
  };

  /**
   * Signs and stores the next CRL of `ca` inside `trx` (the ceremony's own transaction). The ceremony
   * passes the root's signer and the ARL's validity (`using`); the server never has them.
   */
  async function signCrlIn(
    trx: Trx,
    ca: LoadedCa,
    using?: { signer: Signer; validityMs: number },
  ): Promise<CrlRecord> {
    const signer = signerOf(ca, using);
    const number = await nextNumber(trx, ca);
    const crl = await sign(trx, ca, signer, number, using?.validityMs ?? crlValidityMs);
    await store(trx, ca, crl);
    return crl;
  }

  /**
   * Signs, stores and publishes the next CRL of `ca`. Three short steps, so no write lock is held while
   * 100,000 entries are read and signed: the number is taken (its own transaction), the revoked rows
   * read and signed, then the CRL stored with its audit entry. A revocation committed after the read
   * has marked the CRL stale again (crl.resigner.ts), so the next one lists it.
   */
  async function generateCrl(
    ca: LoadedCa,
    actor: CaActor = { type: "system", id: null },
  ): Promise<CrlRecord> {
    const signer = signerOf(ca);
    const number = await db.transaction().execute((trx) => nextNumber(trx, ca));
    const crl = await sign(db, ca, signer, number, crlValidityMs);
    await db.transaction().execute(async (trx) => {
      await store(trx, ca, crl);
      await appendAudit(trx, {
        at: clock(),
        actorType: actor.type,
        actorId: actor.id,
        action: "pki.crl.published",
        objectType: "ca",
        objectId: ca.slug,
        detail: { crlNumber: crl.number, entries: crl.entries, nextUpdate: crl.nextUpdate.toISOString() },
        ip: actor.ip ?? null,
      });
    });
    publishCrl(crl);
    coordination.publish({ type: "crl-published", caId: ca.id, number: crl.number });
    return crl;
  }

  async function latestCrlFromDb(ca: LoadedCa): Promise<CrlRecord | null> {
    const row = await db
      .selectFrom("pki_crls")
      .selectAll()
      .where("ca_id", "=", ca.id)
      .orderBy("crl_number", "desc")
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    return {
      ca: ca.slug,
      number: Number(row.crl_number),
      thisUpdate: new Date(row.this_update),
      nextUpdate: new Date(row.next_update),
      entries: Number(row.entries),
      der: unb64(row.der),
    };
  }

  /** The CRL to publish: the newest stored one, re-signed first when it is missing or past half-life. */
  async function currentCrl(slug: string): Promise<CrlRecord> {
    const ca = hierarchy.caBySlug(slug);
    const cached = cache.get(slug);
    const now = clock().getTime();
    // Another process may have signed a newer one: look at the database again after a few seconds.
    if (cached && Date.now() - cached.checkedAt < CRL_RECHECK_MS && now < halfLife(cached.crl)) {
      return cached.crl;
    }
    let crl = await latestCrlFromDb(ca);
    if ((!crl || now >= halfLife(crl)) && ca.signer) crl = await generateCrl(ca);
    if (!crl) throw new AppError("NOT_FOUND", `CA“${slug}”没有 CRL`);
    publishCrl(crl);
    return crl;
  }

  /**
   * Whether a status changed after `crl` was signed (a revocation whose background re-signing was
   * lost with its process). Times are whole seconds, so a change in the CRL's own second counts too;
   * asked only once that second is over, it costs at most one extra signature.
   */
  async function changedSince(ca: LoadedCa, crl: CrlRecord): Promise<boolean> {
    if (clock().getTime() < crl.thisUpdate.getTime() + 1000) return false;
    const row = await db
      .selectFrom("pki_certificates")
      .select("serial_hex")
      .where("status_changed_at", ">=", crl.thisUpdate.toISOString())
      .where("ca_id", "=", ca.id)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Scheduler step: re-sign every held CA's CRL that is missing, past its half-life, or older than a
   * status change in the database.
   */
  async function refreshCrls(): Promise<CrlRecord[]> {
    await hierarchy.loadAll();
    const out: CrlRecord[] = [];
    for (const ca of hierarchy.list()) {
      if (!ca.signer) continue;
      const latest = await latestCrlFromDb(ca);
      const due = !latest || clock().getTime() >= halfLife(latest) || (await changedSince(ca, latest));
      if (due) out.push(await generateCrl(ca));
    }
    return out;
  }

  const resigner = createCrlResigner({
    coordination,
    log: ctx.log,
    coalesceMs: config.ca.crlCoalesceMs,
    retryMs: Math.max(config.ca.crlCoalesceMs, 100),
    sign: async (caId) => {
      const ca = hierarchy.byId(caId);
      if (ca?.signer) await generateCrl(ca);
    },
  });

  const unsubscribe = coordination.subscribe((event) => {
    if (event.type === "crl-stale" && hierarchy.byId(event.caId)?.signer) resigner.markStale(event.caId);
    if (event.type === "crl-published") {
      const ca = hierarchy.byId(event.caId);
      const cached = ca && cache.get(ca.slug);
      if (cached && cached.crl.number < event.number) cache.delete(ca.slug);
    }
  });

  return {
    currentCrl,
    generateCrl,
    signCrlIn,
    refreshCrls,
    publishCrl,
    /** Signs now every CRL waiting for its background re-signing, and waits for it. */
    flushCrls: () => resigner.flush(),
    crlPending: (caId: string) => resigner.pending(caId),
    close() {
      unsubscribe();
      resigner.close();
    },
  };
}

export type CrlService = ReturnType<typeof createCrlService>;
