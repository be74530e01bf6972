// OCSP (RFC 6960, RFC 5019): answers pre-signed at issuance and at each status change, kept in the
// database and in this process's memory; a request's own answer is signed only for a nonce, several
// CertIDs or an unknown serial, limited per client IP (ocsp.limit.ts).
import {
  buildCertId,
  buildOcspResponse,
  type CertId,
  type CertIdHash,
  type OcspCertStatus,
  type OcspErrorStatus,
  ocspErrorResponse,
  parseOcspRequest,
  type RevocationReason,
} from "@certhall/pki";
import type { Db, Trx } from "../../db/database";
import type { PkiCertificatesTable, PkiOcspResponsesTable } from "../../db/tables";
import type { PkiCoordination } from "./ca.coordination";
import type { Hierarchy } from "./ca.hierarchy";
import {
  b64,
  type CaServiceDeps,
  hoursMs,
  type LoadedCa,
  type OcspAnswer,
  unb64,
  wholeSecond,
} from "./ca.types";
import { freshSignatureLimiter } from "./ocsp.limit";

interface OcspCacheEntry {
  der: Buffer;
  /** When to stop serving it from memory: thisUpdate + half the validity (then re-signed). */
  staleAt: number;
}

const OCSP_CACHE_MAX = 200_000;
const HASHES = ["sha1", "sha256"] as const;
// The look-back of the cross-process sync overlaps so a long revoking transaction (revoked_at set
// before its commit) is still seen.
const SYNC_OVERLAP_MS = 10 * 60 * 1000;

export const cacheKey = (caId: string, hash: CertIdHash, serial: string) => `${caId}|${hash}|${serial}`;

