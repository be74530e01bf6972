import type { KeyObject } from "node:crypto";
import type { Config } from "../../config";
import type { Order, Payment } from "../../db/tables.orders";
import type { Clock } from "../../lib/clock";
import {
  type CheckoutContext,
  NotificationRejected,
  type PaymentProvider,
  type VerifiedNotification,
} from "./payment.provider";
import {
  checkWechatSignature,
  decryptWechatResource,
  readWechatPrivateKey,
  readWechatPublicKey,
  type WechatResource,
  wechatAuthorization,
  wechatNonce,
} from "./wechatpay.crypto";

/**
 * The merchant's WECHATPAY_* settings (config.ts: mchid, appid, our API certificate's serial and
 * private key, the APIv3 key, the platform key and its serial, the API base URL), and where we are.
 */
export type WechatPayOptions = NonNullable<Config["payment"]["wechat"]> & {
  publicUrl: string;
  clock: Clock;
};

/** The fields the notify route hands over: the four Wechatpay-* headers and the raw body. */
export interface WechatNotificationInput {
  timestamp?: string;
  nonce?: string;
  signature?: string;
  serial?: string;
  body: string;
}

/** WeChat's notification rules shared by the real provider and the sandbox (which imitates it). */
export function readWechatNotification(
  input: Record<string, string>,
  trust: { publicKey: KeyObject; serial: string; apiV3Key: string; mchid: string; appid: string },
  now: Date,
): VerifiedNotification {
  const body = input.body ?? "";
  const check = checkWechatSignature(input, body, trust, now);
  if (check !== "ok") {
    throw new NotificationRejected(
      check === "stale_timestamp" ? "stale" : "bad_signature",
      `WeChat Pay notification refused: ${check}`,
    );
  }
  let resource: WechatResource;
  let eventType: string;
  try {
    const envelope = JSON.parse(body) as { event_type?: string; resource?: WechatResource };
    if (!envelope.resource) throw new Error("no resource");
    resource = envelope.resource;
    eventType = String(envelope.event_type ?? "");
  } catch {
    throw new NotificationRejected("malformed", "WeChat Pay notification body is not a notification");
  }
  let tx: {
    appid?: string;
    mchid?: string;
    out_trade_no?: string;
    transaction_id?: string;
    trade_state?: string;
    amount?: { total?: number; currency?: string };
  };
  try {
    tx = JSON.parse(decryptWechatResource(resource, trust.apiV3Key));
  } catch {
    // A signed body whose resource does not authenticate under our APIv3 key is not for us.
    throw new NotificationRejected(
      "bad_signature",
      "WeChat Pay resource does not decrypt with the APIv3 key",
    );
  }
  if (tx.mchid !== trust.mchid || tx.appid !== trust.appid) {
    throw new NotificationRejected("malformed", "notification is for another mchid or appid");
  }
  const amountFen = tx.amount?.total;
  if (
    !tx.out_trade_no ||
    !tx.transaction_id ||
    !Number.isSafeInteger(amountFen) ||
    (tx.amount?.currency ?? "CNY") !== "CNY"
  ) {
    throw new NotificationRejected("malformed", "notification lacks out_trade_no, transaction_id or amount");
  }
  return {
    outTradeNo: tx.out_trade_no,
    providerTradeNo: tx.transaction_id,
    amountFen: amountFen as number,
    paid: eventType === "TRANSACTION.SUCCESS" && tx.trade_state === "SUCCESS",
  };
}

/** What a WeChat Pay API call answered, after the answer's signature was checked. */
interface ApiAnswer {
  status: number;
  json: Record<string, unknown>;
}

/**
 * WeChat Pay APIv3 (直连商户): Native (扫码, code_url shown as a QR code) on desktops and H5 (h5_url,
 * opened in the phone's browser) on phones, notifications verified and decrypted, and the
 * close-order call for a trade of a cancelled or edited order. Every call is signed; every answer's
 * signature is checked with the platform key before it is believed.
 */
