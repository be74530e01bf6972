// 解锁 (DESIGN §5): a locked USB key gets a new user PIN set with its SO PIN. Either the window does it
// (the operator marks the item unlocked and reads the SO PIN, audited), or the applicant does it with
// the token client and a one-time unlock code (解锁授权码) the operator sends by SMS: the code buys the
// SO PIN of exactly the key recorded on the item, once, and the client reports when it is done. The
// last item done completes the order (actor "system"). The SO PIN is never stored, logged or audited.
import {
  allowsStep,
  BUSINESS_TYPES,
  type BusinessCode,
  ORDER_STATE_INFO,
  type OrderState,
  stepAllowed,
} from "@certhall/domain";
import type { Config } from "../../config";
import type { Db, Trx } from "../../db/database";
import type { Order, OrderItem } from "../../db/tables.orders";
import { AppError, notFound } from "../../errors";
import { type Clock, iso, newId } from "../../lib/clock";
import { countingRefusals, REFUSED_USES_MAX, voidedByRefusals } from "../../lib/one-time-codes";
import { newBase32Code, sha256Hex } from "../../lib/tokens";
import { type AuditInput, appendAuditEntries } from "../audit/audit.service";
import { applyTransition } from "../orders/order.transition";
import { queueSms } from "../sms/sms.outbox";
import { assertNotOwnOrder } from "../staff/staff.duties";
import { normalizeMediaSerial, soPinFor } from "./so-pin";

export interface UnlockDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, "sms" | "secretKey">;
}

export interface UnlockMeta {
  staffId: string;
  ip: string | null;
}

/** What an unlock item's details hold once it is done. */
export interface UnlockDone {
  unlockedAt: string;
  unlockedVia: "online" | "window";
  unlockedBy?: string;
}

export const UNLOCK_CODE_DAYS = 7;

export const newUnlockCode = newBase32Code;

/** The code as typed or pasted: case and spaces or hyphens (grouping) do not matter. */
const normalizeCode = (code: string) => code.replace(/[\s-]/g, "").toUpperCase();

export function unlockDetails(item: Pick<OrderItem, "details">): Partial<UnlockDone> {
  if (!item.details) return {};
  try {
    return JSON.parse(item.details) as Partial<UnlockDone>;
  } catch {
    return {};
  }
}

const stateLabel = (s: string) => ORDER_STATE_INFO[s as OrderState]?.labelZh ?? s;
const itemLabel = (item: Pick<OrderItem, "position">) => `第 ${item.position + 1} 项`;