export function statusOf(
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

/** OCSP serials come from requests: normalise without throwing (an odd value simply matches nothing). */
function normalizeSerialLoose(hex: string): string {
  const stripped = hex.toLowerCase().replace(/^0+/, "") || "0";
  return stripped.length % 2 ? `0${stripped}` : stripped;
}

export function createOcspService(
  deps: CaServiceDeps,
  ctx: { hierarchy: Hierarchy; coordination: PkiCoordination },
) {
  const { db, clock, config } = deps;
  const { hierarchy, coordination } = ctx;
  const cache = new Map<string, OcspCacheEntry>();
  const validityMs = hoursMs(config.ca.ocspValidityHours);
  const revocationSyncMs = deps.revocationSyncMs ?? 2000;

  function remember(key: string, der: Buffer, thisUpdate: Date): void {
    if (cache.size >= OCSP_CACHE_MAX) {
      // Insertion order: drop the oldest tenth.
      let n = OCSP_CACHE_MAX / 10;
      for (const k of cache.keys()) {
        cache.delete(k);
        if (--n <= 0) break;
      }
    }
    cache.set(key, { der, staleAt: thisUpdate.getTime() + validityMs / 2 });
  }

  const forget = (caId: string, serial: string) => {
    for (const hash of HASHES) cache.delete(cacheKey(caId, hash, serial));
  };

  async function signOcsp(ca: LoadedCa, certId: CertId, status: OcspCertStatus, nonce?: Buffer) {
    const thisUpdate = wholeSecond(clock());
    const der = await buildOcspResponse({
      issuer: { certDer: ca.certDer, signer: ca.signer! },
      responses: [
        {
          certId,
          status,
          thisUpdate,
          // RFC 5019 2.2.4: pre-produced responses carry nextUpdate; "unknown" is not cached.
          ...(status.status === "unknown" ? {} : { nextUpdate: new Date(thisUpdate.getTime() + validityMs) }),
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
      next_update: new Date(thisUpdate.getTime() + validityMs).toISOString(),
    };
  }

  /** Writes (insert or replace) the pre-signed response of one certificate inside `trx`. */
  async function storeOcsp(trx: Trx | Db, values: PkiOcspResponsesTable): Promise<void> {
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

  /**
   * Replaces every pre-signed answer of `serial` inside `trx` after its status changed (RFC 5019 6).
   * The returned `publish` runs after the commit: this process serves the new answers at once and
   * every other instance drops its cached ones.
   */
  async function resignIn(
    trx: Trx,
    ca: LoadedCa,
    serial: string,
    row: Pick<PkiCertificatesTable, "status" | "revoked_at" | "revocation_reason">,
  ): Promise<() => void> {
    const stored = await trx
      .selectFrom("pki_ocsp_responses")
      .select("hash_alg")
      .where("ca_id", "=", ca.id)
      .where("serial_hex", "=", serial)
      .execute();
    const algs = new Set<CertIdHash>(["sha1", ...stored.map((h) => h.hash_alg)]);
    const signed: { key: string; der: Buffer; thisUpdate: Date }[] = [];
    for (const alg of algs) {
      const r = await signOcsp(ca, buildCertId(ca.certDer, serial, alg), statusOf(row));
      await storeOcsp(trx, ocspRow(ca, serial, alg, row.status, r.der, r.thisUpdate));
      signed.push({ key: cacheKey(ca.id, alg, serial), ...r });
    }
    return () => {
      coordination.publish({ type: "ocsp-changed", caId: ca.id, serialHex: serial });
      for (const s of signed) remember(s.key, s.der, s.thisUpdate);
    };
  }

  function caForCertId(certId: CertId): LoadedCa | undefined {
    for (const ca of hierarchy.list()) {
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
    const hit = cache.get(key);
    if (hit && now < hit.staleAt) return { der: hit.der, cacheable: true };
    const stored = await db
      .selectFrom("pki_ocsp_responses")
      .select(["der", "this_update"])
      .where("ca_id", "=", ca.id)
      .where("serial_hex", "=", serial)
      .where("hash_alg", "=", certId.hashAlgorithm)
      .executeTakeFirst();
    if (stored && now < new Date(stored.this_update).getTime() + validityMs / 2) {
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
      await storeOcsp(db, ocspRow(ca, serial, certId.hashAlgorithm, row.status, der, thisUpdate));
      remember(key, der, thisUpdate);
    }
    return { der, cacheable: true };
  }

  // Status changes committed by other processes without a shared bus (the CLI) reach this process's
  // memory cache within `revocationSyncMs`: recently changed serials are evicted, then served from the
  // stored (replaced) response.
  let changedSince = new Date(Date.now() - SYNC_OVERLAP_MS).toISOString();
  let syncedAt = 0;
  let syncing: Promise<void> | null = null;

  async function syncRevocations(): Promise<void> {
    const started = Date.now();
    const rows = await db
      .selectFrom("pki_certificates")
      .select(["ca_id", "serial_hex"])
      .where("status_changed_at", ">=", changedSince)
      .execute();
    for (const r of rows) forget(r.ca_id, r.serial_hex);
    changedSince = new Date(Math.min(started, clock().getTime()) - SYNC_OVERLAP_MS).toISOString();
    syncedAt = started;
  }

  /** Several CertIDs or a nonce (RFC 8954): answered fresh from the database, never from the cache. */
  async function ocspFresh(ca: LoadedCa, certIds: CertId[], nonce: Buffer | undefined): Promise<OcspAnswer> {
    const serials = certIds.map((id) => normalizeSerialLoose(id.serialHex));
    const rows = await db
      .selectFrom("pki_certificates")
      .select(["serial_hex", "status", "revoked_at", "revocation_reason"])
      .where("ca_id", "=", ca.id)
      .where("serial_hex", "in", serials)
      .execute();
    const bySerial = new Map(rows.map((r) => [r.serial_hex, r]));
    const thisUpdate = wholeSecond(clock());
    const der = await buildOcspResponse({
      issuer: { certDer: ca.certDer, signer: ca.signer! },
      responses: certIds.map((certId, i) => {
        const row = bySerial.get(serials[i]!);
        return {
          certId,
          status: row ? statusOf(row) : { status: "unknown" as const },
          thisUpdate,
          ...(row ? { nextUpdate: new Date(thisUpdate.getTime() + validityMs) } : {}),
        };
      }),
      nonce,
      producedAt: thisUpdate,
    });
    return { der, cacheable: false };
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
    if (targets.some((t) => t.ca!.id !== first.ca!.id)) return refused("unauthorized");
    if (!allowFresh(ip)) return refused("tryLater");
    return ocspFresh(first.ca!, req.certIds, req.nonce);
  }

  const unsubscribe = coordination.subscribe((event) => {
    if (event.type === "ocsp-changed") forget(event.caId, event.serialHex);
  });

  return {
    ocsp,
    signOcsp,
    ocspRow,
    resignIn,
    /** Serves an answer stored by a committed transaction from memory. */
    remember: (ca: LoadedCa, serial: string, der: Buffer, thisUpdate: Date) =>
      remember(cacheKey(ca.id, "sha1", serial), der, thisUpdate),
    close: unsubscribe,
  };
}

export type OcspService = ReturnType<typeof createOcspService>;
