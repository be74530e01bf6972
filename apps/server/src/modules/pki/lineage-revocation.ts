// What the RA's certificate lineages (DESIGN §8) need from the CA, beside the CA service's own
// revokeInTransaction: which of some certificates are still valid, which valid certificates hold the
// same key as a given one (in any lineage), and revoking a list in the caller's transaction with one
// publish for all. The CA's tables are read here, inside modules/pki, and nowhere in the RA.
import type { Db, Trx } from "../../db/database";
import type { CaService } from "./ca.service";
import type { CaActor } from "./ceremony";

/** One certificate as the lineage rules see it: its status, its key, its end. */
export interface CertificateState {
  serialHex: string;
  status: "good" | "revoked";
  spkiSha256: string | null;
  notAfter: string;
  createdAt: string;
  revokedAt: string | null;
  revocationReason: string | null;
}

/** The states of the given certificates (unknown serials are absent). */
export async function certificateStates(
  q: Db | Trx,
  serials: string[],
): Promise<Map<string, CertificateState>> {
  if (serials.length === 0) return new Map();
  const rows = await q
    .selectFrom("pki_certificates")
    .select([
      "serial_hex",
      "status",
      "spki_sha256",
      "not_after",
      "created_at",
      "revoked_at",
      "revocation_reason",
    ])
    .where("serial_hex", "in", serials)
    .execute();
  return new Map(
    rows.map((r) => [
      r.serial_hex,
      {
        serialHex: r.serial_hex,
        status: r.status,
        spkiSha256: r.spki_sha256,
        notAfter: r.not_after,
        createdAt: r.created_at,
        revokedAt: r.revoked_at,
        revocationReason: r.revocation_reason,
      },
    ]),
  );
}

/**
 * Every certificate of this key (the SHA-256 of its SubjectPublicKeyInfo) not yet revoked for
 * keyCompromise: the still-valid ones, and those revoked for another reason (a superseded predecessor),
 * whose reason a lost key raises to keyCompromise (RFC 5280 allows it; the CA service does it).
 */
export async function certificatesToCompromise(q: Db | Trx, spkiSha256: string): Promise<string[]> {
  const rows = await q
    .selectFrom("pki_certificates")
    .select("serial_hex")
    .where("spki_sha256", "=", spkiSha256)
    .where((eb) =>
      eb.or([
        eb("status", "=", "good"),
        eb("revocation_reason", "is", null),
        eb("revocation_reason", "!=", "keyCompromise"),
      ]),
    )
    .orderBy("created_at")
    .execute();
  return rows.map((r) => r.serial_hex);
}

export interface Revocation {
  serialHex: string;
  reason: string;
}

/**
 * Revokes each certificate with its reason in the caller's transaction (status, audit, OCSP answers, a
 * new CRL, and for keyCompromise the key's block, all by the CA service). Returns one publish for the
 * caller to run after its commit.
 */
export async function revokeAll(
  trx: Trx,
  ca: Pick<CaService, "revokeInTransaction">,
  actor: CaActor,
  revocations: readonly Revocation[],
): Promise<() => void> {
  const publishes: (() => void)[] = [];
  for (const r of revocations) {
    const done = await ca.revokeInTransaction(trx, actor, { serialHex: r.serialHex, reason: r.reason });
    publishes.push(done.publish);
  }
  return () => {
    for (const p of publishes) p();
  };
}