export function createUnlockService(deps: UnlockDeps) {
  const { db, clock, config } = deps;
  const tdeps = { clock, signName: config.sms.signName };

  async function loadFor(trx: Trx, orderId: string, itemId: string, what: string, staffId: string) {
    const order = await trx.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
    if (!order) throw notFound("订单");
    await assertNotOwnOrder(trx, staffId, order);
    if (!allowsStep(order.business, "unlock")) {
      const name = BUSINESS_TYPES[order.business as BusinessCode]?.name ?? order.business;
      throw new AppError("INVALID_STATE", `该订单是「${name}」业务，不能${what}`);
    }
    if (!stepAllowed(order, "unlock")) {
      throw new AppError("INVALID_STATE", `订单当前状态为「${stateLabel(order.state)}」，不能${what}`);
    }
    // Row lock on the item (portable SELECT … FOR UPDATE): two clerks acting on it at once queue here.
    await trx
      .updateTable("order_items")
      .set((eb) => ({ position: eb.ref("position") }))
      .where("id", "=", itemId)
      .where("order_id", "=", order.id)
      .execute();
    const item = await trx
      .selectFrom("order_items")
      .selectAll()
      .where("id", "=", itemId)
      .where("order_id", "=", order.id)
      .executeTakeFirst();
    if (!item) throw notFound("订单中的证书项");
    return { order, item };
  }

  function requireMedia(item: OrderItem): string {
    if (!item.media_serial) {
      throw new AppError("INVALID_STATE", `${itemLabel(item)}尚未登记介质序列号，请先登记要解锁的介质`, {
        field: "mediaSerial",
      });
    }
    return item.media_serial;
  }

  function requireNotUnlocked(item: OrderItem): void {
    const d = unlockDetails(item);
    if (d.unlockedAt) {
      throw new AppError(
        "CONFLICT",
        `${itemLabel(item)}的介质已于 ${d.unlockedAt} ${d.unlockedVia === "window" ? "在窗口" : "在线"}解锁，不能重复办理`,
      );
    }
  }

  /** Ends every still-valid unlock code of the item (a new code, or the item done). */
  async function expireCodes(trx: Trx, itemId: string, now: Date, exceptId?: string) {
    let q = trx
      .updateTable("item_authorisations")
      .set({ expires_at: iso(now) })
      .where("item_id", "=", itemId)
      .where("purpose", "=", "unlock")
      .where("done_at", "is", null)
      .where("expires_at", ">", iso(now));
    if (exceptId) q = q.where("id", "!=", exceptId);
    await q.execute();
  }

  /** 发放解锁授权码: a new one-time code for the item's key, sent by SMS to the handler. */
  async function issueCode(orderId: string, itemId: string, meta: UnlockMeta) {
    const code = newUnlockCode();
    return db.transaction().execute(async (trx) => {
      const { order, item } = await loadFor(trx, orderId, itemId, "发放解锁授权码", meta.staffId);
      requireNotUnlocked(item);
      const mediaSerial = requireMedia(item);
      const now = clock();
      const expiresAt = new Date(now.getTime() + UNLOCK_CODE_DAYS * 86_400_000);
      const id = newId();
      await trx
        .insertInto("item_authorisations")
        .values({
          id,
          order_id: order.id,
          item_id: item.id,
          purpose: "unlock",
          code_hash: sha256Hex(code),
          created_by: meta.staffId,
          created_at: iso(now),
          expires_at: iso(expiresAt),
          used_at: null,
          done_at: null,
        })
        .execute();
      // A second code replaces the first: only the newest one works.
      await expireCodes(trx, item.id, now, id);
      await queueSms(trx, tdeps, order.handler_phone, "unlock_code", {
        orderNo: order.order_no,
        code,
        mediaSerial,
        date: shanghaiDateTime(expiresAt),
      });
      await appendAuditEntries(trx, [
        {
          at: now,
          actorType: "staff",
          actorId: meta.staffId,
          action: "order.unlock_code",
          objectType: "order",
          objectId: order.id,
          detail: { orderNo: order.order_no, itemId: item.id, mediaSerial, expiresAt: iso(expiresAt) },
          ip: meta.ip,
        },
      ]);
      return { code, expiresAt: iso(expiresAt) };
    });
  }

  /** 已在窗口解锁: the clerk unlocked the key at the window; outstanding codes stop working. */
  async function markUnlockedAtWindow(orderId: string, itemId: string, meta: UnlockMeta) {
    return db.transaction().execute(async (trx) => {
      const { order, item } = await loadFor(trx, orderId, itemId, "登记解锁", meta.staffId);
      requireNotUnlocked(item);
      const mediaSerial = requireMedia(item);
      const now = clock();
      const done: UnlockDone = { unlockedAt: iso(now), unlockedVia: "window", unlockedBy: meta.staffId };
      await trx
        .updateTable("order_items")
        .set({ details: JSON.stringify({ ...unlockDetails(item), ...done }) })
        .where("id", "=", item.id)
        .execute();
      await expireCodes(trx, item.id, now);
      await appendAuditEntries(trx, [
        {
          at: now,
          actorType: "staff",
          actorId: meta.staffId,
          action: "order.unlocked",
          objectType: "order",
          objectId: order.id,
          detail: { orderNo: order.order_no, itemId: item.id, mediaSerial, via: "window" },
          ip: meta.ip,
        },
      ]);
      return { itemId: item.id, mediaSerial, unlockedAt: done.unlockedAt, unlockedVia: done.unlockedVia };
    });
  }

  /** The SO PIN of the item's key, for the clerk unlocking it at the window. Audited, never the PIN. */
  async function soPinForItem(orderId: string, itemId: string, meta: UnlockMeta) {
    return db.transaction().execute(async (trx) => {
      const { order, item } = await loadFor(trx, orderId, itemId, "查看介质管理员 PIN", meta.staffId);
      const mediaSerial = requireMedia(item);
      await appendAuditEntries(trx, [
        {
          at: clock(),
          actorType: "staff",
          actorId: meta.staffId,
          action: "order.so_pin_viewed",
          objectType: "order",
          objectId: order.id,
          detail: { orderNo: order.order_no, itemId: item.id, mediaSerial },
          ip: meta.ip,
        },
      ]);
      return { mediaSerial, soPin: soPinFor(config.secretKey, mediaSerial) };
    });
  }

  /** The code's live authorisation row, or the Chinese reason it cannot be used (404/410). */
  async function liveCode(q: Db | Trx, rawCode: string) {
    const code = normalizeCode(rawCode);
    const invalid = () => new AppError("NOT_FOUND", "解锁授权码无效，请核对短信中的授权码后重试");
    if (!/^[A-Z2-7]{32}$/.test(code)) throw invalid();
    const auth = await q
      .selectFrom("item_authorisations")
      .selectAll()
      .where("code_hash", "=", sha256Hex(code))
      .where("purpose", "=", "unlock")
      .executeTakeFirst();
    if (!auth) throw invalid();
    if (auth.done_at) {
      throw new AppError("GONE", "解锁授权码已使用，介质已解锁；如需再次解锁请重新申请解锁业务");
    }
    if (voidedByRefusals(auth)) {
      throw new AppError(
        "GONE",
        `解锁授权码已连续 ${REFUSED_USES_MAX.unlock} 次使用未成功，已失效，请联系办理网点重新发放`,
      );
    }
    if (new Date(auth.expires_at).getTime() <= clock().getTime()) {
      throw new AppError("GONE", "解锁授权码已过期或已被新的授权码取代，请联系办理网点重新发放");
    }
    return auth;
  }

  /**
   * Runs one use of the code; a use refused after the code was found live (the wrong token, the order
   * moved on) counts against it (lib/one-time-codes.ts).
   */
  async function useCode<T>(rawCode: string, ip: string | null, use: (trx: Trx) => Promise<T>): Promise<T> {
    const auth = await liveCode(db, rawCode);
    return countingRefusals({ db, clock }, auth, ip, () => db.transaction().execute(use));
  }

  /** The code's authorisation row, order and item, or the Chinese reason it cannot be used. */
  async function authorised(trx: Trx, rawCode: string, tokenSerial: string) {
    const auth = await liveCode(trx, rawCode);
    const now = clock();
    const order = await trx
      .selectFrom("orders")
      .selectAll()
      .where("id", "=", auth.order_id)
      .executeTakeFirstOrThrow();
    if (!stepAllowed(order, "unlock")) {
      throw new AppError(
        "GONE",
        `订单 ${order.order_no} 当前状态为「${stateLabel(order.state)}」，解锁授权码已失效`,
      );
    }
    const item = await trx
      .selectFrom("order_items")
      .selectAll()
      .where("id", "=", auth.item_id)
      .executeTakeFirstOrThrow();
    if (unlockDetails(item).unlockedAt) {
      throw new AppError("GONE", "该介质已解锁，解锁授权码已失效");
    }
    const registered = item.media_serial ? normalizeMediaSerial(item.media_serial) : null;
    if (!registered || normalizeMediaSerial(tokenSerial) !== registered) {
      throw new AppError(
        "CONFLICT",
        `介质序列号（tokenSerial）与订单登记的介质不符：请插入序列号为 ${registered ?? "（未登记）"} 的介质`,
        { field: "tokenSerial" },
      );
    }
    return { auth, order, item, mediaSerial: registered, now };
  }

  /**
   * POST /unlock — the token client asks for the SO PIN of the key it holds. Until the client
   * reports done the code may be used again (a failed PIN reset is retried with the same code).
   */
  async function release(code: string, tokenSerial: string, ip: string | null) {
    return useCode(code, ip, async (trx) => {
      const { auth, order, item, mediaSerial, now } = await authorised(trx, code, tokenSerial);
      await trx
        .updateTable("item_authorisations")
        .set({ used_at: auth.used_at ?? iso(now) })
        .where("id", "=", auth.id)
        .execute();
      await appendAuditEntries(trx, [
        {
          at: now,
          actorType: "system",
          actorId: null,
          action: "order.so_pin_released",
          objectType: "order",
          objectId: order.id,
          detail: { orderNo: order.order_no, itemId: item.id, mediaSerial, authorisationId: auth.id },
          ip,
        },
      ]);
      return { soPin: soPinFor(config.secretKey, mediaSerial) };
    });
  }

  /** POST /unlock/done — the new user PIN is set: the item is done; the last one completes. */
  async function done(code: string, tokenSerial: string, ip: string | null) {
    return useCode(code, ip, async (trx) => {
      const { auth, order, item, mediaSerial, now } = await authorised(trx, code, tokenSerial);
      if (!auth.used_at) {
        throw new AppError("INVALID_STATE", "请先用解锁授权码获取管理员 PIN 并重置 PIN 码，再确认解锁完成");
      }
      const claimed = await trx
        .updateTable("item_authorisations")
        .set({ done_at: iso(now) })
        .where("id", "=", auth.id)
        .where("done_at", "is", null)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) {
        throw new AppError("GONE", "解锁授权码已使用，介质已解锁；如需再次解锁请重新申请解锁业务");
      }
      const unlocked: UnlockDone = { unlockedAt: iso(now), unlockedVia: "online" };
      await trx
        .updateTable("order_items")
        .set({ details: JSON.stringify({ ...unlockDetails(item), ...unlocked }) })
        .where("id", "=", item.id)
        .execute();
      const audit: AuditInput = {
        at: now,
        actorType: "system",
        actorId: null,
        action: "order.unlocked",
        objectType: "order",
        objectId: order.id,
        detail: { orderNo: order.order_no, itemId: item.id, mediaSerial, via: "online" },
        ip,
      };
      const items = await trx
        .selectFrom("order_items")
        .select(["id", "details"])
        .where("order_id", "=", order.id)
        .execute();
      const allDone = items.every((i) => i.id === item.id || !!unlockDetails(i).unlockedAt);
      if (!allDone) {
        await appendAuditEntries(trx, [audit]);
        return { ok: true as const, completed: false };
      }
      await queueSms(trx, tdeps, order.handler_phone, "order_completed", {
        orderNo: order.order_no,
        how: "介质已在线解锁",
      });
      await applyTransition(trx, tdeps, {
        order: order as Order,
        event: "complete",
        actor: { role: "system", type: "system", id: null },
        ip,
        detail: { how: "unlock_online" },
        auditBefore: [audit],
      });
      return { ok: true as const, completed: true };
    });
  }

  return { issueCode, markUnlockedAtWindow, soPinForItem, release, done };
}

export type UnlockService = ReturnType<typeof createUnlockService>;

/** 2026-05-01 10:30 in Asia/Shanghai, for the SMS. */
function shanghaiDateTime(d: Date): string {
  const s = new Date(d.getTime() + 8 * 3600_000).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 16)}`;
}
