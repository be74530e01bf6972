// Revocation (RFC 5280 reasons, semantics in revocation.ts) and certificate lookups. A revocation costs
// one certificate row, its audit entry and its re-signed OCSP answers, in the caller's transaction;
// the CRL is re-signed in the background after the commit (ca.crl.ts, crl.resigner.ts).
import { parseCertificate, type RevocationReason, toPem } from "@certhall/pki";
import { sql } from "kysely";
import type { Trx } from "../../db/database";
import type { PkiCertificatesTable } from "../../db/tables";
import { AppError } from "../../errors";
import { appendAudit } from "../audit/audit.service";
import type { PkiCoordination } from "./ca.coordination";
import type { Hierarchy } from "./ca.hierarchy";
import type { OcspService } from "./ca.ocsp";
import {
  type CaServiceDeps,
  type CertificateRecord,
  type LoadedCa,
  type RevokeInput,
  unb64,
  wholeSecond,
} from "./ca.types";
import type { CaActor } from "./ceremony";
import { blockKey, spkiSha256 } from "./key-policy";
import { AUDIT_ACTION, applyTransition, REQUEST_REASONS, transitionFor } from "./revocation";
import { normalizeSerial } from "./serial";

function checkedInput(input: RevokeInput, now: Date) {
  if (!REQUEST_REASONS.includes(input.reason as RevocationReason)) {
    throw new AppError(
      "VALIDATION_FAILED",
      `吊销原因（reason）“${input.reason}”无效，可用：${REQUEST_REASONS.join("、")}（removeFromCRL 解除暂停）`,
      { field: "reason" },
    );
  }
  if (input.invalidityDate && input.invalidityDate.getTime() > now.getTime()) {
    throw new AppError("VALIDATION_FAILED", "失效日期（invalidityDate）不能晚于当前时间", {
      field: "invalidityDate",
    });
  }
  return { serial: normalizeSerial(input.serialHex), reason: input.reason as RevocationReason };
}

const notFound = (serial: string) =>
  new AppError("NOT_FOUND", `序列号为 ${serial} 的证书不存在`, { field: "serialHex" });

export function createRevocation(
  deps: CaServiceDeps,
  ctx: { hierarchy: Hierarchy; ocsp: OcspService; coordination: PkiCoordination },
) {
  const { db, clock } = deps;
  const { hierarchy, ocsp, coordination } = ctx;

  function toRecord(row: PkiCertificatesTable, ca?: LoadedCa): CertificateRecord {
    return {
      serialHex: row.serial_hex,
      ca: (ca ?? hierarchy.byId(row.ca_id))?.slug ?? row.ca_id,
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

  /** The certificate row and its CA, which must be an issuing CA whose key this process holds. */
  async function targetOf(trx: Trx, serial: string) {
    const row = await trx
      .selectFrom("pki_certificates")
      .selectAll()
      .where("serial_hex", "=", serial)
      .executeTakeFirst();
    if (!row) throw notFound(serial);
    const ca = hierarchy.byId(row.ca_id);
    if (ca?.role === "root") {
      throw new AppError(
        "INVALID_STATE",
        `证书 ${serial} 是根 CA 签发的签发 CA 证书：请在根 CA 仪式中用 certhall ca ceremony revoke-issuing 吊销`,
        { field: "serialHex" },
      );
    }
    if (!ca?.signer) throw new AppError("INVALID_STATE", "该证书的签发 CA 私钥不在本系统，无法吊销");
    return { row, ca };
  }

  /**
   * Revokes inside the caller's transaction: the certificate's status, the audit entry and every stored
   * OCSP answer are written with `trx`, so an RA step (an order item superseding or cancelling a
   * certificate) commits or rolls back with the revocation. The caller runs `publish()` after its
   * commit: OCSP answers the new status at once (this process's cache, every instance told), and the
   * CRL is marked for its background re-signing (before the commit they would announce a revocation
   * that might still roll back).
   */
  async function revokeInTransaction(
    trx: Trx,
    actor: CaActor,
    input: RevokeInput,
  ): Promise<{ record: CertificateRecord; publish: () => void }> {
    const now = clock();
    const { serial, reason } = checkedInput(input, now);
    const at = wholeSecond(now);
    const { row, ca } = await targetOf(trx, serial);
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
    const publishOcsp = await ocsp.resignIn(trx, ca, serial, next);
    const record = toRecord({ ...row, ...next }, ca);
    const publish = () => {
      publishOcsp();
      coordination.publish({ type: "crl-stale", caId: ca.id });
    };
    return { record, publish };
  }

  /** Revokes in a transaction of its own, then publishes (OCSP at once, the CRL in the background). */
  async function revoke(actor: CaActor, input: RevokeInput): Promise<CertificateRecord> {
    const { record, publish } = await db
      .transaction()
      .execute((trx) => revokeInTransaction(trx, actor, input));
    publish();
    return record;
  }

  async function getCertificate(serialHex: string): Promise<CertificateRecord> {
    const serial = normalizeSerial(serialHex);
    const row = await db
      .selectFrom("pki_certificates")
      .selectAll()
      .where("serial_hex", "=", serial)
      .executeTakeFirst();
    if (!row) throw notFound(serial);
    return toRecord(row);
  }

  async function stats() {
    const rows = await db
      .selectFrom("pki_certificates")
      .select(["ca_id", "status", sql<number>`count(*)`.as("n")])
      .groupBy(["ca_id", "status"])
      .execute();
    return rows.map((r) => ({
      ca: hierarchy.byId(r.ca_id)?.slug ?? r.ca_id,
      status: r.status,
      count: Number(r.n),
    }));
  }

  return { revokeInTransaction, revoke, getCertificate, stats };
}
