// The certificates an order acts on (【添加其他证书】): every business but 新证 names its items by a
// certificate the account already holds, or (其他厂商介质证书更换) by another vendor's certificate. This
// module finds the candidates, decides whether one may be used for a business, and holds it for the
// order so that two open orders never act on the same certificate at once.

import {
  addShanghaiYears,
  BUSINESS_TYPES,
  type BusinessCode,
  ORDER_STATE_INFO,
  type OrderState,
  renewalEnd,
  renewalWindowOpen,
  shanghaiDate,
} from "@certhall/domain";
import { addYears, PROFILES, type ProfileId } from "@certhall/pki";
import type { Db, Trx } from "../../db/database";
import { AppError } from "../../errors";
import { iso } from "../../lib/clock";
import { lineageIdsOf, lineagesOf } from "../certificates/lineage";
import { renewalWindowDays } from "../settings/settings.service";

/** An own certificate with the order item that produced it (its subject and product). */
export interface OwnedCertificate {
  serial_hex: string;
  subject: string;
  not_before: string;
  not_after: string;
  status: "good" | "revoked";
  origin_item_id: string;
  subject_id: string;
  subject_kind: "company" | "person";
  subject_name: string;
  subject_identity: string;
  subject_legal_rep: string | null;
  subject_address: string | null;
  ca_type_id: string;
  ca_type_name: string;
  ca_type_profile: string;
  years: number;
  media_serial: string | null;
}

/**
 * The account's certificates issued through an order (the item whose certificate_serial it is gives
 * its subject and product). Certificates of other accounts are never returned: the account id is part
 * of every query, so a serial typed from elsewhere is simply not found.
 */
export function ownedCertificates(q: Db | Trx, accountId: string) {
  return q
    .selectFrom("pki_certificates")
    .innerJoin("order_items", "order_items.certificate_serial", "pki_certificates.serial_hex")
    .innerJoin("subjects", "subjects.id", "order_items.subject_id")
    .innerJoin("ca_types", "ca_types.id", "order_items.ca_type_id")
    .select([
      "pki_certificates.serial_hex",
      "pki_certificates.subject",
      "pki_certificates.not_before",
      "pki_certificates.not_after",
      "pki_certificates.status",
      "order_items.id as origin_item_id",
      "subjects.id as subject_id",
      "subjects.kind as subject_kind",
      "subjects.name as subject_name",
      "subjects.identity_key as subject_identity",
      "subjects.legal_rep as subject_legal_rep",
      "subjects.address as subject_address",
      "ca_types.id as ca_type_id",
      "ca_types.name as ca_type_name",
      "ca_types.profile as ca_type_profile",
      "order_items.years",
      "order_items.media_serial",
    ])
    .where("pki_certificates.account_id", "=", accountId)
    .where("subjects.account_id", "=", accountId);
}

export interface HoldInfo {
  orderId: string;
  orderNo: string;
  state: string;
}

/**
 * The open order holding each serial: one on the certificate itself, or on any certificate of its
 * lineage (one open order per lineage, DESIGN §8).
 */
export async function holdsOf(q: Db | Trx, serials: string[]): Promise<Map<string, HoldInfo>> {
  if (serials.length === 0) return new Map();
  const lineages = await lineageIdsOf(
    q,
    serials.filter((s) => !s.startsWith("vendor:")),
  );
  const lineageIds = [...new Set(lineages.values())];
  const rows = await q
    .selectFrom("certificate_holds")
    .innerJoin("orders", "orders.id", "certificate_holds.order_id")
    .select([
      "certificate_holds.serial_hex",
      "certificate_holds.lineage_id",
      "orders.id",
      "orders.order_no",
      "orders.state",
    ])
    .where((eb) =>
      eb.or([
        eb("certificate_holds.serial_hex", "in", serials),
        eb("certificate_holds.lineage_id", "in", lineageIds.concat("")),
      ]),
    )
    .execute();
  const out = new Map<string, HoldInfo>();
  for (const s of serials) {
    const lineage = lineages.get(s);
    const r = rows.find((h) => h.serial_hex === s) ?? rows.find((h) => lineage && h.lineage_id === lineage);
    if (r) out.set(s, { orderId: r.id, orderNo: r.order_no, state: r.state });
  }
  return out;
}

