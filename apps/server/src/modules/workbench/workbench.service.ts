import { type BusinessCode, materialsFor, ORDER_STATE_INFO, type OrderState } from "@certhall/domain";
import type { Config } from "../../config";
import type { Db, Trx } from "../../db/database";
import type { Order } from "../../db/tables.orders";
import { AppError, invalidField, notFound } from "../../errors";
import { type Clock, iso } from "../../lib/clock";
import { appendAudit } from "../audit/audit.service";
import { orderItemRows } from "../orders/order.queries";
import { applyTransition, type TransitionActor } from "../orders/order.transition";
import type { CaService, IssueResult } from "../pki/ca.service";
import { findOrderByReceiptText } from "../receipts/receipt.service";
import { queueSms } from "../sms/sms.outbox";

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

/** Orders whose items still hold their media: a USB key serial may sit on one of them only. */
const CLOSED_STATES: OrderState[] = ["completed", "cancelled", "refunded"];

export type CompleteInput =
  | { version: number; how: "handover"; courier?: string; trackingNo?: string }
  | { version: number; how: "mail"; courier?: string; trackingNo?: string };

const stateLabel = (s: string) => ORDER_STATE_INFO[s as OrderState]?.labelZh ?? s;

function requireState(order: Order, states: OrderState[], what: string): void {
  if (!states.includes(order.state as OrderState)) {
    throw new AppError("INVALID_STATE", `订单当前状态为「${stateLabel(order.state)}」，不能${what}`);
  }
}

export function createWorkbenchService(deps: WorkbenchDeps) {
  const { db, clock, ca } = deps;
  const tdeps = { clock, signName: deps.config.sms.signName };
  const operator = (id: string): TransitionActor => ({ role: "operator", type: "staff", id });

  async function load(q: Db | Trx, orderId: string): Promise<Order> {
    const o = await q.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
    if (!o) throw notFound("订单");
    return o;
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
      const order = await load(trx, orderId);
      requireState(order, ["awaiting_materials"], "登记材料");
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
      if (order.state === "awaiting_materials") {
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
      const order = await load(trx, orderId);
      requireState(order, ["awaiting_materials", "processing"], "登记介质");
      const item = await itemOf(trx, order.id, itemId);
      const taken = await trx
        .selectFrom("order_items")
        .innerJoin("orders", "orders.id", "order_items.order_id")
        .select(["orders.order_no"])
        .where("order_items.media_serial", "=", serial)
        .where("order_items.id", "!=", item.id)
        .where("orders.state", "not in", CLOSED_STATES)
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
   * Issues the certificate of one item. The subject is the APPROVED order's (the item's subject row),
   * the profile the CA type's, the validity the years bought: the CSR only proves possession of the key
   * (DESIGN §5). The CA's writes and the serial on the item commit in one transaction.
   */
  async function issue(orderId: string, itemId: string, csrPem: string, meta: StaffMeta) {
    return db.transaction().execute(async (trx) => {
      const order = await load(trx, orderId);
      requireState(order, ["processing"], "签发证书");
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
      const subject =
        item.subject_kind === "company"
          ? { kind: "enterprise", name: item.subject_name, uscc: item.subject_identity }
          : { kind: "person", name: item.subject_name, idNumber: item.subject_identity };
      const cert: IssueResult = await ca.issue(
        { type: "staff", id: meta.staffId, ip: meta.ip },
        {
          csrPem,
          profile: item.ca_type_profile,
          subject,
          years: item.years,
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
      await appendAudit(trx, {
        at: clock(),
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
  }

  /** 办结: every item issued and on a recorded key; mail needs courier and tracking number. */
  async function complete(orderId: string, input: CompleteInput, meta: StaffMeta): Promise<Order> {
    const courier = input.courier?.trim() || null;
    const trackingNo = input.trackingNo?.trim() || null;
    if (input.how === "mail") {
      if (!courier) throw invalidField("courier", "邮寄须填写快递公司");
      if (!trackingNo) throw invalidField("trackingNo", "邮寄须填写快递单号");
    }
    return db.transaction().execute(async (trx) => {
      const order = await load(trx, orderId);
      requireState(order, ["processing"], "办结");
      const items = await trx
        .selectFrom("order_items")
        .select(["position", "certificate_serial", "media_serial"])
        .where("order_id", "=", order.id)
        .orderBy("position")
        .execute();
      const notIssued = items.filter((i) => !i.certificate_serial).map((i) => `第 ${i.position + 1} 项`);
      if (notIssued.length) {
        throw new AppError("INVALID_STATE", `证书尚未全部签发（${notIssued.join("、")}），不能办结`);
      }
      const noMedia = items.filter((i) => !i.media_serial).map((i) => `第 ${i.position + 1} 项`);
      if (noMedia.length) {
        throw new AppError("INVALID_STATE", `尚未登记介质序列号（${noMedia.join("、")}），不能办结`, {
          field: "mediaSerial",
        });
      }
      const how = input.how === "mail" ? `已寄出：${courier} ${trackingNo}` : "请到窗口领取";
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

  return { find, materials, tick, receive, setMedia, issue, complete };
}

export type WorkbenchService = ReturnType<typeof createWorkbenchService>;
