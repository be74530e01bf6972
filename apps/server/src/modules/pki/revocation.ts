// Revocation semantics (issue 12 item 8, RFC 5280 5.3.1): what a revocation request does to a
// certificate's status. certificateHold is the one reversible state: removeFromCRL releases it (OCSP
// says good again, the next CRL drops the entry), and any final reason makes it permanent. A
// permanently revoked certificate can only have its reason raised to keyCompromise (as Boulder does),
// which then blocks its key; anything else is refused. Each change is one guarded UPDATE, so a
// concurrent second request changes nothing and gets a 409.
import { REVOCATION_REASONS, type RevocationReason } from "@certhall/pki";
import type { Trx } from "../../db/database";
import type { PkiCertificatesTable } from "../../db/tables";
import { AppError } from "../../errors";

/** Reasons a request may name: every RFC 5280 reason; removeFromCRL releases a hold. */
export const REQUEST_REASONS = Object.keys(REVOCATION_REASONS) as RevocationReason[];

export type Transition =
  /** good → revoked with `reason`. */
  | { kind: "revoke" }
  /** revoked certificateHold → good (reason removeFromCRL). */
  | { kind: "release" }
  /** revoked → revoked with a new reason (a hold made final, or raised to keyCompromise). */
  | { kind: "reason"; from: string };

type Row = Pick<PkiCertificatesTable, "serial_hex" | "status" | "revoked_at" | "revocation_reason">;

const conflict = (detail: string) => new AppError("CONFLICT", detail, { field: "reason" });

export function transitionFor(row: Row, reason: RevocationReason): Transition {
  const serial = row.serial_hex;
  if (row.status === "good") {
    if (reason === "removeFromCRL") {
      throw conflict(`证书 ${serial} 未被暂停（certificateHold），无需解除（removeFromCRL）`);
    }
    return { kind: "revoke" };
  }
  const old = row.revocation_reason ?? "unspecified";
  if (old === "certificateHold") {
    if (reason === "removeFromCRL") return { kind: "release" };
    if (reason === "certificateHold")
      throw conflict(`证书 ${serial} 已于 ${row.revoked_at} 暂停，不能重复暂停`);
    return { kind: "reason", from: old };
  }
  if (reason === "keyCompromise" && old !== "keyCompromise") return { kind: "reason", from: old };
  if (reason === "removeFromCRL") {
    throw conflict(
      `证书 ${serial} 已于 ${row.revoked_at} 永久吊销（${old}），只有暂停（certificateHold）的证书可以解除`,
    );
  }
  throw conflict(
    `证书 ${serial} 已于 ${row.revoked_at ?? "此前"} 吊销，不能重复吊销（只能把原因改为 keyCompromise）`,
  );
}

/** Applies `t` to the certificate row inside `trx`; 409 when a concurrent request changed it first. */
export async function applyTransition(
  trx: Trx,
  row: Row & Pick<PkiCertificatesTable, "invalidity_date">,
  t: Transition,
  p: { reason: RevocationReason; at: Date; invalidityDate?: Date },
): Promise<Pick<PkiCertificatesTable, "status" | "revoked_at" | "revocation_reason" | "invalidity_date">> {
  const at = p.at.toISOString();
  const next =
    t.kind === "release"
      ? { status: "good" as const, revoked_at: null, revocation_reason: null, invalidity_date: null }
      : {
          status: "revoked" as const,
          revoked_at: t.kind === "revoke" ? at : row.revoked_at,
          revocation_reason: p.reason,
          invalidity_date:
            p.invalidityDate?.toISOString() ?? (t.kind === "revoke" ? null : row.invalidity_date),
        };
  let q = trx
    .updateTable("pki_certificates")
    .set({ ...next, status_changed_at: at })
    .where("serial_hex", "=", row.serial_hex)
    .where("status", "=", row.status);
  if (t.kind !== "revoke") q = q.where("revocation_reason", "=", row.revocation_reason ?? "");
  const updated = await q.executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) {
    throw conflict(`证书 ${row.serial_hex} 的状态刚被另一请求改变，请刷新后重试`);
  }
  return next;
}

export const AUDIT_ACTION: Record<Transition["kind"], string> = {
  revoke: "pki.certificate.revoked",
  release: "pki.certificate.released",
  reason: "pki.certificate.reason-changed",
};
