import {
  allowsStep,
  BUSINESS_TYPES,
  type BusinessCode,
  type ChangeDetails,
  decideAction,
  FINAL_ORDER_STATES,
  type ItemStep,
  materialsFor,
  type OrderState,
  revokeReasonOf,
  stepAllowed,
  type VendorSwapDetails,
  vendorSwapEnd,
} from "@certhall/domain";
import type { Config } from "../../config";
import type { Db, Trx } from "../../db/database";
import type { Order } from "../../db/tables.orders";
import { AppError, invalidField, notFound } from "../../errors";
import { type Clock, iso } from "../../lib/clock";
import { appendAudit } from "../audit/audit.service";
import { afterIssue, revokeStep } from "../orders/businesses/effects";
import { orderItemRows } from "../orders/order.queries";
import { applyTransition, type TransitionActor } from "../orders/order.transition";
import type { CaService, IssueResult } from "../pki/ca.service";
import { findOrderByReceiptText } from "../receipts/receipt.service";
import { queueSms } from "../sms/sms.outbox";
import { assertNotOwnOrder } from "../staff/staff.duties";
import { createUnlockService, unlockDetails } from "../unlock/unlock.service";

export interface WorkbenchDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, "sms" | "secretKey">;
  ca: CaService;
}

export interface StaffMeta {
  staffId: string;
  ip: string | null;
}

export type CompleteInput =
  | { version: number; how: "handover"; courier?: string; trackingNo?: string }
  | { version: number; how: "mail"; courier?: string; trackingNo?: string };

const businessName = (b: string) => BUSINESS_TYPES[b as BusinessCode]?.name ?? b;
const DAY_MS = 86_400_000;

function parseDetails(json: string | null): Record<string, unknown> {
  if (!json) return {};
  try {
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return {};
  }
}

type VendorRule = "plus_one_year" | "two_years_from_processing";

/** The revoke item's record of its own revocation (set by the window). */
interface RevokeDone {
  revokedAt?: string;
  revokedBy?: string;
}

/** The order machine's word on an item step (decideAction): the business allows it, the state fits. */
function requireStep(order: Order, step: ItemStep): void {
  const d = decideAction(order.state as OrderState, step, order.business as BusinessCode);
  if (!d.ok) throw new AppError("INVALID_STATE", d.reason);
}

