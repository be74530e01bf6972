// 电子签章开通 (DESIGN §2): the applicant uploads the seal picture (a PNG with a transparent background,
// checked by seal-image.ts), files an order naming a certificate and the seal, pays; when the order
// reaches "ready" the seal is enabled (orders/businesses/eseal.ts). The signing client then downloads the
// seal package: the certificate, its chain and the picture. The first download completes the order.
import { toPem } from "@certhall/pki";
import type { Config } from "../../config";
import type { Db } from "../../db/database";
import { AppError, notFound } from "../../errors";
import { type Clock, iso, newId } from "../../lib/clock";
import { appendAudit } from "../audit/audit.service";
import { applyTransition } from "../orders/order.transition";
import { type CaService, normalizeSerial } from "../pki/ca.service";
import { checkSealImage } from "./seal-image";

export interface EsealDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, "sms">;
  ca: CaService;
}

interface Meta {
  ip: string | null;
}

export function createEsealService(deps: EsealDeps) {
  const { db, clock, ca } = deps;
  const tdeps = { clock, signName: deps.config.sms.signName };

  /** Stores a checked seal picture of the account; an order names it by the returned id. */
  async function upload(accountId: string, bytes: Buffer, filename: string | undefined, meta: Meta) {
    const checked = checkSealImage(bytes);
    const id = newId();
    const now = clock();
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto("uploads")
        .values({
          id,
          account_id: accountId,
          order_id: null,
          purpose: "seal_image",
          filename: cleanFilename(filename),
          mime: "image/png",
          size: bytes.length,
          sha256: checked.sha256,
          data: bytes.toString("base64"),
          created_at: iso(now),
        })
        .execute();
      await appendAudit(trx, {
        at: now,
        actorType: "applicant",
        actorId: accountId,
        action: "eseal.image_uploaded",
        objectType: "upload",
        objectId: id,
        detail: { width: checked.width, height: checked.height, sha256: checked.sha256, size: bytes.length },
        ip: meta.ip,
      });
    });
    return { uploadId: id, width: checked.width, height: checked.height, sha256: checked.sha256 };
  }

  /**
   * The seal on one of the account's certificates, for the signing client. Another account's serial,
   * or a certificate without a seal, is "not found". While the seal's order is still "ready", this
   * first download completes it (已在线办理).
   */
  async function download(accountId: string, serial: string, meta: Meta) {
    let normalized: string;
    try {
      normalized = normalizeSerial(serial);
    } catch {
      throw notFound("电子签章");
    }
    const row = await db
      .selectFrom("eseals")
      .innerJoin("pki_certificates", "pki_certificates.serial_hex", "eseals.certificate_serial")
      .innerJoin("uploads", "uploads.id", "eseals.image_upload_id")
      .innerJoin("orders", "orders.id", "eseals.order_id")
      .select([
        "eseals.id",
        "eseals.order_id",
        "eseals.seal_name",
        "eseals.seal_kind",
        "eseals.enabled_at",
        "eseals.downloaded_at",
        "pki_certificates.ca_id",
        "pki_certificates.cert_der",
        "pki_certificates.status",
        "pki_certificates.not_after",
        "uploads.data as image_base64",
        "orders.state as order_state",
      ])
      .where("eseals.certificate_serial", "=", normalized)
      .where("eseals.account_id", "=", accountId)
      .where("pki_certificates.account_id", "=", accountId)
      .executeTakeFirst();
    if (!row) throw notFound("电子签章");
    if (row.order_state === "refunded") throw new AppError("INVALID_STATE", "订单已退款，该电子签章已停用");
    if (row.status === "revoked") throw new AppError("INVALID_STATE", "证书已吊销，该电子签章不能再使用");
    if (new Date(row.not_after).getTime() <= clock().getTime()) {
      throw new AppError("INVALID_STATE", "证书已过期，请先办理延期后再使用电子签章");
    }

    if (!row.downloaded_at || row.order_state === "ready") {
      await db.transaction().execute(async (trx) => {
        const now = clock();
        await trx
          .updateTable("eseals")
          .set({ downloaded_at: iso(now) })
          .where("id", "=", row.id)
          .where("downloaded_at", "is", null)
          .execute();
        const order = await trx
          .selectFrom("orders")
          .selectAll()
          .where("id", "=", row.order_id)
          .executeTakeFirstOrThrow();
        if (order.state !== "ready") return;
        try {
          await applyTransition(trx, tdeps, {
            order,
            event: "use",
            actor: { role: "applicant", type: "applicant", id: accountId },
            ip: meta.ip,
            detail: { certificateSerial: normalized },
          });
        } catch (err) {
          // A simultaneous download completed it first: nothing left to do.
          if (!(err instanceof AppError && err.code === "CONFLICT")) throw err;
        }
      });
    }

    const issuer = ca.list().find((c) => c.id === row.ca_id);
    const chain = issuer ? ca.chainOf(issuer) : [];
    return {
      serialHex: normalized,
      certificatePem: toPem(Buffer.from(row.cert_der, "base64"), "CERTIFICATE"),
      chainPem: chain.map((c) => c.certPem).join(""),
      sealName: row.seal_name,
      sealKind: row.seal_kind,
      image: Buffer.from(row.image_base64, "base64"),
      enabledAt: row.enabled_at,
    };
  }

  return { upload, download };
}

export type EsealService = ReturnType<typeof createEsealService>;

/** A file name safe to store and show: no path, no control characters, bounded length. */
function cleanFilename(name: string | undefined): string {
  const base = (name ?? "").split(/[\\/]/).pop() ?? "";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return (clean || "seal.png").slice(0, 120);
}