export function createWechatPayProvider(opts: WechatPayOptions): PaymentProvider {
  const privateKey = readWechatPrivateKey(opts.privateKey);
  const trust = {
    publicKey: readWechatPublicKey(opts.platformPublicKey),
    serial: opts.platformSerial,
    apiV3Key: opts.apiV3Key,
    mchid: opts.mchid,
    appid: opts.appid,
  };
  const base = opts.baseUrl.replace(/\/$/, "");

  async function call(method: "GET" | "POST", urlPath: string, payload?: object): Promise<ApiAnswer> {
    const body = payload ? JSON.stringify(payload) : "";
    const timestamp = String(Math.floor(opts.clock().getTime() / 1000));
    const authorization = wechatAuthorization({
      mchid: opts.mchid,
      serialNo: opts.merchantSerial,
      privateKey,
      method,
      urlPath,
      body,
      timestamp,
      nonce: wechatNonce(),
    });
    const res = await fetch(`${base}${urlPath}`, {
      method,
      headers: {
        authorization,
        accept: "application/json",
        "user-agent": "certhall",
        ...(payload ? { "content-type": "application/json" } : {}),
      },
      body: payload ? body : undefined,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    const check = checkWechatSignature(
      {
        timestamp: res.headers.get("wechatpay-timestamp") ?? undefined,
        nonce: res.headers.get("wechatpay-nonce") ?? undefined,
        signature: res.headers.get("wechatpay-signature") ?? undefined,
        serial: res.headers.get("wechatpay-serial") ?? undefined,
      },
      text,
      trust,
      opts.clock(),
    );
    if (check !== "ok")
      throw new Error(`WeChat Pay answer to ${urlPath} refused: ${check} (HTTP ${res.status})`);
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  const failed = (what: string, a: ApiAnswer) =>
    new Error(`${what} answered ${a.status} ${String(a.json.code ?? "")} ${String(a.json.message ?? "")}`);

  return {
    name: "wechatpay",
    channel: "wechat",
    async createCheckout(order: Order, payment: Payment, ctx?: CheckoutContext) {
      const h5 = ctx?.scene === "h5";
      const expire = new Date(opts.clock().getTime() + 2 * 3600_000);
      const payload = {
        appid: opts.appid,
        mchid: opts.mchid,
        description: `数字证书服务 订单 ${order.order_no}`.slice(0, 127),
        out_trade_no: payment.out_trade_no,
        // Unpaid after 2 hours the trade closes itself, like the Alipay path's timeout_express.
        time_expire: shanghaiRfc3339(expire),
        notify_url: `${opts.publicUrl}/api/v1/payments/notify/wechatpay`,
        amount: { total: payment.amount_fen, currency: "CNY" },
        ...(h5
          ? { scene_info: { payer_client_ip: ctx?.clientIp ?? "127.0.0.1", h5_info: { type: "Wap" } } }
          : {}),
      };
      const a = await call("POST", `/v3/pay/transactions/${h5 ? "h5" : "native"}`, payload);
      const url = h5 ? a.json.h5_url : a.json.code_url;
      if (a.status !== 200 || typeof url !== "string") throw failed(h5 ? "h5 prepay" : "native prepay", a);
      if (!h5) return url; // Native: the code_url the payer scans as a QR code.
      // H5: WeChat's cashier returns the payer to redirect_url (our order page, which then watches).
      const back = `${opts.publicUrl}/orders/${encodeURIComponent(order.id)}?payment=returned`;
      return `${url}${url.includes("?") ? "&" : "?"}redirect_url=${encodeURIComponent(back)}`;
    },
    async closeTrade(payment: Payment) {
      const a = await call(
        "POST",
        `/v3/pay/transactions/out-trade-no/${encodeURIComponent(payment.out_trade_no)}/close`,
        { mchid: opts.mchid },
      );
      if (a.status === 204 || a.status === 200) return "closed";
      if (a.status === 404 || a.json.code === "ORDER_NOT_EXIST") return "not_found";
      throw failed("close order", a);
    },
    verifyNotification(params) {
      return readWechatNotification(params, trust, opts.clock());
    },
  };
}

/** RFC 3339 in +08:00, as WeChat writes times: 2026-12-03T18:00:00+08:00. */
export function shanghaiRfc3339(d: Date): string {
  return `${new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}
