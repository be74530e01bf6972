import { maskIdCard } from "@certhall/domain";
import type { Db } from "../../db/database";
import { notFound } from "../../errors";
import type { Clock } from "../../lib/clock";
import { type CaService, normalizeSerial } from "../pki/ca.service";
import { lineagesOf } from "./lineage";

export interface CertificateDeps {
  db: Db;
  clock: Clock;
  ca: CaService;
}

export type WalletState = "good" | "revoked" | "expired";

const DAY_MS = 24 * 3600 * 1000;

/** PEM body → DER; the stored certificates are PEM once read through the CA service. */
function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
}

/**
 * The applicant's wallet (DESIGN §6): every certificate the account holds (pki_certificates.account_id),
 * described by the order item it came from. Another account's certificate does not exist here.
 */
export function createCertificateService(deps: CertificateDeps) {
  const { db, clock, ca } = deps;

  function baseQuery(accountId: string) {
    return (
      db
        .selectFrom("pki_certificates")
        .leftJoin("order_items", "order_items.certificate_serial", "pki_certificates.serial_hex")
        .leftJoin("subjects", "subjects.id", "order_items.subject_id")
        // The subject as the certificate was issued (DESIGN §8: a 变更's certificate names the new version).
        .leftJoin("certificate_lineage as cl", "cl.serial_hex", "pki_certificates.serial_hex")
        .leftJoin("subject_versions as sv", "sv.id", "cl.subject_version_id")
        .leftJoin("ca_types", "ca_types.id", "order_items.ca_type_id")
        .leftJoin("orders", "orders.id", "pki_certificates.order_id")
        .select([
          "pki_certificates.serial_hex",
          "pki_certificates.ca_id",
          "pki_certificates.subject as dn",
          "pki_certificates.profile",
          "pki_certificates.not_before",
          "pki_certificates.not_after",
          "pki_certificates.status",
          "pki_certificates.revoked_at",
          "pki_certificates.revocation_reason",
          "pki_certificates.order_id",
          "orders.order_no",
          "subjects.kind as subject_kind",
          (eb) => eb.fn.coalesce("sv.name", "subjects.name").as("subject_name"),
          "subjects.identity_key as subject_identity",
          "ca_types.name as ca_type_name",
        ])
        .where("pki_certificates.account_id", "=", accountId)
    );
  }

  type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>["execute"]>>[number];

  function present(r: Row) {
    const now = clock().getTime();
    const notAfter = new Date(r.not_after).getTime();
    const state: WalletState = r.status === "revoked" ? "revoked" : notAfter <= now ? "expired" : "good";
    return {
      serialHex: r.serial_hex,
      subject: {
        kind: r.subject_kind ?? null,
        name: r.subject_name ?? r.dn,
        // A person's ID number is shown masked even to its owner's account (shared logins happen).
        identity:
          r.subject_identity && r.subject_kind === "person"
            ? maskIdCard(r.subject_identity)
            : (r.subject_identity ?? null),
      },
      dn: r.dn,
      caType: r.ca_type_name ?? null,
      profile: r.profile,
      orderNo: r.order_no ?? null,
      notBefore: new Date(r.not_before).toISOString(),
      notAfter: new Date(r.not_after).toISOString(),
      state,
      revokedAt: r.revoked_at,
      // Whole days left (negative once expired): what the expiry-at-a-glance column shows.
      expiresInDays: Math.floor((notAfter - now) / DAY_MS),
    };
  }

  /**
   * One row per lineage (DESIGN §8): its head, or once every certificate is revoked its newest; the
   * lineage's earlier certificates come along as `history`, newest first, for the page to unfold.
   */
  async function list(accountId: string) {
    const all = await baseQuery(accountId)
      .orderBy("pki_certificates.not_after", "desc")
      .orderBy("pki_certificates.serial_hex")
      .execute();
    const bySerial = new Map(all.map((r) => [r.serial_hex, r]));
    const lineages = await lineagesOf(
      db,
      all.map((r) => r.serial_hex),
    );
    const shownOf = (serial: string) => {
      const l = lineages.get(serial);
      if (!l || l.members.length === 0) return serial;
      return l.head ?? l.members[l.members.length - 1]!.serial_hex;
    };
    const rows = all.filter((r) => shownOf(r.serial_hex) === r.serial_hex);
    const history = (serial: string) =>
      (lineages.get(serial)?.members ?? [])
        .filter((m) => m.serial_hex !== serial && bySerial.has(m.serial_hex))
        .reverse()
        .map((m) => {
          const r = bySerial.get(m.serial_hex)!;
          return {
            serialHex: m.serial_hex,
            business: m.business,
            orderNo: r.order_no ?? null,
            notBefore: new Date(r.not_before).toISOString(),
            notAfter: new Date(r.not_after).toISOString(),
            state: present(r).state,
            revokedAt: r.revoked_at,
            revocationReason: r.revocation_reason,
          };
        });
    const serials = rows.map((r) => r.serial_hex);
    const eseals = new Map(
      serials.length
        ? (
            await db
              .selectFrom("eseals")
              .innerJoin("orders", "orders.id", "eseals.order_id")
              .select(["eseals.certificate_serial", "eseals.seal_name", "orders.state as order_state"])
              .where("eseals.account_id", "=", accountId)
              .where("eseals.certificate_serial", "in", serials)
              .execute()
          ).map((e) => [e.certificate_serial, e])
        : [],
    );
    // The open order acting on a certificate (one at most: certificate_holds), so the wallet can say
    // 「办理中」 and link to it instead of offering a second order.
    const lineageIds = serials.map((sr) => lineages.get(sr)?.lineageId ?? sr);
    const holdRows = serials.length
      ? await db
          .selectFrom("certificate_holds")
          .innerJoin("orders", "orders.id", "certificate_holds.order_id")
          .select([
            "certificate_holds.serial_hex",
            "certificate_holds.lineage_id",
            "orders.order_no",
            "orders.business",
          ])
          .where("orders.account_id", "=", accountId)
          .where((eb) =>
            eb.or([
              eb("certificate_holds.serial_hex", "in", serials),
              eb("certificate_holds.lineage_id", "in", lineageIds),
            ]),
          )
          .execute()
      : [];
    const holds = new Map<string, (typeof holdRows)[number]>();
    for (const h of holdRows) {
      holds.set(h.serial_hex, h);
      if (h.lineage_id) holds.set(h.lineage_id, h);
    }
    return rows.map((r) => {
      const base = present(r);
      const e = eseals.get(r.serial_hex);
      const hold = holds.get(r.serial_hex) ?? holds.get(lineages.get(r.serial_hex)?.lineageId ?? "");
      return {
        ...base,
        eseal: e
          ? { enabled: base.state === "good" && e.order_state !== "refunded", sealName: e.seal_name }
          : null,
        openOrder: hold ? { orderNo: hold.order_no, business: hold.business } : null,
        business:
          lineages.get(r.serial_hex)?.members.find((m) => m.serial_hex === r.serial_hex)?.business ?? null,
        history: history(r.serial_hex),
      };
    });
  }

  /** One certificate of the account, with its chain up to the root (issuing CA first). */
  async function download(accountId: string, serial: string) {
    let normalized: string;
    try {
      normalized = normalizeSerial(serial);
    } catch {
      throw notFound("证书");
    }
    const row = await baseQuery(accountId)
      .where("pki_certificates.serial_hex", "=", normalized)
      .executeTakeFirst();
    if (!row) throw notFound("证书");
    const record = await ca.getCertificate(normalized);
    const issuer = ca.list().find((c) => c.id === row.ca_id);
    const chain = issuer ? ca.chainOf(issuer) : [];
    return {
      serialHex: normalized,
      certificatePem: record.certificatePem,
      certificateDer: pemToDer(record.certificatePem),
      chainPem: chain.map((c) => c.certPem),
      chainDer: chain.map((c) => c.certDer),
    };
  }

  return { list, download };
}

export type CertificateService = ReturnType<typeof createCertificateService>;
