import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Order, Payment } from "../../db/tables.orders";
import {
  fenToYuan,
  NotificationRejected,
  type PaymentProvider,
  readTradeFields,
  rsa2Sign,
  rsa2Verify,
  type VerifiedNotification,
} from "./payment.provider";

/** The sandbox's RSA key (development and tests): generated once into DATA_DIR, owner-only. */
export function loadSandboxKey(dataDir: string): KeyObject {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, "sandbox-pay.key.pem");
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(file, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  }
  chmodSync(file, 0o600);
  return createPrivateKey(readFileSync(file, "utf8"));
}

/** Shanghai wall-clock time as Alipay writes notify_time: "2026-11-25 10:00:00". */
export function alipayTime(d: Date): string {
  const s = new Date(d.getTime() + 8 * 3600_000).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 19)}`;
}

export interface SandboxProvider extends PaymentProvider {
  readonly name: "sandbox";
  /** The asynchronous notification the sandbox sends when the payer confirms: Alipay's fields, RSA2-signed. */
  buildNotification(payment: Payment, now: Date): Record<string, string>;
}

/**
 * The built-in cashier for development and tests. It behaves like Alipay where it matters to us: the
 * payer confirms on a page of the "provider", the provider sends a signed asynchronous notification to
 * our notify URL, and only that notification (never the payer's redirect) moves the order on.
 */
export function createSandboxProvider(key: KeyObject): SandboxProvider {
  const publicKey = createPublicKey(key);
  return {
    name: "sandbox",
    channel: "alipay",
    async createCheckout(_order: Order, payment: Payment) {
      return `/sandbox-pay/${payment.id}`;
    },
    buildNotification(payment, now) {
      const params: Record<string, string> = {
        notify_time: alipayTime(now),
        notify_type: "trade_status_sync",
        notify_id: randomBytes(16).toString("hex"),
        app_id: "sandbox",
        charset: "utf-8",
        version: "1.0",
        out_trade_no: payment.out_trade_no,
        // Stable per payment, like Alipay's trade number: a resent notification carries the same one.
        trade_no: `SANDBOX${payment.id.replace(/-/g, "").slice(0, 24).toUpperCase()}`,
        total_amount: fenToYuan(payment.amount_fen),
        receipt_amount: fenToYuan(payment.amount_fen),
        trade_status: "TRADE_SUCCESS",
        gmt_payment: alipayTime(now),
        sign_type: "RSA2",
      };
      params.sign = rsa2Sign(params, key);
      return params;
    },
    // The sandbox's "trade" is our payment row: marked closed, its cashier no longer confirms it.
    async closeTrade() {
      return "closed" as const;
    },
    verifyNotification(params): VerifiedNotification {
      if (params.sign_type !== "RSA2" || !rsa2Verify(params, publicKey)) {
        throw new NotificationRejected("bad_signature", "sandbox notification signature does not verify");
      }
      return readTradeFields(params);
    },
  };
}
