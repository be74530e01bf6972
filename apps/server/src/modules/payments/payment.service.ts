import { createHash, randomInt } from "node:crypto";
import { BUSINESS_TYPES, type BusinessCode, stepAllowed } from "@certhall/domain";
import type { FastifyBaseLogger } from "fastify";
import type { Config } from "../../config";
import type { Db, Trx } from "../../db/database";
import type { Order, Payment } from "../../db/tables.orders";
import { AppError, notFound } from "../../errors";
import { type Clock, iso, newId } from "../../lib/clock";
import { appendAudit } from "../audit/audit.service";
import { findOwnedOrder } from "../orders/order.queries";
import { applyTransition } from "../orders/order.transition";
import {
  type CheckoutContext,
  NotificationRejected,
  type PayChannel,
  type PaymentProvider,
} from "./payment.provider";
import type { SandboxProvider } from "./sandbox.provider";
import type { SandboxWechatProvider } from "./sandbox-wechat.provider";
import type { CheckedVoucher } from "./voucher";

/**
 * Delivers an asynchronous payment notification to a notify URL (the sandbox's stand-in for Alipay's
 * servers). Fire-and-forget: the payer's browser never waits for it. Tests inject one that records.
 */
export type NotificationSender = (url: string, params: Record<string, string>, format?: NotifyFormat) => void;

/** form: Alipay's form-encoded fields; wechat: a JSON body with the Wechatpay-* signature headers. */
export type NotifyFormat = "form" | "wechat";

/** The HTTP request a sender makes for a notification of either format. */
export function notificationRequest(
  params: Record<string, string>,
  format: NotifyFormat,
): { headers: Record<string, string>; body: string } {
  if (format === "form")
    return {
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: new URLSearchParams(params).toString(),
    };
  return {
    headers: {
      "content-type": "application/json",
      "wechatpay-timestamp": params.timestamp ?? "",
      "wechatpay-nonce": params.nonce ?? "",
      "wechatpay-signature": params.signature ?? "",
      "wechatpay-serial": params.serial ?? "",
    },
    body: params.body ?? "",
  };
}

/** The running app's sender: POSTs form-encoded like Alipay, retrying until the answer is "success". */
export function fetchNotificationSender(log: { warn(obj: object, msg: string): void }): NotificationSender {
  // Alipay retries over 25 hours; the sandbox retries a few times within a minute, which is enough for dev.
  const delays = [0, 1000, 3000, 10_000, 30_000];
  return (url, params, format = "form") => {
    const attempt = async (i: number): Promise<void> => {
      try {
        const res = await fetch(url, {
          method: "POST",
          ...notificationRequest(params, format),
          signal: AbortSignal.timeout(10_000),
        });
        const text = (await res.text()).trim();
        // Alipay stops on "success"; WeChat Pay on HTTP 200/204.
        if (format === "form" ? text === "success" : res.ok) return;
        throw new Error(`notify answered ${res.status}`);
      } catch (err) {
        const next = delays[i + 1];
        if (next === undefined) {
          log.warn({ err, url, outTradeNo: params.out_trade_no }, "sandbox notification gave up");
          return;
        }
        setTimeout(() => void attempt(i + 1), next).unref();
      }
    };
    void attempt(0);
  };
}

/** What a notification came to: accepted (or a harmless repeat), or refused and why. */
export type NotifyAnswer = { answer: "success" } | { answer: "fail"; reason: string };
const ACCEPTED: NotifyAnswer = { answer: "success" };

export interface PaymentDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, "sms" | "publicUrl" | "payment">;
  /** The Alipay channel; null: off (PAYMENT_PROVIDER=none). */
  provider: PaymentProvider | null;
  /** The WeChat channel (WeChat Pay or the sandbox's WeChat); null or absent: off. */
  wechat?: PaymentProvider | null;
  sender: NotificationSender;
  /** Where refused unverified notifications are reported (they do not go into the audit chain). */
  log: Pick<FastifyBaseLogger, "warn">;
}

interface Meta {
  ip: string | null;
}

export const PAYMENT_STATUS_LABELS: Record<Payment["status"], string> = {
  created: "待支付",
  paid: "已支付",
  declared: "已提交转账",
  booked: "已记账",
  returned: "已退回",
  refunded: "已退款",
  closed: "已关闭",
  refund_due: "待退款",
};

export const PAYMENT_METHOD_LABELS: Record<Payment["method"], string> = {
  online: "在线支付",
  transfer: "银行转账",
  zero: "零元支付",
};