export const heldMessage = (serial: string, h: HoldInfo) =>
  `证书 ${serial} 已在订单 ${h.orderNo}（${ORDER_STATE_INFO[h.state as OrderState]?.labelZh ?? h.state}）中办理，请等该订单办结或取消后再申请`;

/**
 * Why this certificate cannot be the target of this business now, in Chinese; null when it can.
 * `hold` is an open order already acting on it (other than `selfOrderId`, the order being edited);
 * `renewalWindowDays` is the admin-set window of 延期 (platform setting).
 */
export function targetProblem(
  business: BusinessCode,
  cert: Pick<OwnedCertificate, "serial_hex" | "status" | "not_after">,
  now: Date,
  opts: {
    hold?: HoldInfo;
    selfOrderId?: string;
    esealEnabled?: boolean;
    renewalWindowDays: number;
    /** The head of the certificate's lineage (DESIGN §8: only the head can be picked). */
    head?: string | null;
  },
): string | null {
  if (opts.head && opts.head !== cert.serial_hex) {
    return `该证书已被同一证书系列的新证书 ${opts.head} 取代，只能选择最新证书 ${opts.head} 办理`;
  }
  if (cert.status === "revoked") return "证书已吊销，不能办理";
  if (opts.hold && opts.hold.orderId !== opts.selfOrderId) return heldMessage(cert.serial_hex, opts.hold);
  const notAfter = new Date(cert.not_after);
  const expired = notAfter.getTime() <= now.getTime();
  if (business === "renew") {
    if (!renewalWindowOpen(notAfter, now, opts.renewalWindowDays)) {
      return `证书 ${shanghaiDate(notAfter)} 到期，到期前 ${opts.renewalWindowDays} 天内才能办理延期`;
    }
    return null;
  }
  if (expired) return `证书已于 ${shanghaiDate(notAfter)} 过期，请先办理延期或申请新证`;
  if (business === "eseal" && opts.esealEnabled) return "该证书已开通电子签章";
  return null;
}

/** 延期 of a certificate expired more than a year: the order goes to review (DESIGN §4). */
export function renewalNeedsReview(
  cert: Pick<OwnedCertificate, "not_after">,
  now: Date,
  years: number,
): boolean {
  const r = renewalEnd(new Date(cert.not_after), now, years);
  return !r.ok;
}

/**
 * 延期 for more years than the CA issues (DESIGN §4 with the CA's limit): the new end (renewalEnd; after
 * a review, the update day + years) less the day of issuance may not exceed the profile's maxYears, the
 * limit the CA itself enforces (packages/pki lint). Checked as if the update ran now, the earliest it
 * can: a later update keeps the same end (or counts from its own day) and so never goes further.
 * The problem in Chinese with the most years this certificate can take, or null.
 */
export function renewalTooLong(
  cert: Pick<OwnedCertificate, "not_after" | "ca_type_name" | "ca_type_profile">,
  now: Date,
  years: number,
): string | null {
  if (!Object.hasOwn(PROFILES, cert.ca_type_profile)) return null; // the CA answers an unknown profile
  const profile = PROFILES[cert.ca_type_profile as ProfileId];
  const limit = addYears(now, profile.maxYears).getTime();
  const endFor = (y: number) => {
    const r = renewalEnd(new Date(cert.not_after), now, y);
    return r.ok ? r.end : addShanghaiYears(now, y);
  };
  const end = endFor(years);
  if (end.getTime() <= limit) return null;
  let most = years - 1;
  while (most >= 1 && endFor(most).getTime() > limit) most--;
  return (
    `延期 ${years} 年后到期日为 ${shanghaiDate(end)}，超出「${cert.ca_type_name}」证书自办理日起最长 ` +
    `${profile.maxYears} 年的有效期，${most >= 1 ? `最多可延期 ${most} 年` : "请在证书到期日临近时再办理延期"}`
  );
}

