// The CA inside the server (DESIGN §5, issue 4): the hierarchy kept in the database with sealed keys,
// issuance and revocation as single transactions with an audit entry, CRLs and pre-signed OCSP
// responses. Pure certificate work is done by @certhall/pki; this file stores and publishes.
import {
  buildCertId,
  buildCrl,
  buildOcspResponse,
  type CertId,
  type CertIdHash,
  type CertificateProfile,
  decodeName,
  encodeName,
  getProfile,
  importCa,
  issueCertificate,
  issuerHashes,
  type OcspCertStatus,
  type OcspErrorStatus,
  ocspErrorResponse,
  type ParsedCsr,
  PkiError,
  parseCertificate,
  parseCsrAsync,
  parseOcspRequest,
  type RevocationReason,
  type Signer,
  sealKey,
  subjectToDn,
  toPem,
} from "@certhall/pki";
import { sql } from "kysely";
import type { Config } from "../../config";
import type { Db, Trx } from "../../db/database";
import type { PkiCasTable, PkiCertificatesTable, PkiOcspResponsesTable } from "../../db/tables";
import { AppError } from "../../errors";
import type { CacheBus } from "../../lib/bus";
import { type Clock, newId } from "../../lib/clock";
import { type AuditInput, appendAudit } from "../audit/audit.service";
import type { CaActor } from "./ceremony";
import { ensureEmbeddedHierarchy, keepRootKeyOffline } from "./ceremony.startup";
import { blockKey, checkKeyUse, holderOf, spkiSha256 } from "./key-policy";
import { freshSignatureLimiter } from "./ocsp.limit";
import { AUDIT_ACTION, applyTransition, REQUEST_REASONS, transitionFor } from "./revocation";
import { normalizeSerial } from "./serial";
import { createCaSigners } from "./signers";
import { personIdSalt, toSubjectInput } from "./subject";

export type { CaActor } from "./ceremony";
export { normalizeSerial } from "./serial";

/** A CA as loaded into memory: its certificate, hashes for OCSP matching, and its key when held. */
export interface LoadedCa {
  id: string;
  slug: string;
  role: "root" | "issuing";
  algorithm: string;
  subject: string;
  certDer: Buffer;
  certPem: string;
  notBefore: Date;
  notAfter: Date;
  parentId: string | null;
  signer: Signer | null;
  hashes: Record<CertIdHash, { nameHash: Buffer; keyHash: Buffer }>;
}

export interface IssueInput {
  csrPem: string;
  profile: string;
  subject: Record<string, unknown>;
  /** Calendar years from now (default: the profile's); or an explicit notAfter. */
  years?: number;
  notAfter?: Date;
  accountId?: string | null;
  orderId?: string | null;
}

export interface IssueResult {
  certificatePem: string;
  chainPem: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  profile: string;
  subject: string;
  ca: string;
}

export interface RevokeInput {
  serialHex: string;
  reason: string;
  invalidityDate?: Date;
}

export interface CertificateRecord {
  serialHex: string;
  ca: string;
  subject: string;
  profile: string;
  notBefore: string;
  notAfter: string;
  status: "good" | "revoked";
  revokedAt: string | null;
  reason: string | null;
  invalidityDate: string | null;
  certificatePem: string;
}

export interface CrlRecord {
  ca: string;
  number: number;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: number;
  der: Buffer;
}

export interface CaServiceDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, "env" | "dataDir" | "logLevel" | "secretKey" | "ca">;
  /** Warnings of the embedded ceremony (default: console.warn unless LOG_LEVEL=silent). */
  warn?: (message: string) => void;
  /**
   * How often OCSP looks in the database for revocations made by other processes (the CLI, a second
   * server) to drop them from its in-memory cache. Default 2000 ms.
   */
  revocationSyncMs?: number;
  /** Tells the other instances of a status change or a new CRL, and hears theirs (lib/bus.ts). */
  bus?: CacheBus;
}

export const CA_ERROR_FIELDS = {
  csr: "csrPem",
  profile: "profile",
  subject: "subject",
} as const;

const dnText = (der: Buffer): string =>
  decodeName(der)
    .map((a) => `${a.type}=${a.value}`)
    .join(", ");

const b64 = (b: Buffer): string => b.toString("base64");
const unb64 = (s: string): Buffer => Buffer.from(s, "base64");
const hoursMs = (h: number) => h * 3600 * 1000;

/** Maps a library error at one stage of a request to a 400 naming the field it concerns. */
function fieldError(err: unknown, field: string, what: string): never {
  if (err instanceof PkiError) {
    throw new AppError("VALIDATION_FAILED", `${what}（${field}）无效：${err.message}`, { field });
  }
  throw err;
}

export interface OcspAnswer {
  der: Buffer;
  /** Whether HTTP caches may keep it (a pre-signed answer), or not (signed for a nonce, an error). */
  cacheable: boolean;
}

interface OcspCacheEntry {
  der: Buffer;
  /** When to stop serving it from memory: thisUpdate + half the validity (then re-signed). */
  staleAt: number;
}

