import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import type { Payment } from "../../db/tables.orders";
import type { Clock } from "../../lib/clock";
import type { PaymentProvider } from "./payment.provider";
import { encryptWechatResource, signAsWechat } from "./wechatpay.crypto";
import { readWechatNotification, shanghaiRfc3339 } from "./wechatpay.provider";

export const SANDBOX_WECHAT = { mchid: "1900000109", appid: "wxsandbox0000001", serial: "SANDBOX-PUB-KEY" };

/** The sandbox's APIv3 key: 32 characters derived from its RSA key, so nothing else has to be stored. */
function sandboxApiV3Key(key: KeyObject): string {
  const der = key.export({ type: "pkcs8", format: "der" });
  return createHash("sha256").update("certhall sandbox wechat apiv3").update(der).digest("hex").slice(0, 32);
}

export interface SandboxWechatProvider extends PaymentProvider {
  readonly name: "sandbox_wechat";
  /** The notification WeChat Pay would send: TRANSACTION.SUCCESS, resource encrypted, body signed. */
  buildNotification(payment: Payment, now: Date): Record<string, string>;
}

/**
 * 微信支付 in the built-in cashier: the same page as the Alipay sandbox, but its notification is a
 * WeChat Pay APIv3 one (JSON, AEAD_AES_256_GCM resource, Wechatpay-* signature headers) and it is
 * checked by the same code as the real WeChat Pay provider's.
 */
export function createSandboxWechatProvider(
  key: KeyObject,
  publicUrl: string,
  clock: Clock,
): SandboxWechatProvider {
  const apiV3Key = sandboxApiV3Key(key);
  const trust = { ...SANDBOX_WECHAT, publicKey: createPublicKey(key), apiV3Key };
  return {
    name: "sandbox_wechat",
    channel: "wechat",
    // Native: an absolute URL for the QR code (a phone on the same network can scan it); H5: the page.
    async createCheckout(_order, payment, ctx) {
      const page = `/sandbox-pay/${payment.id}`;
      return ctx?.scene === "h5" ? page : `${publicUrl}${page}`;
    },
    async closeTrade() {
      return "closed" as const;
    },
    buildNotification(payment, now) {
      const tx = {
        appid: SANDBOX_WECHAT.appid,
        mchid: SANDBOX_WECHAT.mchid,
        out_trade_no: payment.out_trade_no,
        // Stable per payment, like WeChat's transaction_id: a resent notification carries the same one.
        transaction_id: `4200${payment.id.replace(/-/g, "").slice(0, 24).toUpperCase()}`,
        trade_type: "NATIVE",
        trade_state: "SUCCESS",
        trade_state_desc: "支付成功",
        success_time: shanghaiRfc3339(now),
        payer: { openid: "sandbox-openid" },
        amount: {
          total: payment.amount_fen,
          payer_total: payment.amount_fen,
          currency: "CNY",
          payer_currency: "CNY",
        },
      };
      const body = JSON.stringify({
        id: `EV-${payment.id}`,
        create_time: shanghaiRfc3339(now),
        resource_type: "encrypt-resource",
        event_type: "TRANSACTION.SUCCESS",
        summary: "支付成功",
        resource: encryptWechatResource(JSON.stringify(tx), apiV3Key),
      });
      return { ...signAsWechat(body, key, SANDBOX_WECHAT.serial, now), body };
    },
    verifyNotification(params) {
      return readWechatNotification(params, trust, clock());
    },
  };
}