/** out_trade_no: the order number, a letter for the method, random digits (Alipay allows 64 of [A-Za-z0-9_]). */
function tradeNo(order: Order, method: Payment["method"]): string {
  const letter = { online: "P", transfer: "T", zero: "Z" }[method];
  return `${order.order_no}${letter}${String(randomInt(1_000_000)).padStart(6, "0")}`;
}

export type NewPayment = Pick<Payment, "method" | "provider" | "status"> &
  Partial<
    Pick<
      Payment,
      "voucher_upload_id" | "paid_at" | "amount_fen" | "booked_by" | "booked_at" | "statement_line_id"
    >
  >;

/** Inserts a payment of `order` (its amount unless given) in the caller's transaction. */
export async function insertPaymentRow(
  trx: Trx,
  clock: Clock,
  order: Order,
  p: NewPayment,
): Promise<Payment> {
  const now = iso(clock());
  const row: Payment = {
    id: newId(),
    order_id: order.id,
    method: p.method,
    provider: p.provider,
    amount_fen: p.amount_fen ?? order.total_fen,
    status: p.status,
    out_trade_no: tradeNo(order, p.method),
    provider_trade_no: null,
    voucher_upload_id: p.voucher_upload_id ?? null,
    paid_at: p.paid_at ?? null,
    booked_by: p.booked_by ?? null,
    booked_at: p.booked_at ?? null,
    return_reason: null,
    notify_payload: null,
    statement_line_id: p.statement_line_id ?? null,
    created_at: now,
    updated_at: now,
  };
  await trx.insertInto("payments").values(row).execute();
  return row;
}