export function createCaService(deps: CaServiceDeps) {
  const { db, clock, config } = deps;
  const cas = new Map<string, LoadedCa>();
  const bySlug = new Map<string, LoadedCa>();
  const idSalt = personIdSalt(config.secretKey);
  const ocspCache = new Map<string, OcspCacheEntry>();
  const OCSP_CACHE_MAX = 200_000;
  const crlCache = new Map<string, { crl: CrlRecord; checkedAt: number }>();
  const ocspValidityMs = hoursMs(config.ca.ocspValidityHours);
  const revocationSyncMs = deps.revocationSyncMs ?? 2000;
  const crlValidityMs = hoursMs(config.ca.crlNextUpdateHours);
  const signers = createCaSigners(config);
  // Another instance changed a status or signed a CRL: forget ours, read the database on next use.
  const forgetCrl = (caId: string) => crlCache.delete(cas.get(caId)?.slug ?? "");
  deps.bus?.subscribe("pki.status", ({ caId, serialHex }) => {
    for (const hash of ["sha1", "sha256"] as const) ocspCache.delete(cacheKey(caId, hash, serialHex));
    forgetCrl(caId);
  });
  deps.bus?.subscribe("pki.crl", ({ caId }) => forgetCrl(caId));

  // http under PKI_BASE_URL, never PUBLIC_URL's https (DESIGN §9): fetching revocation data over TLS
  // would need the very status it fetches (RFC 5280 4.2.1.13, RFC 6960 A.1).
  const urlsFor = (ca: LoadedCa) => ({
    crl: `${config.ca.pkiBaseUrl}/pki/crl/${ca.slug}.crl`,
    ocsp: `${config.ca.pkiBaseUrl}/pki/ocsp`,
    caIssuers: `${config.ca.pkiBaseUrl}/pki/ca/${ca.slug}.crt`,
  });

  function load(row: PkiCasTable): LoadedCa {
    const certDer = Buffer.from(row.cert_pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
    // Never the root's key (DESIGN §9), nor the key of a revoked (inactive) issuing CA.
    const signer = signers.forCa(row, certDer);
    const ca: LoadedCa = {
      id: row.id,
      slug: row.slug,
      role: row.role,
      algorithm: row.algorithm,
      subject: row.subject,
      certDer,
      certPem: row.cert_pem,
      notBefore: new Date(row.not_before),
      notAfter: new Date(row.not_after),
      parentId: row.parent_id,
      signer,
      hashes: { sha1: issuerHashes(certDer, "sha1"), sha256: issuerHashes(certDer, "sha256") },
    };
    cas.set(ca.id, ca);
    bySlug.set(ca.slug, ca);
    return ca;
  }

  /**
   * Loads CAs added since (e.g. by the ceremony in another process) and drops the key of any CA made
   * inactive since (an issuing CA the ceremony revoked): it signs nothing more in this process.
   */
  async function loadAll(): Promise<void> {
    const rows = await db.selectFrom("pki_cas").selectAll().orderBy("created_at").execute();
    for (const row of rows) {
      const loaded = cas.get(row.id);
      if (!loaded) load(row);
      else if (!row.active) loaded.signer = null;
    }
  }

  /** The active issuing CA of the configured algorithm (the one that signs end-entity certificates). */
  function issuing(): LoadedCa {
    for (const ca of cas.values()) {
      if (ca.role === "issuing" && ca.algorithm === config.ca.algorithm && ca.signer) return ca;
    }
    throw new AppError("UNAVAILABLE", "CA 尚未初始化：请先运行 certhall ca init 或启动服务器");
  }

  function chainOf(ca: LoadedCa): LoadedCa[] {
    const chain: LoadedCa[] = [ca];
    let cur = ca;
    while (cur.parentId && chain.length < 8) {
      const parent = cas.get(cur.parentId);
      if (!parent) break;
      chain.push(parent);
      cur = parent;
    }
    return chain;
  }

  async function uniqueSlug(trx: Trx, base: string): Promise<string> {
    for (let n = 1; ; n++) {
      const slug = n === 1 ? base : `${base}-${n}`;
      const taken = await trx.selectFrom("pki_cas").select("id").where("slug", "=", slug).executeTakeFirst();
      if (!taken) return slug;
    }
  }

  async function insertCa(
    trx: Trx,
    p: {
      role: "root" | "issuing";
      algorithm: string;
      certDer: Buffer;
      keyPkcs8: Buffer | null;
      parentId: string | null;
      imported: boolean;
    },
  ): Promise<PkiCasTable> {
    const cert = parseCertificate(p.certDer);
    const row: PkiCasTable = {
      id: newId(),
      slug: await uniqueSlug(trx, `${p.role}-${p.algorithm}`),
      role: p.role,
      algorithm: p.algorithm,
      subject: dnText(cert.subjectRaw),
      serial_hex: cert.serialHex,
      cert_pem: toPem(p.certDer, "CERTIFICATE"),
      key_sealed: p.keyPkcs8 ? b64(sealKey(p.keyPkcs8, config.ca.masterKey)) : null,
      parent_id: p.parentId,
      not_before: cert.notBefore.toISOString(),
      not_after: cert.notAfter.toISOString(),
      active: 1,
      imported: p.imported ? 1 : 0,
      crl_number: 0,
      created_at: clock().toISOString(),
    };
    await trx.insertInto("pki_cas").values(row).execute();
    return row;
  }

  // --- CRLs -------------------------------------------------------------------------------------

  /**
   * Signs and stores the next CRL of `ca` inside `trx` (the caller's revocation, or its own). The
   * ceremony passes the root's signer and the ARL's validity (`using`); the server never has them.
   */
  async function generateCrlIn(
    trx: Trx,
    ca: LoadedCa,
    using?: { signer: Signer; validityMs: number },
  ): Promise<CrlRecord> {
    const signer = using?.signer ?? ca.signer;
    if (!signer) throw new AppError("INVALID_STATE", `CA ${ca.slug} 的私钥不在本系统，无法签发 CRL`);
    // Row lock first (portable SELECT … FOR UPDATE): concurrent generators queue, numbers never repeat.
    await trx
      .updateTable("pki_cas")
      .set((eb) => ({ crl_number: eb("crl_number", "+", 1) }))
      .where("id", "=", ca.id)
      .execute();
    const { crl_number: number } = await trx
      .selectFrom("pki_cas")
      .select("crl_number")
      .where("id", "=", ca.id)
      .executeTakeFirstOrThrow();
    const revoked = await trx
      .selectFrom("pki_certificates")
      .select(["serial_hex", "revoked_at", "revocation_reason", "invalidity_date"])
      .where("ca_id", "=", ca.id)
      .where("status", "=", "revoked")
      .execute();
    const thisUpdate = new Date(Math.floor(clock().getTime() / 1000) * 1000);
    const nextUpdate = new Date(thisUpdate.getTime() + (using?.validityMs ?? crlValidityMs));
    const der = await buildCrl({
      issuer: { certDer: ca.certDer, signer },
      entries: revoked.map((r) => ({
        serialHex: r.serial_hex,
        revokedAt: new Date(r.revoked_at!),
        reason: (r.revocation_reason ?? undefined) as RevocationReason | undefined,
        invalidityDate: r.invalidity_date ? new Date(r.invalidity_date) : undefined,
      })),
      crlNumber: Number(number),
      thisUpdate,
      nextUpdate,
    });
    await trx
      .insertInto("pki_crls")
      .values({
        id: newId(),
        ca_id: ca.id,
        crl_number: Number(number),
        this_update: thisUpdate.toISOString(),
        next_update: nextUpdate.toISOString(),
        entries: revoked.length,
        der: b64(der),
        created_at: clock().toISOString(),
      })
      .execute();
    return { ca: ca.slug, number: Number(number), thisUpdate, nextUpdate, entries: revoked.length, der };
  }

  async function generateCrl(
    ca: LoadedCa,
    actor: CaActor = { type: "system", id: null },
  ): Promise<CrlRecord> {
    const crl = await db.transaction().execute(async (trx) => {
      const c = await generateCrlIn(trx, ca);
      await appendAudit(trx, {
        at: clock(),
        actorType: actor.type,
        actorId: actor.id,
        action: "pki.crl.published",
        objectType: "ca",
        objectId: ca.slug,
        detail: { crlNumber: c.number, entries: c.entries, nextUpdate: c.nextUpdate.toISOString() },
        ip: actor.ip ?? null,
      });
      return c;
    });
    crlCache.set(ca.slug, { crl, checkedAt: Date.now() });
    deps.bus?.publish("pki.crl", { caId: ca.id });
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
    const ca = bySlug.get(slug);
    if (!ca) throw new AppError("NOT_FOUND", `CA“${slug}”不存在`);
    const cached = crlCache.get(slug);
    const now = clock().getTime();
    // Another process may have revoked: look at the database again after a few seconds.
    if (cached && Date.now() - cached.checkedAt < 5000 && now < halfLife(cached.crl)) return cached.crl;
    let crl = await latestCrlFromDb(ca);
    if ((!crl || now >= halfLife(crl)) && ca.signer) crl = await generateCrl(ca);
    if (!crl) throw new AppError("NOT_FOUND", `CA“${slug}”没有 CRL`);
    crlCache.set(slug, { crl, checkedAt: Date.now() });
    return crl;
  }

  const halfLife = (crl: CrlRecord) =>
    crl.thisUpdate.getTime() + (crl.nextUpdate.getTime() - crl.thisUpdate.getTime()) / 2;

  /** Scheduler step: re-sign every held CA's CRL whose half-life has passed (or that has none). */
  async function refreshCrls(): Promise<CrlRecord[]> {
    await loadAll();
    const out: CrlRecord[] = [];
    for (const ca of cas.values()) {
      if (!ca.signer) continue;
      const latest = await latestCrlFromDb(ca);
      if (!latest || clock().getTime() >= halfLife(latest)) out.push(await generateCrl(ca));
    }
    return out;
  }

  // --- OCSP -------------------------------------------------------------------------------------

  const cacheKey = (caId: string, hash: CertIdHash, serial: string) => `${caId}|${hash}|${serial}`;

  function remember(key: string, der: Buffer, thisUpdate: Date): void {
    if (ocspCache.size >= OCSP_CACHE_MAX) {
      // Insertion order: drop the oldest tenth.
      let n = OCSP_CACHE_MAX / 10;
      for (const k of ocspCache.keys()) {
        ocspCache.delete(k);
        if (--n <= 0) break;
      }
    }
    ocspCache.set(key, { der, staleAt: thisUpdate.getTime() + ocspValidityMs / 2 });
  }

  function statusOf(
    row: Pick<PkiCertificatesTable, "status" | "revoked_at" | "revocation_reason">,
  ): OcspCertStatus {
    return row.status === "revoked"
      ? {
          status: "revoked",
          time: new Date(row.revoked_at!),
          reason: (row.revocation_reason ?? undefined) as RevocationReason | undefined,
        }
      : { status: "good" };
  }

  async function signOcsp(ca: LoadedCa, certId: CertId, status: OcspCertStatus, nonce?: Buffer) {
    const thisUpdate = new Date(Math.floor(clock().getTime() / 1000) * 1000);
    const der = await buildOcspResponse({
      issuer: { certDer: ca.certDer, signer: ca.signer! },
      responses: [
        {
          certId,
          status,
          thisUpdate,
          // RFC 5019 2.2.4: pre-produced responses carry nextUpdate; "unknown" is not cached.
          ...(status.status === "unknown"
            ? {}
            : { nextUpdate: new Date(thisUpdate.getTime() + ocspValidityMs) }),
        },
      ],
      nonce,
      producedAt: thisUpdate,
    });
    return { der, thisUpdate };
  }

  function ocspRow(
    ca: LoadedCa,
    serialHex: string,
    hash: CertIdHash,
    status: "good" | "revoked",
    der: Buffer,
    thisUpdate: Date,
  ): PkiOcspResponsesTable {
    return {
      ca_id: ca.id,
      serial_hex: serialHex,
      hash_alg: hash,
      status,
      der: b64(der),
      this_update: thisUpdate.toISOString(),
      next_update: new Date(thisUpdate.getTime() + ocspValidityMs).toISOString(),
    };
  }

  /** Writes (insert or replace) the pre-signed response of one certificate inside `trx`. */
  async function storeOcsp(
    trx: Trx | Db,
    ca: LoadedCa,
    serialHex: string,
    hash: CertIdHash,
    status: "good" | "revoked",
    der: Buffer,
    thisUpdate: Date,
  ): Promise<void> {
    const values = ocspRow(ca, serialHex, hash, status, der, thisUpdate);
    await trx
      .insertInto("pki_ocsp_responses")
      .values(values)
      .onConflict((oc) =>
        oc.columns(["ca_id", "serial_hex", "hash_alg"]).doUpdateSet({
          status: values.status,
          der: values.der,
          this_update: values.this_update,
          next_update: values.next_update,
        }),
      )
      .execute();
  }

  function caForCertId(certId: CertId): LoadedCa | undefined {
    for (const ca of cas.values()) {
      const h = ca.hashes[certId.hashAlgorithm];
      if (ca.signer && h.nameHash.equals(certId.issuerNameHash) && h.keyHash.equals(certId.issuerKeyHash)) {
        return ca;
      }
    }
    return undefined;
  }

  const allowFresh = freshSignatureLimiter(config.ca.ocspNoncePerMinute);
  const refused = (status: OcspErrorStatus): OcspAnswer => ({
    der: ocspErrorResponse(status),
    cacheable: false,
  });

  /**
   * A single CertID without nonce: memory → stored pre-signed response → sign, store, remember. The
   * answers it cannot store (an unknown serial, a CertID encoded unlike ours) count as fresh signatures.
   */
  async function ocspSingle(ca: LoadedCa, certId: CertId, ip: string): Promise<OcspAnswer> {
    const serial = normalizeSerialLoose(certId.serialHex);
    const key = cacheKey(ca.id, certId.hashAlgorithm, serial);
    const now = clock().getTime();
    const hit = ocspCache.get(key);
    if (hit && now < hit.staleAt) return { der: hit.der, cacheable: true };
    const stored = await db
      .selectFrom("pki_ocsp_responses")
      .select(["der", "this_update"])
      .where("ca_id", "=", ca.id)
      .where("serial_hex", "=", serial)
      .where("hash_alg", "=", certId.hashAlgorithm)
      .executeTakeFirst();
    if (stored && now < new Date(stored.this_update).getTime() + ocspValidityMs / 2) {
      const der = unb64(stored.der);
      remember(key, der, new Date(stored.this_update));
      return { der, cacheable: true };
    }
    const row = await db
      .selectFrom("pki_certificates")
      .select(["status", "revoked_at", "revocation_reason"])
      .where("serial_hex", "=", serial)
      .where("ca_id", "=", ca.id)
      .executeTakeFirst();
    // The pre-signed form uses our own CertID encoding; a request's own bytes are echoed instead
    // when they differ (e.g. SHA-1 without the NULL parameters), so it is signed for this request.
    const own = buildCertId(ca.certDer, serial, certId.hashAlgorithm);
    const storable = row !== undefined && own.raw.equals(certId.raw);
    if (!storable && !allowFresh(ip)) return refused("tryLater");
    if (!row) return { der: (await signOcsp(ca, certId, { status: "unknown" })).der, cacheable: true };
    const { der, thisUpdate } = await signOcsp(ca, storable ? own : certId, statusOf(row));
    if (storable) {
      await storeOcsp(db, ca, serial, certId.hashAlgorithm, row.status, der, thisUpdate);
      remember(key, der, thisUpdate);
    }
    return { der, cacheable: true };
  }

  // Status changes committed by other processes reach this process's OCSP memory cache within
  // `revocationSyncMs`: recently revoked serials are evicted, then served from the stored (replaced)
  // response. The look-back window overlaps so a long revoking transaction (revoked_at set before
  // its commit, e.g. with a 100,000-entry CRL) is still seen.
  const SYNC_OVERLAP_MS = 10 * 60 * 1000;
  let revokedSince = new Date(Date.now() - SYNC_OVERLAP_MS).toISOString();
  let syncedAt = 0;
  let syncing: Promise<void> | null = null;

  async function syncRevocations(): Promise<void> {
    const started = Date.now();
    const rows = await db
      .selectFrom("pki_certificates")
      .select(["ca_id", "serial_hex"])
      .where("status_changed_at", ">=", revokedSince)
      .execute();
    for (const r of rows) {
      for (const hash of ["sha1", "sha256"] as const) ocspCache.delete(cacheKey(r.ca_id, hash, r.serial_hex));
    }
    revokedSince = new Date(Math.min(started, clock().getTime()) - SYNC_OVERLAP_MS).toISOString();
    syncedAt = started;
  }

  /**
   * Answers a DER OCSPRequest (RFC 6960) with a DER OCSPResponse; never throws for bad input.
   * `cacheable` is false for answers signed for this request (a nonce, several CertIDs) and for errors:
   * HTTP caches must not keep them. Signatures made for one request are limited per client IP.
   */
  async function ocsp(requestDer: Buffer, client: { ip?: string } = {}): Promise<OcspAnswer> {
    const ip = client.ip ?? "";
    if (Date.now() - syncedAt >= revocationSyncMs) {
      syncing ??= syncRevocations().finally(() => {
        syncing = null;
      });
      await syncing;
    }
    let req: ReturnType<typeof parseOcspRequest>;
    try {
      req = parseOcspRequest(requestDer);
    } catch {
      return refused("malformedRequest");
    }
    const targets = req.certIds.map((id) => ({ id, ca: caForCertId(id) }));
    // RFC 5019 2.2.3 / RFC 6960 2.3: a request about a CA we do not serve is "unauthorized".
    if (targets.some((t) => !t.ca)) return refused("unauthorized");
    const first = targets[0]!;
    if (targets.length === 1 && !req.nonce) return ocspSingle(first.ca!, first.id, ip);
    // Nonce (RFC 8954) or several CertIDs: answered fresh from the database, never from the cache.
    if (targets.some((t) => t.ca!.id !== first.ca!.id)) return refused("unauthorized");
    if (!allowFresh(ip)) return refused("tryLater");
    const ca = first.ca!;
    const serials = targets.map((t) => normalizeSerialLoose(t.id.serialHex));
    const rows = await db
      .selectFrom("pki_certificates")
      .select(["serial_hex", "status", "revoked_at", "revocation_reason"])
      .where("ca_id", "=", ca.id)
      .where("serial_hex", "in", serials)
      .execute();
    const byserial = new Map(rows.map((r) => [r.serial_hex, r]));
    const thisUpdate = new Date(Math.floor(clock().getTime() / 1000) * 1000);
    const der = await buildOcspResponse({
      issuer: { certDer: ca.certDer, signer: ca.signer! },
      responses: targets.map((t, i) => {
        const row = byserial.get(serials[i]!);
        return {
          certId: t.id,
          status: row ? statusOf(row) : { status: "unknown" as const },
          thisUpdate,
          ...(row ? { nextUpdate: new Date(thisUpdate.getTime() + ocspValidityMs) } : {}),
        };
      }),
      nonce: req.nonce,
      producedAt: thisUpdate,
    });
    return { der, cacheable: false };
  }

  // --- Group commit -----------------------------------------------------------------------------

  /**
   * Concurrent issuances share one database transaction (group commit): each job still writes its
   * certificate, its pre-signed OCSP response and its audit entry together, and no caller hears
   * back before the commit. One BEGIN/COMMIT and one audit-head lock per batch instead of per
   * certificate is what lets the full path keep up with the signing (bench/issue-http.ts). If a
   * batch fails, its jobs are retried one transaction each, so one bad job fails alone.
   */
  interface IssuedRows {
    cert: PkiCertificatesTable;
    ocsp: PkiOcspResponsesTable;
    audit: AuditInput;
  }

  /** Writes issued certificates, their pre-signed OCSP responses and audit entries inside `trx`. */
  async function persistIssued(trx: Trx, items: IssuedRows[]): Promise<void> {
    // One multi-row INSERT per table for the whole batch (group commit below).
    await trx
      .insertInto("pki_certificates")
      .values(items.map((i) => i.cert))
      .execute();
    await trx
      .insertInto("pki_ocsp_responses")
      .values(items.map((i) => i.ocsp))
      .execute();
    for (const i of items) await appendAudit(trx, i.audit);
  }

  type Job = { rows: IssuedRows; resolve: () => void; reject: (e: unknown) => void };
  let pending: Job[] = [];
  let flushing = false;
  const GROUP_MAX = 128;

  function groupCommit(rows: IssuedRows): Promise<void> {
    return new Promise((resolve, reject) => {
      pending.push({ rows, resolve, reject });
      if (!flushing) void flush();
    });
  }

  async function flush(): Promise<void> {
    flushing = true;
    try {
      while (pending.length > 0) {
        const batch = pending.slice(0, GROUP_MAX);
        pending = pending.slice(batch.length);
        try {
          await db.transaction().execute((trx) =>
            persistIssued(
              trx,
              batch.map((j) => j.rows),
            ),
          );
          for (const job of batch) job.resolve();
        } catch (batchErr) {
          if (batch.length === 1) {
            batch[0]!.reject(batchErr);
            continue;
          }
          for (const job of batch) {
            try {
              await db.transaction().execute((trx) => persistIssued(trx, [job.rows]));
              job.resolve();
            } catch (err) {
              job.reject(err);
            }
          }
        }
      }
    } finally {
      flushing = false;
    }
  }

  // --- Issue and revoke -------------------------------------------------------------------------

  /**
   * Issues one certificate. `outer` (optional) runs the writes inside the caller's transaction, so an
   * RA step (e.g. recording the serial on an order item) commits or rolls back together with it.
   */
  async function issue(actor: CaActor, input: IssueInput, outer?: Trx): Promise<IssueResult> {
    const ca = issuing();
    let csr: ParsedCsr;
    try {
      // Proof of possession checked on the thread pool (other cores) rather than the event loop.
      csr = await parseCsrAsync(input.csrPem);
    } catch (err) {
      fieldError(err, CA_ERROR_FIELDS.csr, "证书请求");
    }
    let profile: CertificateProfile;
    try {
      profile = getProfile(input.profile);
    } catch (err) {
      fieldError(err, CA_ERROR_FIELDS.profile, "证书模板");
    }
    if (!profile.allowedKeys.includes(csr.keyName)) {
      throw new AppError(
        "VALIDATION_FAILED",
        `证书请求（csrPem）的密钥类型 ${csr.keyName} 不被证书模板“${profile.name}”接受（可用：${profile.allowedKeys.join("、")}）`,
        { field: CA_ERROR_FIELDS.csr },
      );
    }
    const subject = toSubjectInput(input.subject, profile, idSalt);
    let subjectDer: Buffer;
    try {
      subjectDer = encodeName(subjectToDn(subject));
    } catch (err) {
      fieldError(err, CA_ERROR_FIELDS.subject, "证书主体");
    }
    const keyUse = {
      spkiSha256: spkiSha256(csr.subjectPublicKeyInfo),
      holder: holderOf(subjectDer),
      accountId: input.accountId ?? null,
      profile: profile.id,
    };
    await checkKeyUse(outer ?? db, keyUse);
    const now = clock();
    const notAfter = input.notAfter;
    if (!notAfter && input.years !== undefined) {
      if (!Number.isInteger(input.years) || input.years < 1 || input.years > profile.maxYears) {
        throw new AppError("VALIDATION_FAILED", `有效年数（years）须为 1 到 ${profile.maxYears} 的整数`, {
          field: "years",
        });
      }
    }
    if (notAfter && notAfter > ca.notAfter) {
      throw new AppError(
        "VALIDATION_FAILED",
        `证书有效期（notAfter）不能晚于签发 CA 的到期时间 ${ca.notAfter.toISOString()}`,
        { field: "notAfter" },
      );
    }
    let issued: Awaited<ReturnType<typeof issueCertificate>>;
    try {
      issued = await issueCertificate({
        issuer: { certDer: ca.certDer, signer: ca.signer! },
        csr,
        profile,
        subject,
        notAfter,
        years: notAfter ? undefined : input.years,
        urls: urlsFor(ca),
        policy: config.ca.policy,
        now,
      });
    } catch (err) {
      if (err instanceof PkiError && err.code === "PKI_WEAK_KEY")
        fieldError(err, CA_ERROR_FIELDS.csr, "证书请求");
      if (err instanceof PkiError && err.code === "PKI_BAD_VALIDITY") {
        throw new AppError("VALIDATION_FAILED", err.message, { field: err.details?.[0] ?? "notAfter" });
      }
      if (err instanceof PkiError && err.code === "PKI_LINT_FAILED") {
        const validity = (err.details ?? []).some((d) => d.startsWith("validity"));
        throw new AppError("VALIDATION_FAILED", err.message, { field: validity ? "notAfter" : "subject" });
      }
      fieldError(err, CA_ERROR_FIELDS.subject, "证书主体");
    }
    const subjectText = dnText(parseCertificate(issued.der).subjectRaw);
    // Pre-sign the "good" answer now (RFC 5019 2.1.1): OCSP then never signs on the request path.
    const certId = buildCertId(ca.certDer, issued.serialHex, "sha1");
    const good = await signOcsp(ca, certId, { status: "good" });
    const rows: IssuedRows = {
      cert: {
        serial_hex: issued.serialHex,
        ca_id: ca.id,
        subject: subjectText,
        profile: issued.profile,
        key_name: csr.keyName,
        subject_key_id: issued.subjectKeyIdHex,
        not_before: issued.notBefore.toISOString(),
        not_after: issued.notAfter.toISOString(),
        cert_der: b64(issued.der),
        status: "good",
        revoked_at: null,
        revocation_reason: null,
        invalidity_date: null,
        account_id: input.accountId ?? null,
        order_id: input.orderId ?? null,
        created_at: now.toISOString(),
        spki_sha256: keyUse.spkiSha256,
        holder: keyUse.holder,
        status_changed_at: null,
      },
      ocsp: ocspRow(ca, issued.serialHex, "sha1", "good", good.der, good.thisUpdate),
      audit: {
        at: now,
        actorType: actor.type,
        actorId: actor.id,
        action: "pki.certificate.issued",
        objectType: "certificate",
        objectId: issued.serialHex,
        detail: {
          ca: ca.slug,
          profile: issued.profile,
          subject: subjectText,
          keyName: csr.keyName,
          notAfter: issued.notAfter.toISOString(),
          ...(input.orderId ? { orderId: input.orderId } : {}),
        },
        ip: actor.ip ?? null,
      },
    };
    if (outer) {
      // The caller commits (or rolls back): the stored response serves OCSP once committed.
      await persistIssued(outer, [rows]);
    } else {
      await groupCommit(rows);
      remember(cacheKey(ca.id, "sha1", issued.serialHex), good.der, good.thisUpdate);
    }
    return {
      certificatePem: issued.pem,
      chainPem: chainOf(ca)
        .map((c) => c.certPem)
        .join(""),
      serialHex: issued.serialHex,
      notBefore: issued.notBefore.toISOString(),
      notAfter: issued.notAfter.toISOString(),
      profile: issued.profile,
      subject: subjectText,
      ca: ca.slug,
    };
  }

  /**
   * Revokes inside the caller's transaction: the certificate's status, the audit entry, every stored
   * OCSP answer and a new CRL are written with `trx`, so an RA step (an order item superseding or
   * cancelling a certificate) commits or rolls back with the revocation. The caller runs `publish()`
   * after its commit: it puts the new answers in this process's OCSP and CRL caches (before the commit
   * they would announce a revocation that might still roll back).
   */
  async function revokeInTransaction(
    trx: Trx,
    actor: CaActor,
    input: RevokeInput,
  ): Promise<{ record: CertificateRecord; publish: () => void }> {
    const serial = normalizeSerial(input.serialHex);
    if (!REQUEST_REASONS.includes(input.reason as RevocationReason)) {
      throw new AppError(
        "VALIDATION_FAILED",
        `吊销原因（reason）“${input.reason}”无效，可用：${REQUEST_REASONS.join("、")}（removeFromCRL 解除暂停）`,
        { field: "reason" },
      );
    }
    const reason = input.reason as RevocationReason;
    const now = clock();
    if (input.invalidityDate && input.invalidityDate.getTime() > now.getTime()) {
      throw new AppError("VALIDATION_FAILED", "失效日期（invalidityDate）不能晚于当前时间", {
        field: "invalidityDate",
      });
    }
    const at = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const row = await trx
      .selectFrom("pki_certificates")
      .selectAll()
      .where("serial_hex", "=", serial)
      .executeTakeFirst();
    if (!row) throw new AppError("NOT_FOUND", `序列号为 ${serial} 的证书不存在`, { field: "serialHex" });
    const ca = cas.get(row.ca_id);
    if (ca?.role === "root") {
      throw new AppError(
        "INVALID_STATE",
        `证书 ${serial} 是根 CA 签发的签发 CA 证书：请在根 CA 仪式中用 certhall ca ceremony revoke-issuing 吊销`,
        { field: "serialHex" },
      );
    }
    if (!ca?.signer) throw new AppError("INVALID_STATE", "该证书的签发 CA 私钥不在本系统，无法吊销");
    const transition = transitionFor(row, reason);
    const next = await applyTransition(trx, row, transition, {
      reason,
      at,
      invalidityDate: input.invalidityDate,
    });
    await appendAudit(trx, {
      at: now,
      actorType: actor.type,
      actorId: actor.id,
      action: AUDIT_ACTION[transition.kind],
      objectType: "certificate",
      objectId: serial,
      detail: {
        ca: ca.slug,
        reason,
        ...(transition.kind === "reason" ? { previousReason: transition.from } : {}),
        ...(input.invalidityDate ? { invalidityDate: input.invalidityDate.toISOString() } : {}),
      },
      ip: actor.ip ?? null,
    });
    // A key revoked for keyCompromise is never certified again (key-policy.ts).
    if (reason === "keyCompromise") {
      const spki = row.spki_sha256 ?? spkiSha256(parseCertificate(unb64(row.cert_der)).spki);
      await blockKey(trx, { spkiSha256: spki, serialHex: serial, at });
    }
    // Replace every pre-signed answer of this certificate the same moment (RFC 5019 6).
    const status: OcspCertStatus = statusOf(next);
    const hashes = await trx
      .selectFrom("pki_ocsp_responses")
      .select("hash_alg")
      .where("ca_id", "=", ca.id)
      .where("serial_hex", "=", serial)
      .execute();
    const algs = new Set<CertIdHash>(["sha1", ...hashes.map((h) => h.hash_alg)]);
    const signed: { key: string; der: Buffer; thisUpdate: Date }[] = [];
    for (const alg of algs) {
      const r = await signOcsp(ca, buildCertId(ca.certDer, serial, alg), status);
      await storeOcsp(trx, ca, serial, alg, next.status, r.der, r.thisUpdate);
      signed.push({ key: cacheKey(ca.id, alg, serial), ...r });
    }
    const crl = await generateCrlIn(trx, ca);
    const record = toRecord({ ...row, ...next }, ca);
    const publish = () => {
      for (const s of signed) remember(s.key, s.der, s.thisUpdate);
      crlCache.set(ca.slug, { crl, checkedAt: Date.now() });
      deps.bus?.publish("pki.status", { caId: ca.id, serialHex: serial });
    };
    return { record, publish };
  }

  /** Revokes in a transaction of its own, then publishes the new OCSP answers and CRL. */
  async function revoke(actor: CaActor, input: RevokeInput): Promise<CertificateRecord> {
    const { record, publish } = await db
      .transaction()
      .execute((trx) => revokeInTransaction(trx, actor, input));
    publish();
    return record;
  }

  function toRecord(row: PkiCertificatesTable, ca?: LoadedCa): CertificateRecord {
    return {
      serialHex: row.serial_hex,
      ca: (ca ?? cas.get(row.ca_id))?.slug ?? row.ca_id,
      subject: row.subject,
      profile: row.profile,
      notBefore: row.not_before,
      notAfter: row.not_after,
      status: row.status,
      revokedAt: row.revoked_at,
      reason: row.revocation_reason,
      invalidityDate: row.invalidity_date,
      certificatePem: toPem(unb64(row.cert_der), "CERTIFICATE"),
    };
  }

  async function getCertificate(serialHex: string): Promise<CertificateRecord> {
    const serial = normalizeSerial(serialHex);
    const row = await db
      .selectFrom("pki_certificates")
      .selectAll()
      .where("serial_hex", "=", serial)
      .executeTakeFirst();
    if (!row) throw new AppError("NOT_FOUND", `序列号为 ${serial} 的证书不存在`, { field: "serialHex" });
    return toRecord(row);
  }

  // --- Hierarchy --------------------------------------------------------------------------------

  /**
   * Creates the root and issuing CA of the configured algorithm unless an issuing CA already exists,
   * or imports an existing CA (certificate + key, optionally the certificates above it).
   */
  async function init(
    actor: CaActor,
    opts: { importCertPem?: string; importKeyPem?: string; importChainPem?: string } = {},
  ): Promise<{ created: boolean; issuing: LoadedCa }> {
    await loadAll();
    const existing = [...cas.values()].find(
      (c) => c.role === "issuing" && c.algorithm === config.ca.algorithm && c.signer,
    );
    if (existing) {
      if (opts.importCertPem) {
        throw new AppError("CONFLICT", `已有 ${config.ca.algorithm} 签发 CA（${existing.slug}），不能再导入`);
      }
      return { created: false, issuing: existing };
    }
    // Without an import: the embedded default runs the ceremony itself (development only).
    if (!opts.importCertPem && !opts.importKeyPem) {
      return { created: true, issuing: await ensureEmbeddedHierarchy(service, deps, actor) };
    }
    if (!opts.importCertPem || !opts.importKeyPem) {
      throw new AppError("VALIDATION_FAILED", "导入 CA 需要同时提供证书和私钥", { field: "importKey" });
    }
    let material: ReturnType<typeof importCa>;
    try {
      material = importCa(opts.importCertPem, opts.importKeyPem);
    } catch (err) {
      fieldError(err, "importCert", "导入的 CA");
    }
    if (material.algorithm !== config.ca.algorithm) {
      throw new AppError(
        "VALIDATION_FAILED",
        `导入的 CA 算法为 ${material.algorithm}，与 CA_ALGORITHM=${config.ca.algorithm} 不一致`,
        { field: "importCert" },
      );
    }
    const chain = splitPem(opts.importChainPem ?? "");
    const rows = await db.transaction().execute(async (trx) => {
      // The certificates above the imported CA are kept without keys (published, never used to sign).
      let parentId: string | null = null;
      const inserted: PkiCasTable[] = [];
      for (const der of chain.reverse()) {
        const r = await insertCa(trx, {
          role: "root",
          algorithm: material.algorithm,
          certDer: der,
          keyPkcs8: null,
          parentId,
          imported: true,
        });
        parentId = r.id;
        inserted.push(r);
      }
      const issuingRow = await insertCa(trx, {
        role: "issuing",
        algorithm: material.algorithm,
        certDer: material.certDer,
        keyPkcs8: material.keyPkcs8,
        parentId,
        imported: true,
      });
      inserted.push(issuingRow);
      await appendAudit(trx, {
        at: clock(),
        actorType: actor.type,
        actorId: actor.id,
        action: "pki.ca.imported",
        objectType: "ca",
        objectId: issuingRow.slug,
        detail: { subject: issuingRow.subject, serialHex: issuingRow.serial_hex, chain: chain.length },
      });
      return inserted;
    });
    const loaded = rows.map(load);
    for (const ca of loaded) if (ca.signer) await generateCrl(ca, actor);
    return { created: true, issuing: loaded[loaded.length - 1]! };
  }

  /**
   * Server start: the root key must be offline (a production server refuses to start when it can
   * read one; development moves a key still in the database to the ceremony's file), then the
   * hierarchy is loaded or made by the embedded ceremony, and missing CRLs are published.
   */
  async function bootstrap(): Promise<LoadedCa> {
    await keepRootKeyOffline(service, deps);
    const { issuing: ca } = await init({ type: "system", id: null });
    await refreshCrls();
    return ca;
  }

  function caBySlug(slug: string): LoadedCa {
    const ca = bySlug.get(slug);
    if (!ca) throw new AppError("NOT_FOUND", `CA“${slug}”不存在`);
    return ca;
  }

  function list(): LoadedCa[] {
    return [...cas.values()];
  }

  async function stats() {
    const rows = await db
      .selectFrom("pki_certificates")
      .select(["ca_id", "status", sql<number>`count(*)`.as("n")])
      .groupBy(["ca_id", "status"])
      .execute();
    return rows.map((r) => ({ ca: cas.get(r.ca_id)?.slug ?? r.ca_id, status: r.status, count: Number(r.n) }));
  }

  const service = {
    init,
    bootstrap,
    loadAll,
    issuing,
    chainOf,
    caBySlug,
    list,
    stats,
    issue,
    revoke,
    revokeInTransaction,
    getCertificate,
    currentCrl,
    generateCrl: (slug: string, actor?: CaActor) => generateCrl(caBySlug(slug), actor),
    refreshCrls,
    ocsp,
    /** For the ceremony (modules/pki/ceremony.ts): rows, CRLs signed with a key passed in, URLs. */
    insertCa,
    signCrlIn: generateCrlIn,
    /** Serves `crl` from this process's cache at once (after the transaction that stored it). */
    publishCrl: (crl: CrlRecord) => crlCache.set(crl.ca, { crl, checkedAt: Date.now() }),
    urlsFor,
    signers,
    /** Ends the PKCS#11 sessions of the issuing key (CA_SIGNER=pkcs11). */
    close: () => signers.close(),
  };
  return service;
}

export type CaService = ReturnType<typeof createCaService>;

/** OCSP serials come from requests: normalise without throwing (an odd value simply matches nothing). */
function normalizeSerialLoose(hex: string): string {
  const stripped = hex.toLowerCase().replace(/^0+/, "") || "0";
  return stripped.length % 2 ? `0${stripped}` : stripped;
}

function splitPem(text: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) {
    out.push(Buffer.from(m[1]!.replace(/\s+/g, ""), "base64"));
  }
  return out;
}
