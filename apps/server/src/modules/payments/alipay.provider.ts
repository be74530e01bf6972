import { AlipaySdk } from "alipay-sdk";
import type { Order, Payment } from "../../db/tables.orders";
import {
  fenToYuan,
  NotificationRejected,
  type PaymentProvider,
  readTradeFields,
  type VerifiedNotification,
} from "./payment.provider";

export interface AlipayOptions {
  appId: string;
  /** Our application's private key: PEM (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY") or bare base64. */
  privateKey: string;
  /** Alipay's public key from the open platform console: PEM or bare base64. */
  publicKey: string;
  gateway: string;
  /** Our PUBLIC_URL: notify_url and return_url are built on it. */
  publicUrl: string;
}

/** PKCS#1 keys say so in their PEM header; the console's bare base64 keys are PKCS#8 (Java's default). */
const keyTypeOf = (pem: string): "PKCS1" | "PKCS8" => (pem.includes("RSA PRIVATE KEY") ? "PKCS1" : "PKCS8");

/**
 * Alipay 电脑网站支付 on the official `alipay-sdk` (v4): alipay.trade.page.pay as a signed GET URL the
 * payer is redirected to, notifications checked with checkNotifySignV2 (raw values, RSA2), and
 * alipay.trade.close for the trade of an order cancelled or edited.
 */
export function createAlipayProvider(opts: AlipayOptions): PaymentProvider {
  const sdk = new AlipaySdk({
    appId: opts.appId,
    privateKey: opts.privateKey,
    keyType: keyTypeOf(opts.privateKey),
    alipayPublicKey: opts.publicKey,
    gateway: opts.gateway,
    signType: "RSA2",
  });
  return {
    name: "alipay",
    channel: "alipay",
    async createCheckout(order: Order, payment: Payment) {
      return sdk.pageExecute("alipay.trade.page.pay", "GET", {
        bizContent: {
          out_trade_no: payment.out_trade_no,
          product_code: "FAST_INSTANT_TRADE_PAY",
          total_amount: fenToYuan(payment.amount_fen),
          subject: `数字证书服务 订单 ${order.order_no}`,
          // Close the trade if unpaid after 2 hours, so an old cashier tab cannot pay a stale amount.
          timeout_express: "2h",
        },
        notify_url: `${opts.publicUrl}/api/v1/payments/notify/alipay`,
        return_url: `${opts.publicUrl}/orders/${order.id}`,
      });
    },
    // alipay.trade.close, signed like every call; the answer's signature is checked with Alipay's key.
    async closeTrade(payment: Payment) {
      const res = await sdk.exec(
        "alipay.trade.close",
        { bizContent: { out_trade_no: payment.out_trade_no } },
        { validateSign: true },
      );
      if (res.code === "10000") return "closed";
      if (res.subCode === "ACQ.TRADE_NOT_EXIST") return "not_found";
      throw new Error(
        `alipay.trade.close answered ${res.code} ${res.subCode ?? ""} ${res.subMsg ?? res.msg ?? ""}`,
      );
    },
    verifyNotification(params): VerifiedNotification {
      if (!sdk.checkNotifySignV2(params)) {
        throw new NotificationRejected("bad_signature", "Alipay notification signature does not verify");
      }
      // Alipay's checklist for notifications: the app_id must be ours (a valid notice for another app is not).
      if (params.app_id !== opts.appId) {
        throw new NotificationRejected("malformed", "notification is for another app_id");
      }
      return readTradeFields(params);
    },
  };
}
