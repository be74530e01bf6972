import type { EsealDetails } from "@certhall/domain";
import type { Trx } from "../../../db/database";
import type { Order } from "../../../db/tables.orders";
import { AppError } from "../../../errors";
import { iso, newId } from "../../../lib/clock";
import { appendAudit } from "../../audit/audit.service";
import { queueSms } from "../../sms/sms.outbox";
import type { TransitionDeps } from "../order.transition";
import { NO_EFFECTS, type ServerBusiness } from "./define";

/**
 * 电子签章开通: reaching "ready" (paid online, or booked by finance after a bank transfer) enables the
 * seals at once, so the applicant can download and use them without another step. Its one SMS says the
 * seals are enabled, in place of the generic "order_ready". No certificate changes; a seal follows its
 * lineage to each new head (businesses/effects.ts).
 */
export const eseal = {
  code: "eseal",
  lineage: null,
  ...NO_EFFECTS,
  onReady: async (trx, order, deps) => {
    await enableEseals(trx, order, deps);
    return { notified: true };
  },
} satisfies ServerBusiness<"eseal">;

/**
 * One eseals row per item: the seal (name, kind, the uploaded PNG) on the item's certificate. The
 * order's hold on the certificate kept any other order off it; a certificate that has a seal anyway
 * (enabled by an order filed before this rule) makes the whole step fail, nothing half-enabled.
 */
async function enableEseals(trx: Trx, order: Order, deps: TransitionDeps): Promise<void> {
  const now = deps.clock();
  const items = await trx
    .selectFrom("order_items")
    .select(["id", "position", "target_serial", "details"])
    .where("order_id", "=", order.id)
    .orderBy("position")
    .execute();
  const enabled: { serial: string; sealName: string }[] = [];
  for (const item of items) {
    const details = JSON.parse(item.details ?? "{}") as Partial<EsealDetails>;
    const serial = item.target_serial;
    const label = `第 ${item.position + 1} 项`;
    if (!serial || !details.sealName || !details.sealKind || !details.sealUploadId) {
      throw new AppError("INVALID_STATE", `${label}缺少证书或印章信息，不能开通电子签章`);
    }
    // The image must still be the applicant's seal upload, byte for byte what the order was filed with.
    const upload = await trx
      .selectFrom("uploads")
      .select(["id", "sha256"])
      .where("id", "=", details.sealUploadId)
      .where("account_id", "=", order.account_id)
      .where("purpose", "=", "seal_image")
      .executeTakeFirst();
    if (!upload || (details.sealSha256 && upload.sha256 !== details.sealSha256)) {
      throw new AppError("INVALID_STATE", `${label}的印章图片不存在或已更改，不能开通电子签章`);
    }
    const existing = await trx
      .selectFrom("eseals")
      .select("id")
      .where("certificate_serial", "=", serial)
      .executeTakeFirst();
    if (existing) throw new AppError("CONFLICT", `${label}：证书 ${serial} 已开通电子签章`);
    await trx
      .insertInto("eseals")
      .values({
        id: newId(),
        certificate_serial: serial,
        account_id: order.account_id,
        order_id: order.id,
        item_id: item.id,
        seal_name: details.sealName,
        seal_kind: details.sealKind,
        image_upload_id: upload.id,
        enabled_at: iso(now),
        downloaded_at: null,
      })
      .execute();
    await trx.updateTable("uploads").set({ order_id: order.id }).where("id", "=", upload.id).execute();
    enabled.push({ serial, sealName: details.sealName });
  }
  await queueSms(trx, deps, order.handler_phone, "eseal_enabled", {
    orderNo: order.order_no,
    count: String(enabled.length),
  });
  await appendAudit(trx, {
    at: now,
    actorType: "system",
    actorId: null,
    action: "eseal.enabled",
    objectType: "order",
    objectId: order.id,
    detail: { orderNo: order.order_no, seals: enabled },
    ip: null,
  });
}