/** The certificates of the account whose subject or serial matches `q`, with their eligibility. */
export async function findCandidates(
  db: Db,
  accountId: string,
  business: BusinessCode,
  q: string | undefined,
  now: Date,
) {
  let query = ownedCertificates(db, accountId);
  const term = q?.trim().replace(/[%_]/g, "");
  if (term) {
    query = query.where((eb) =>
      eb.or([
        eb("subjects.name", "like", `%${term}%`),
        eb("subjects.identity_key", "=", term.toUpperCase()),
        eb("pki_certificates.serial_hex", "=", term.toLowerCase()),
      ]),
    );
  }
  const found = await query.orderBy("pki_certificates.not_after").limit(100).execute();
  // One row per lineage: its head (or, once every certificate is revoked, its newest); a replaced
  // certificate is never offered (DESIGN §8).
  const lineages = await lineagesOf(
    db,
    found.map((r) => r.serial_hex),
  );
  const shown = (serial: string) => {
    const l = lineages.get(serial);
    if (!l || l.members.length === 0) return true;
    return serial === (l.head ?? l.members[l.members.length - 1]!.serial_hex);
  };
  const rows = found.filter((r) => shown(r.serial_hex));
  const holds = await holdsOf(
    db,
    rows.map((r) => r.serial_hex),
  );
  const windowDays = await renewalWindowDays(db);
  const eseals = new Set(
    rows.length
      ? (
          await db
            .selectFrom("eseals")
            .select("certificate_serial")
            .where(
              "certificate_serial",
              "in",
              rows.map((r) => r.serial_hex),
            )
            .execute()
        ).map((e) => e.certificate_serial)
      : [],
  );
  return rows.map((r) => ({
    cert: r,
    problem: targetProblem(business, r, now, {
      hold: holds.get(r.serial_hex),
      esealEnabled: eseals.has(r.serial_hex),
      renewalWindowDays: windowDays,
      head: lineages.get(r.serial_hex)?.head,
    }),
    hold: holds.get(r.serial_hex) ?? null,
  }));
}

/**
 * Holds the targets (and their lineages) for the order, replacing what it held; a race loses on the
 * primary key or on the lineage's unique index.
 */
export async function claimHolds(trx: Trx, orderId: string, serials: string[], now: Date): Promise<void> {
  await trx.deleteFrom("certificate_holds").where("order_id", "=", orderId).execute();
  if (serials.length === 0) return;
  const lineages = await lineageIdsOf(
    trx,
    serials.filter((s) => !s.startsWith("vendor:")),
  );
  const taken = await holdsOf(trx, serials);
  for (const s of serials) {
    const h = taken.get(s);
    if (h && h.orderId !== orderId) throw new AppError("CONFLICT", heldMessage(s, h), { field: "items" });
  }
  try {
    await trx
      .insertInto("certificate_holds")
      .values(
        serials.map((serial_hex) => ({
          serial_hex,
          order_id: orderId,
          created_at: iso(now),
          lineage_id: lineages.get(serial_hex) ?? null,
        })),
      )
      .execute();
  } catch (err) {
    // Another order claimed one of them between our check and our insert (its transaction won).
    void err;
    throw new AppError("CONFLICT", "所选证书刚被另一订单占用，请刷新后重试", { field: "items" });
  }
}

export async function releaseHolds(trx: Trx, orderId: string): Promise<void> {
  await trx.deleteFrom("certificate_holds").where("order_id", "=", orderId).execute();
}

export const businessName = (b: BusinessCode) => BUSINESS_TYPES[b].name;