export function createPaymentService(deps: PaymentDeps) {
  const { db, clock, config } = deps;
  const tdeps = { clock, signName: config.sms.signName };
  const notifyUrl = (provider: string) => `${config.publicUrl}/api/v1/payments/notify/${provider}`;
  const enabled = [deps.provider, deps.wechat].filter((p): p is PaymentProvider => !!p);
  const providerNamed = (name: string | null) => enabled.find((p) => p.name === name) ?? null;
  /** The channels applicants can pay with, in the order the payment panel shows them. */
  const channels = () => enabled.map((p) => p.channel);

  /**
   * Takes the order's row lock for the rest of the transaction (a no-op update: portable SELECT … FOR
   * UPDATE), so two clicks on "pay" queue up and the second sees what the first wrote.
   */
  async function lockOrder(trx: Trx, accountId: string, orderId: string): Promise<Order> {
    await trx
      .updateTable("orders")
      .set((eb) => ({ version: eb.ref("version") }))
      .where("id", "=", orderId)
      .where("account_id", "=", accountId)
      .execute();
    return findOwnedOrder(trx, accountId, orderId);
  }

  function assertAwaitingPayment(order: Order): void {
    if (!stepAllowed(order, "start_payment")) {
      throw new AppError("INVALID_STATE", "订单当前不在待缴费状态，请刷新页面查看最新进度");
    }
  }

  const insertPayment = (trx: Trx, order: Order, p: NewPayment) => insertPaymentRow(trx, clock, order, p);

  /**
   * Starts an online payment: one open payment per order and amount, so a double click (or coming back
   * to pay later) continues the same trade instead of opening a second one the payer could also pay.
   */
  async function startOnline(
    accountId: string,
    orderId: string,
    meta: Meta,
    how: { channel?: PayChannel; scene?: CheckoutContext["scene"] } = {},
  ) {
    const channel = how.channel ?? "alipay";
    const provider = enabled.find((p) => p.channel === channel);
    if (!provider) {
      throw new AppError(
        "INVALID_STATE",
        channel === "wechat" ? "微信支付暂未开通，请选择其他支付方式" : "在线支付暂未开通，请使用银行转账",
        { field: "channel" },
      );
    }
    const payment = await db.transaction().execute(async (trx) => {
      const order = await lockOrder(trx, accountId, orderId);
      assertAwaitingPayment(order);
      if (order.total_fen <= 0) throw new AppError("INVALID_STATE", "该订单金额为零，无需在线支付");
      const open = await trx
        .selectFrom("payments")
        .selectAll()
        .where("order_id", "=", order.id)
        .where("method", "=", "online")
        .where("status", "=", "created")
        .where("provider", "=", provider.name)
        .where("amount_fen", "=", order.total_fen)
        .executeTakeFirst();
      if (open) return open;
      const p = await insertPayment(trx, order, {
        method: "online",
        provider: provider.name,
        status: "created",
      });
      await appendAudit(trx, {
        at: clock(),
        actorType: "applicant",
        actorId: accountId,
        action: "payment.online_started",
        objectType: "payment",
        objectId: p.id,
        detail: {
          orderNo: order.order_no,
          provider: provider.name,
          amountFen: p.amount_fen,
          outTradeNo: p.out_trade_no,
        },
        ip: meta.ip,
      });
      return p;
    });
    const order = await findOwnedOrder(db, accountId, orderId);
    const scene = how.scene ?? "native";
    const url = await provider.createCheckout(order, payment, { scene, clientIp: meta.ip });
    // WeChat Native: the URL is a code_url to show as a QR code; every other answer is a page to open.
    const kind =
      provider.channel === "wechat" && scene === "native" ? ("qr" as const) : ("redirect" as const);
    return { paymentId: payment.id, redirectUrl: url, kind, channel: provider.channel };
  }

  async function rejectNotification(
    providerName: string,
    reason: string,
    detail: Record<string, unknown>,
    ip: string | null,
  ): Promise<NotifyAnswer> {
    await db.transaction().execute((trx) =>
      appendAudit(trx, {
        at: clock(),
        actorType: "system",
        actorId: null,
        action: "payment.notify_rejected",
        objectType: detail.paymentId ? "payment" : null,
        objectId: (detail.paymentId as string | undefined) ?? null,
        detail: { provider: providerName, reason, ...detail },
        ip,
      }),
    );
    return { answer: "fail", reason };
  }

  /**
   * A notification not proven to come from the provider (bad signature, malformed, provider not
   * enabled) is junk anyone can send: logged and counted, never appended to the audit chain, which a
   * flood of it would otherwise fill (issue 18 item 9c).
   */
  let unverifiedRefused = 0;
  function refuseUnverified(
    providerName: string,
    reason: string,
    seen: Record<string, unknown>,
    ip: string | null,
  ): NotifyAnswer {
    unverifiedRefused++;
    deps.log.warn(
      { provider: providerName, reason, ...seen, ip, unverifiedRefused },
      "unverified payment notification refused",
    );
    return { answer: "fail", reason };
  }

  /**
   * The provider's asynchronous notification: the only thing that marks an online payment paid. Checks
   * signature, trade, amount and order; the payment update and the `pay` transition share one
   * transaction; a replay of a processed notification answers "success" and changes nothing.
   * Returns the body Alipay expects: "success" stops its retries, "fail" (or anything else) retries.
   */
  async function handleNotificationDetailed(
    providerName: string,
    params: Record<string, string>,
    ip: string | null,
  ): Promise<NotifyAnswer> {
    const provider = providerNamed(providerName);
    const seen = { outTradeNo: params.out_trade_no ?? null, totalAmount: params.total_amount ?? null };
    if (!provider) {
      return refuseUnverified(providerName, "provider_not_enabled", seen, ip);
    }
    let n: ReturnType<PaymentProvider["verifyNotification"]>;
    try {
      n = provider.verifyNotification(params);
    } catch (err) {
      const reason = err instanceof NotificationRejected ? err.reason : "bad_signature";
      return refuseUnverified(providerName, reason, seen, ip);
    }
    const payment = await db
      .selectFrom("payments")
      .selectAll()
      .where("out_trade_no", "=", n.outTradeNo)
      .executeTakeFirst();
    if (payment?.method !== "online" || payment.provider !== provider.name) {
      return rejectNotification(providerName, "unknown_trade", seen, ip);
    }
    const ref = { paymentId: payment.id, ...seen, amountFen: n.amountFen };
    if (n.amountFen !== payment.amount_fen) {
      return rejectNotification(
        providerName,
        "amount_mismatch",
        { ...ref, expectedFen: payment.amount_fen },
        ip,
      );
    }
    if (payment.status !== "created" && payment.status !== "closed") {
      // Already processed: a replay (Alipay resends until it reads "success"). Same trade → success.
      if (payment.provider_trade_no === n.providerTradeNo) return ACCEPTED;
      return rejectNotification(providerName, "trade_no_mismatch", ref, ip);
    }
    if (!n.paid) return ACCEPTED; // WAIT_BUYER_PAY / TRADE_CLOSED: nothing to do, stop resending.

    const outcome = await db.transaction().execute(async (trx) => {
      // The order's row lock first, as cancel, edit and the other payment steps take it: a concurrent
      // cancel either waits for this payment or has closed the trade before we read it below.
      await trx
        .updateTable("orders")
        .set((eb) => ({ version: eb.ref("version") }))
        .where("id", "=", payment.order_id)
        .execute();
      const order = await trx
        .selectFrom("orders")
        .selectAll()
        .where("id", "=", payment.order_id)
        .executeTakeFirst();
      if (!order) return "order_missing" as const;
      const current = await trx
        .selectFrom("payments")
        .select(["status", "provider_trade_no"])
        .where("id", "=", payment.id)
        .executeTakeFirstOrThrow();
      if (current.status !== "created" && current.status !== "closed") {
        // Processed meanwhile: a concurrent delivery of this notification (same trade) is a replay.
        return current.provider_trade_no === n.providerTradeNo ? ("replay" as const) : ("mismatch" as const);
      }
      // Money for a trade we no longer accept (closed on cancel/edit, the order cancelled, paid another
      // way or changed since) is recorded to be refunded, never dropped. Such a payment is not settled,
      // so the database's one settled payment per order (0004) holds.
      const late =
        current.status === "closed"
          ? "trade_closed"
          : order.state !== "awaiting_payment"
            ? "order_not_awaiting_payment"
            : order.total_fen !== payment.amount_fen
              ? "amount_changed"
              : null;
      const now = clock();
      // Conditional on the status read (the order lock already serialises deliveries; this keeps it so).
      const r = await trx
        .updateTable("payments")
        .set({
          status: late ? "refund_due" : "paid",
          provider_trade_no: n.providerTradeNo,
          paid_at: iso(now),
          notify_payload: JSON.stringify(params),
          updated_at: iso(now),
        })
        .where("id", "=", payment.id)
        .where("status", "=", current.status)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1)
        throw new Error(`payment ${payment.id} changed under its order lock`);
      if (late) {
        await appendAudit(trx, {
          at: now,
          actorType: "system",
          actorId: null,
          action: "payment.refund_due",
          objectType: "payment",
          objectId: payment.id,
          detail: {
            ...ref,
            orderNo: order.order_no,
            orderState: order.state,
            reason: late,
            providerTradeNo: n.providerTradeNo,
          },
          ip,
        });
        return "refund_due" as const;
      }
      await applyTransition(trx, tdeps, {
        order,
        event: "pay",
        method: "online",
        actor: { role: "system", type: "system", id: null },
        ip,
        detail: {
          paymentId: payment.id,
          provider: provider.name,
          outTradeNo: payment.out_trade_no,
          providerTradeNo: n.providerTradeNo,
          amountFen: n.amountFen,
        },
      });
      return "paid" as const;
    });
    if (outcome === "order_missing") return rejectNotification(providerName, "unknown_order", ref, ip);
    if (outcome === "mismatch") return rejectNotification(providerName, "trade_no_mismatch", ref, ip);
    return ACCEPTED;
  }

  /** The answer alone, as Alipay reads it ("success" stops its retries). */
  async function handleNotification(providerName: string, params: Record<string, string>, ip: string | null) {
    return (await handleNotificationDetailed(providerName, params, ip)).answer;
  }

  /** The sandbox cashier's view of a payment (the payment id in the URL is the capability, as at Alipay). */
  async function sandboxCheckout(paymentId: string) {
    const row = await db
      .selectFrom("payments")
      .innerJoin("orders", "orders.id", "payments.order_id")
      .select([
        "payments.id",
        "payments.status",
        "payments.provider",
        "payments.method",
        "payments.amount_fen",
        "orders.id as order_id",
        "orders.order_no",
      ])
      .where("payments.id", "=", paymentId)
      .executeTakeFirst();
    if (row?.method !== "online" || (row.provider !== "sandbox" && row.provider !== "sandbox_wechat"))
      throw notFound("支付单");
    return row;
  }

  /** The payer confirmed in the sandbox cashier: the "provider" sends its signed notification. */
  async function sandboxConfirm(paymentId: string): Promise<{ orderId: string }> {
    const row = await sandboxCheckout(paymentId);
    const provider = providerNamed(row.provider) as SandboxProvider | SandboxWechatProvider | null;
    if (!provider) throw notFound("支付单");
    const payment = await db
      .selectFrom("payments")
      .selectAll()
      .where("id", "=", row.id)
      .executeTakeFirstOrThrow();
    if (payment.status === "created") {
      deps.sender(
        notifyUrl(provider.name),
        provider.buildNotification(payment, clock()),
        provider.channel === "wechat" ? "wechat" : "form",
      );
    }
    return { orderId: row.order_id };
  }

  /** Bank transfer declared (optionally with a checked voucher): finance books it once the money is in. */
  async function declareTransfer(
    accountId: string,
    orderId: string,
    input: { version?: number; voucher?: CheckedVoucher },
    meta: Meta,
  ) {
    return db.transaction().execute(async (trx) => {
      const order = await lockOrder(trx, accountId, orderId);
      assertAwaitingPayment(order);
      if (order.total_fen <= 0) throw new AppError("INVALID_STATE", "该订单金额为零，无需转账");
      const now = clock();
      let uploadId: string | null = null;
      if (input.voucher) {
        uploadId = newId();
        const v = input.voucher;
        await trx
          .insertInto("uploads")
          .values({
            id: uploadId,
            account_id: accountId,
            order_id: order.id,
            purpose: "transfer_voucher",
            filename: v.filename,
            mime: v.mime,
            size: v.data.length,
            sha256: createHash("sha256").update(v.data).digest("hex"),
            data: v.data.toString("base64"),
            created_at: iso(now),
          })
          .execute();
      }
      // paid_at of a transfer = when the payer declared it; finance checks the statement before booking.
      const payment = await insertPayment(trx, order, {
        method: "transfer",
        provider: null,
        status: "declared",
        voucher_upload_id: uploadId,
        paid_at: iso(now),
      });
      await applyTransition(trx, tdeps, {
        order,
        event: "declare_transfer",
        method: "transfer",
        actor: { role: "applicant", type: "applicant", id: accountId },
        expectedVersion: input.version,
        ip: meta.ip,
        detail: {
          paymentId: payment.id,
          amountFen: payment.amount_fen,
          remittanceCode: order.remittance_code,
          voucher: input.voucher
            ? { uploadId, mime: input.voucher.mime, size: input.voucher.data.length }
            : null,
        },
      });
      return payment;
    });
  }

  /** 支付（不扣款）: the zero-amount step of the businesses that pay nothing (unlock, revoke). */
  async function payZero(accountId: string, orderId: string, input: { version?: number }, meta: Meta) {
    return db.transaction().execute(async (trx) => {
      const order = await lockOrder(trx, accountId, orderId);
      assertAwaitingPayment(order);
      const business = BUSINESS_TYPES[order.business as BusinessCode];
      if (business?.payment !== "zero" || order.total_fen !== 0) {
        throw new AppError("INVALID_STATE", `${business?.name ?? "该"}业务需要缴费，不能零元支付`);
      }
      const payment = await insertPayment(trx, order, {
        method: "zero",
        provider: null,
        status: "paid",
        amount_fen: 0,
        paid_at: iso(clock()),
      });
      await applyTransition(trx, tdeps, {
        order,
        event: "pay",
        method: "zero",
        actor: { role: "applicant", type: "applicant", id: accountId },
        expectedVersion: input.version,
        ip: meta.ip,
        detail: { paymentId: payment.id, amountFen: 0 },
      });
      return payment;
    });
  }

  async function listForOrder(accountId: string, orderId: string) {
    const order = await findOwnedOrder(db, accountId, orderId);
    const rows = await db
      .selectFrom("payments")
      .selectAll()
      .where("order_id", "=", order.id)
      .orderBy("created_at", "desc")
      .execute();
    return { order, payments: rows };
  }

  return {
    startOnline,
    channels,
    handleNotification,
    handleNotificationDetailed,
    /** How many unverified notifications this process refused (also in each warning's log line). */
    unverifiedNotificationsRefused: () => unverifiedRefused,
    sandboxCheckout,
    sandboxConfirm,
    declareTransfer,
    payZero,
    listForOrder,
  };
}

export type PaymentService = ReturnType<typeof createPaymentService>;

export function presentPayment(p: Payment) {
  return {
    id: p.id,
    method: p.method,
    methodLabel: PAYMENT_METHOD_LABELS[p.method],
    provider: p.provider,
    status: p.status,
    statusLabel: PAYMENT_STATUS_LABELS[p.status],
    amountFen: p.amount_fen,
    outTradeNo: p.out_trade_no,
    hasVoucher: p.voucher_upload_id !== null,
    createdAt: p.created_at,
    paidAt: p.paid_at,
    bookedAt: p.booked_at,
    returnReason: p.return_reason,
  };
}