export function createWorkbenchService(deps: WorkbenchDeps) {
  const { db, clock, ca } = deps;
  const tdeps = { clock, signName: deps.config.sms.signName };
  const operator = (id: string): TransitionActor => ({ role: "operator", type: "staff", id });
  const unlock = createUnlockService({ db, clock, config: deps.config });

  async function load(q: Db | Trx, orderId: string): Promise<Order> {
    const o = await q.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
    if (!o) throw notFound("订单");
    return o;
  }

  /** An order the clerk may act on: not one of his own (modules/staff/staff.duties.ts). */
  async function loadToAct(trx: Trx, orderId: string, meta: StaffMeta): Promise<Order> {
    const order = await load(trx, orderId);
    await assertNotOwnOrder(trx, meta.staffId, order);
    return order;
  }

  /**
   * The order a window clerk types or scans: the receipt's QR text (its verification URL, whose MAC is
   * checked, so a forged code finds nothing), the bare token, an order number, or a remittance code
   * (汇款识别码, what a bank slip or a phone call quotes).
   */
  async function find(text: string): Promise<Order> {
    const raw = text.trim();
    if (!raw) throw invalidField("q", "请输入订单号、汇款识别码或扫描回执单二维码");
    const byReceipt = await findOrderByReceiptText(db, raw, deps.config.secretKey);
    if (byReceipt) return byReceipt;
    const byCode = await db
      .selectFrom("orders")
      .selectAll()
      .where("remittance_code", "=", raw.toUpperCase())
      .executeTakeFirst();
    if (!byCode) throw new AppError("NOT_FOUND", `未找到与“${raw.slice(0, 80)}”对应的订单`);
    return byCode;
  }

  async function materialsOf(q: Db | Trx, order: Order) {
    const required = materialsFor(order.business as BusinessCode, order.subject_kind);
    const rows = await q
      .selectFrom("order_materials")
      .leftJoin("staff", "staff.id", "order_materials.received_by")
      .select([
        "order_materials.code",
        "order_materials.received_at",
        "order_materials.received_by",
        "staff.name as received_by_name",
      ])
      .where("order_materials.order_id", "=", order.id)
      .execute();
    const got = new Map(rows.map((r) => [r.code, r]));
    const materials = required.map((m) => {
      const r = got.get(m.code);
      return {
        code: m.code,
        labelZh: m.zh,
        labelEn: m.en,
        received: !!r,
        receivedAt: r?.received_at ?? null,
        receivedBy: r ? (r.received_by_name ?? r.received_by) : null,
      };
    });
    const missing = materials.filter((m) => !m.received);
    return {
      orderId: order.id,
      orderNo: order.order_no,
      state: order.state,
      version: order.version,
      materials,
      complete: missing.length === 0,
      missing: missing.map((m) => m.code),
    };
  }

  async function materials(orderId: string) {
    return materialsOf(db, await load(db, orderId));
  }

  /** Records which materials are in hand (the full ticked set; unticking is allowed until received). */
  async function tick(orderId: string, version: number, codes: string[], meta: StaffMeta) {
    return db.transaction().execute(async (trx) => {
      const order = await loadToAct(trx, orderId, meta);
      requireStep(order, "receive_materials");
      if (order.version !== version) throw new AppError("CONFLICT", "订单已被更新，请刷新页面后重试");
      const required = materialsFor(order.business as BusinessCode, order.subject_kind);
      const known = new Set<string>(required.map((m) => m.code));
      const wanted = new Set(codes);
      const unknown = [...wanted].filter((c) => !known.has(c));
      if (unknown.length) {
        throw invalidField("received", `该业务不需要这些材料：${unknown.join("、")}`);
      }
      const before = new Set(
        (
          await trx.selectFrom("order_materials").select("code").where("order_id", "=", order.id).execute()
        ).map((r) => r.code),
      );
      const added = [...wanted].filter((c) => !before.has(c));
      const removed = [...before].filter((c) => !wanted.has(c));
      if (removed.length) {
        await trx
          .deleteFrom("order_materials")
          .where("order_id", "=", order.id)
          .where("code", "in", removed)
          .execute();
      }
      const now = clock();
      if (added.length) {
        await trx
          .insertInto("order_materials")
          .values(
            added.map((code) => ({
              order_id: order.id,
              code,
              received_by: meta.staffId,
              received_at: iso(now),
            })),
          )
          .execute();
      }
      // The ticked set is what `receive` checks: bump the version so a stale screen cannot receive.
      const r = await trx
        .updateTable("orders")
        .set({ version: order.version + 1, updated_at: iso(now) })
        .where("id", "=", order.id)
        .where("version", "=", order.version)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1)
        throw new AppError("CONFLICT", "订单已被他人更新，请刷新页面后重试");
      await appendAudit(trx, {
        at: now,
        actorType: "staff",
        actorId: meta.staffId,
        action: "order.materials",
        objectType: "order",
        objectId: order.id,
        detail: { orderNo: order.order_no, received: [...wanted].sort(), added, removed },
        ip: meta.ip,
      });
      return materialsOf(trx, { ...order, version: order.version + 1 });
    });
  }

  /** 材料已收齐: only with every required material ticked; then the order machine's receive_materials. */
  async function receive(orderId: string, version: number, meta: StaffMeta): Promise<Order> {
    return db.transaction().execute(async (trx) => {
      const order = await load(trx, orderId);
      if (stepAllowed(order, "receive_materials")) {
        const m = await materialsOf(trx, order);
        if (!m.complete) {
          const names = m.materials.filter((x) => !x.received).map((x) => x.labelZh);
          throw new AppError("INVALID_STATE", `材料未收齐，缺少：${names.join("、")}`, { field: "received" });
        }
      }
      return applyTransition(trx, tdeps, {
        order,
        event: "receive_materials",
        actor: operator(meta.staffId),
        expectedVersion: version,
        ip: meta.ip,
      });
    });
  }

  async function itemOf(q: Db | Trx, orderId: string, itemId: string) {
    const item = await orderItemRows(q)
      .where("order_items.id", "=", itemId)
      .where("order_items.order_id", "=", orderId)
      .executeTakeFirst();
    if (!item) throw notFound("订单中的证书项");
    return item;
  }

  /** Records the USB key (介质) the certificate goes on; one key belongs to one open item only. */
  async function setMedia(orderId: string, itemId: string, mediaSerial: string, meta: StaffMeta) {
    const serial = mediaSerial.trim().toUpperCase();
    return db.transaction().execute(async (trx) => {
      const order = await loadToAct(trx, orderId, meta);
      requireStep(order, "set_media");
      const item = await itemOf(trx, order.id, itemId);
      const taken = await trx
        .selectFrom("order_items")
        .innerJoin("orders", "orders.id", "order_items.order_id")
        .select(["orders.order_no"])
        .where("order_items.media_serial", "=", serial)
        .where("order_items.id", "!=", item.id)
        // Orders not over still hold their media: a USB key serial may sit on one of them only.
        .where("orders.state", "not in", FINAL_ORDER_STATES)
        .executeTakeFirst();
      if (taken) {
        throw new AppError("CONFLICT", `介质序列号 ${serial} 已登记在订单 ${taken.order_no} 上`, {
          field: "mediaSerial",
        });
      }
      await trx.updateTable("order_items").set({ media_serial: serial }).where("id", "=", item.id).execute();
      await appendAudit(trx, {
        at: clock(),
        actorType: "staff",
        actorId: meta.staffId,
        action: "order.media",
        objectType: "order",
        objectId: order.id,
        detail: {
          orderNo: order.order_no,
          itemId: item.id,
          mediaSerial: serial,
          previous: item.media_serial,
        },
        ip: meta.ip,
      });
      return { itemId: item.id, mediaSerial: serial };
    });
  }

  /**
   * Issues the certificate of one item. The subject is the APPROVED order's (the item's subject row,
   * with a 变更's changes applied), the profile the CA type's: the CSR only proves possession of the
   * key (DESIGN §5). The validity: 新证 the years bought; 变更/补证/换证 the old certificate's end (the
   * successor keeps the paid period; the years when that is less than a day away); 其他厂商介质证书更换
   * the vendor rule recomputed today. The CA's writes, the serial on the item, the old certificate's
   * revocation and a 变更's new subject details commit in one transaction; OCSP and the CRL are
   * published after the commit.
   */
  async function issue(orderId: string, itemId: string, csrPem: string, meta: StaffMeta) {
    let publish: (() => void) | null = null;
    const cert = await db.transaction().execute(async (trx) => {
      const order = await loadToAct(trx, orderId, meta);
      const business = order.business as BusinessCode;
      requireStep(order, "issue");
      const item = await itemOf(trx, order.id, itemId);
      const alreadyIssued = () =>
        new AppError("CONFLICT", `第 ${item.position + 1} 项证书已签发，不能重复签发`, { field: "itemId" });
      if (item.certificate_serial) throw alreadyIssued();
      // Claim the row first: on PostgreSQL a concurrent second issue waits here, then updates nothing.
      const claim = await trx
        .updateTable("order_items")
        .set({ certificate_serial: null })
        .where("id", "=", item.id)
        .where("certificate_serial", "is", null)
        .executeTakeFirst();
      if (Number(claim.numUpdatedRows) !== 1) throw alreadyIssued();
      const details = parseDetails(item.details);
      const changes = business === "change" ? ((details as unknown as ChangeDetails).changes ?? {}) : {};
      const name = changes.name ?? item.subject_name;
      const subject =
        item.subject_kind === "company"
          ? { kind: "enterprise", name, uscc: item.subject_identity }
          : { kind: "person", name, idNumber: item.subject_identity };
      const now = clock();
      const { validity, old } = await successorValidity(trx, business, item, details, now);
      const actor = { type: "staff" as const, id: meta.staffId, ip: meta.ip };
      const cert: IssueResult = await ca.issue(
        actor,
        {
          csrPem,
          profile: item.ca_type_profile,
          subject,
          ...validity,
          accountId: order.account_id,
          orderId: order.id,
        },
        trx,
      );
      await trx
        .updateTable("order_items")
        .set({ certificate_serial: cert.serialHex })
        .where("id", "=", item.id)
        .execute();
      // DESIGN §8: the lineage, the revocations the business makes, the e-seal moving to the new head.
      const effects = await afterIssue(trx, ca, actor, {
        order,
        item,
        details: details as Record<string, unknown>,
        serialHex: cert.serialHex,
        at: now,
      });
      publish = effects.publish;
      const superseded = old ? (effects.revoked.find((r) => r.serialHex === old.serial_hex) ?? null) : null;
      await appendAudit(trx, {
        at: now,
        actorType: "staff",
        actorId: meta.staffId,
        action: "order.issue",
        objectType: "order",
        objectId: order.id,
        detail: {
          orderNo: order.order_no,
          itemId: item.id,
          serialHex: cert.serialHex,
          subject: cert.subject,
          notAfter: cert.notAfter,
          ...(superseded ? { supersedes: superseded.serialHex, revocationReason: superseded.reason } : {}),
          ...(effects.revoked.length ? { revoked: effects.revoked } : {}),
          ...(business === "change" ? { changes } : {}),
        },
        ip: meta.ip,
      });
      const open = await trx
        .selectFrom("order_items")
        .select("id")
        .where("order_id", "=", order.id)
        .where("certificate_serial", "is", null)
        .execute();
      if (open.length === 0) {
        await queueSms(trx, tdeps, order.handler_phone, "certificate_issued", { orderNo: order.order_no });
      }
      return cert;
    });
    // After the commit: this process's OCSP and CRL caches learn of the old certificate's revocation.
    (publish as (() => void) | null)?.();
    return cert;
  }

  /**
   * How long an item's new certificate runs (the rule `issue` applies): 新证 the years bought;
   * 变更/补证/换证 until the old certificate's end (the years when that is less than a day away);
   * 其他厂商介质证书更换 the vendor rule on today's date (refused once the vendor certificate expired).
   */
  async function successorValidity(
    trx: Trx | Db,
    business: BusinessCode,
    item: { position: number; years: number; target_serial: string | null },
    details: Record<string, unknown>,
    now: Date,
  ): Promise<{
    validity: { years: number } | { notAfter: Date };
    basis: "years" | "old_end" | VendorRule;
    old: { serial_hex: string; not_after: string } | null;
  }> {
    if (BUSINESS_TYPES[business].succeedsTarget) {
      const old = await oldCertificate(trx, item);
      const oldEnd = new Date(old.not_after);
      return oldEnd.getTime() - now.getTime() >= DAY_MS
        ? { validity: { notAfter: oldEnd }, basis: "old_end", old }
        : { validity: { years: item.years }, basis: "years", old };
    }
    if (business === "vendor_swap") {
      const vendor = (details as unknown as VendorSwapDetails).vendor;
      if (!vendor?.notAfter) {
        throw new AppError("INVALID_STATE", `第 ${item.position + 1} 项缺少其他厂商证书信息，不能签发`);
      }
      const rule = vendorSwapEnd(new Date(vendor.notAfter), now);
      if (!rule.ok) throw new AppError("INVALID_STATE", `第 ${item.position + 1} 项：${rule.reason}`);
      return { validity: { notAfter: rule.end }, basis: rule.rule, old: null };
    }
    return { validity: { years: item.years }, basis: "years", old: null };
  }

  /** What issuing the item now would give (for the window's screen): the end date and its basis. */
  async function validityPreview(orderId: string, itemId: string) {
    const order = await load(db, orderId);
    const business = order.business as BusinessCode;
    if (!allowsStep(business, "issue")) {
      throw new AppError("INVALID_STATE", `「${businessName(business)}」业务不在窗口签发证书`);
    }
    const item = await itemOf(db, order.id, itemId);
    const now = clock();
    const { validity, basis, old } = await successorValidity(
      db,
      business,
      item,
      parseDetails(item.details),
      now,
    );
    let notAfter: Date;
    if ("notAfter" in validity) notAfter = validity.notAfter;
    else {
      notAfter = new Date(now);
      notAfter.setUTCFullYear(notAfter.getUTCFullYear() + validity.years);
    }
    return {
      itemId: item.id,
      basis,
      notAfter: iso(notAfter),
      oldSerial: old?.serial_hex ?? null,
      oldNotAfter: old?.not_after ?? null,
    };
  }

  /** The certificate an item supersedes: it must still be ours and good (revoked elsewhere → 409). */
  async function oldCertificate(
    trx: Trx | Db,
    item: { position: number; target_serial: string | null },
  ): Promise<{ serial_hex: string; not_after: string }> {
    const label = `第 ${item.position + 1} 项`;
    if (!item.target_serial) throw new AppError("INVALID_STATE", `${label}没有原证书，不能签发`);
    const row = await trx
      .selectFrom("pki_certificates")
      .select(["serial_hex", "not_after", "status", "revoked_at", "revocation_reason"])
      .where("serial_hex", "=", item.target_serial)
      .executeTakeFirst();
    if (!row) throw new AppError("INVALID_STATE", `${label}的原证书 ${item.target_serial} 不存在`);
    if (row.status === "revoked") {
      throw new AppError(
        "CONFLICT",
        `${label}的原证书 ${row.serial_hex} 已于 ${row.revoked_at} 吊销（${row.revocation_reason ?? "未注明原因"}），不能再为其签发后续证书；请联系申请人取消订单`,
      );
    }
    return row;
  }

  /**
   * 注销: revokes the item's certificate and its lineage with the applicant's reason (keyCompromise: every
   * certificate of the key too, see businesses/revoke.ts). Once per item: a second call, or a
   * certificate already revoked by another way (the CA's own API, the CLI), is a 409 saying which.
   */
  async function revoke(orderId: string, itemId: string, meta: StaffMeta) {
    let publish: (() => void) | null = null;
    const out = await db.transaction().execute(async (trx) => {
      const order = await loadToAct(trx, orderId, meta);
      requireStep(order, "revoke");
      // Row lock on the item first: two clerks revoking at once queue here, the second sees the first.
      await trx
        .updateTable("order_items")
        .set((eb) => ({ position: eb.ref("position") }))
        .where("id", "=", itemId)
        .where("order_id", "=", order.id)
        .execute();
      const item = await itemOf(trx, order.id, itemId);
      const label = `第 ${item.position + 1} 项`;
      const details = parseDetails(item.details) as RevokeDone;
      if (details.revokedAt) {
        throw new AppError(
          "CONFLICT",
          `${label}证书 ${item.target_serial} 已于 ${details.revokedAt} 注销，不能重复注销`,
        );
      }
      if (!item.target_serial) throw new AppError("INVALID_STATE", `${label}没有要注销的证书`);
      const row = await trx
        .selectFrom("pki_certificates")
        .select(["serial_hex", "status", "revoked_at", "revocation_reason"])
        .where("serial_hex", "=", item.target_serial)
        .executeTakeFirst();
      if (!row) throw new AppError("INVALID_STATE", `${label}的证书 ${item.target_serial} 不存在`);
      if (row.status === "revoked") {
        throw new AppError(
          "CONFLICT",
          `${label}证书 ${row.serial_hex} 已于 ${row.revoked_at} 通过其他途径吊销（${row.revocation_reason ?? "未注明原因"}），无需再注销，可直接办结`,
        );
      }
      const effects = await revokeStep(
        trx,
        ca,
        { type: "staff", id: meta.staffId, ip: meta.ip },
        {
          order,
          item: { target_serial: row.serial_hex, details: details as Record<string, unknown> },
        },
      );
      publish = effects.publish;
      const reason =
        effects.revoked.find((x) => x.serialHex === row.serial_hex)?.reason ??
        revokeReasonOf(details as Record<string, unknown>);
      const revokedAt = iso(clock());
      const done: RevokeDone = { revokedAt, revokedBy: meta.staffId };
      await trx
        .updateTable("order_items")
        .set({ details: JSON.stringify({ ...parseDetails(item.details), ...done }) })
        .where("id", "=", item.id)
        .execute();
      await appendAudit(trx, {
        at: clock(),
        actorType: "staff",
        actorId: meta.staffId,
        action: "order.revoke",
        objectType: "order",
        objectId: order.id,
        detail: {
          orderNo: order.order_no,
          itemId: item.id,
          serialHex: row.serial_hex,
          reason,
          ...(effects.revoked.length > 1 ? { revoked: effects.revoked } : {}),
        },
        ip: meta.ip,
      });
      return { itemId: item.id, serialHex: row.serial_hex, reason, revokedAt };
    });
    (publish as (() => void) | null)?.();
    return out;
  }

  /** Which items keep the order from 办结, per business (contract: "an item counts as done when"). */
  async function notDone(trx: Trx, order: Order): Promise<string | null> {
    const items = await trx
      .selectFrom("order_items")
      .select(["position", "certificate_serial", "media_serial", "target_serial", "details"])
      .where("order_id", "=", order.id)
      .orderBy("position")
      .execute();
    const list = (xs: { position: number }[]) => xs.map((i) => `第 ${i.position + 1} 项`).join("、");
    const business = order.business as BusinessCode;
    if (allowsStep(business, "issue")) {
      const notIssued = items.filter((i) => !i.certificate_serial);
      if (notIssued.length) return `证书尚未全部签发（${list(notIssued)}），不能办结`;
      const noMedia = items.filter((i) => !i.media_serial);
      if (noMedia.length) return `尚未登记介质序列号（${list(noMedia)}），不能办结`;
      return null;
    }
    if (business === "unlock") {
      const locked = items.filter((i) => !unlockDetails(i).unlockedAt);
      return locked.length ? `介质尚未解锁（${list(locked)}），不能办结` : null;
    }
    if (business === "revoke") {
      const serials = items.map((i) => i.target_serial ?? "");
      const revoked = new Set(
        (
          await trx
            .selectFrom("pki_certificates")
            .select("serial_hex")
            .where("serial_hex", "in", serials.concat(""))
            .where("status", "=", "revoked")
            .execute()
        ).map((r) => r.serial_hex),
      );
      const open = items.filter((i) => !revoked.has(i.target_serial ?? ""));
      return open.length ? `证书尚未注销（${list(open)}），不能办结` : null;
    }
    return `「${businessName(business)}」业务不在窗口办结`;
  }

  /** 办结: every item done by its business's rule (see notDone); mail needs courier and tracking number. */
  async function complete(orderId: string, input: CompleteInput, meta: StaffMeta): Promise<Order> {
    const courier = input.courier?.trim() || null;
    const trackingNo = input.trackingNo?.trim() || null;
    if (input.how === "mail") {
      if (!courier) throw invalidField("courier", "邮寄须填写快递公司");
      if (!trackingNo) throw invalidField("trackingNo", "邮寄须填写快递单号");
    }
    return db.transaction().execute(async (trx) => {
      const order = await load(trx, orderId);
      requireStep(order, "deliver");
      const blocked = await notDone(trx, order);
      if (blocked) {
        throw new AppError(
          "INVALID_STATE",
          blocked,
          blocked.includes("介质序列号") ? { field: "mediaSerial" } : {},
        );
      }
      const how =
        input.how === "mail"
          ? `已寄出：${courier} ${trackingNo}`
          : order.business === "revoke"
            ? "证书已注销"
            : "请到窗口领取";
      const done = await applyTransition(trx, tdeps, {
        order,
        event: "complete",
        actor: operator(meta.staffId),
        expectedVersion: input.version,
        set:
          input.how === "mail"
            ? { delivery_method: "mail", courier, tracking_no: trackingNo }
            : { delivery_method: "window" },
        ip: meta.ip,
        detail: { how: input.how, ...(courier ? { courier, trackingNo } : {}) },
      });
      await queueSms(trx, tdeps, order.handler_phone, "order_completed", { orderNo: order.order_no, how });
      return done;
    });
  }

  return {
    find,
    materials,
    tick,
    receive,
    setMedia,
    issue,
    validityPreview,
    revoke,
    complete,
    unlockCode: unlock.issueCode,
    unlockedAtWindow: unlock.markUnlockedAtWindow,
    soPin: unlock.soPinForItem,
  };
}

export type WorkbenchService = ReturnType<typeof createWorkbenchService>;
