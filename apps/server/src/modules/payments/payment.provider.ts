import { createSign, createVerify, type KeyObject } from "node:crypto";
import { parseYuan } from "@certhall/domain";
import type { Order, Payment } from "../../db/tables.orders";

/** What a verified notification says about a trade. */
export interface VerifiedNotification {
  outTradeNo: string;
  providerTradeNo: string;
  amountFen: number;
  /** TRADE_SUCCESS / TRADE_FINISHED; WAIT_BUYER_PAY and TRADE_CLOSED are not paid. */
  paid: boolean;
}

/** Why a notification was refused; the notify handler writes it into the audit entry. */
export class NotificationRejected extends Error {
  constructor(
    readonly reason: "bad_signature" | "malformed" | "stale",
    message: string,
  ) {
    super(message);
    this.name = "NotificationRejected";
  }
}

export type ProviderName = "sandbox" | "alipay" | "wechatpay" | "sandbox_wechat";
export type PayChannel = "alipay" | "wechat";

/** How the payer pays with WeChat: Native (QR code, desktop) or H5 (a phone's browser). */
export interface CheckoutContext {
  scene: "native" | "h5";
  clientIp: string | null;
}

/**
 * An online payment provider. The order machine never talks to one directly: the payment service asks
 * for a checkout URL, and turns a verified notification into the `pay` transition.
 */
export interface PaymentProvider {
  readonly name: ProviderName;
  /** What the payer sees: 支付宝 (Alipay and its sandbox) or 微信支付 (WeChat Pay and its sandbox). */
  readonly channel: PayChannel;
  /**
   * Where to send the payer to pay this payment (absolute, or a path on this app for the sandbox). For
   * WeChat's Native scene it is the code_url the payer scans as a QR code.
   */
  createCheckout(order: Order, payment: Payment, ctx?: CheckoutContext): Promise<string>;
  /**
   * Checks the notification's signature and reads it; throws NotificationRejected when it is not genuine.
   * Alipay-style providers get the form fields; WeChat-style ones the Wechatpay-* headers (timestamp,
   * nonce, signature, serial) and the raw `body`.
   */
  verifyNotification(params: Record<string, string>): VerifiedNotification;
  /**
   * Closes an unpaid trade at the provider, so the payer can no longer pay it (its order was cancelled
   * or edited). "not_found": the payer never opened the cashier, so the provider has no trade to close.
   * Throws when the provider refuses (e.g. the trade was paid meanwhile) or cannot be reached.
   */
  closeTrade(payment: Payment): Promise<"closed" | "not_found">;
}

/**
 * Alipay's string to sign (开放平台 "自行实现验签"): every parameter except `sign` and `sign_type`, with a
 * non-empty value, sorted by key in ASCII order, joined as k=v with &, values NOT URL-encoded.
 */
export function alipaySignContent(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== "sign" && k !== "sign_type" && params[k] !== undefined && params[k] !== "")
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join("&");
}

/** RSA2 = SHA256withRSA (PKCS#1 v1.5) over the sign content, base64. */
export function rsa2Sign(params: Record<string, string>, privateKey: KeyObject | string): string {
  return createSign("RSA-SHA256").update(alipaySignContent(params), "utf8").sign(privateKey, "base64");
}

export function rsa2Verify(params: Record<string, string>, publicKey: KeyObject | string): boolean {
  const sig = params.sign;
  if (!sig) return false;
  try {
    return createVerify("RSA-SHA256")
      .update(alipaySignContent(params), "utf8")
      .verify(publicKey, sig, "base64");
  } catch {
    return false;
  }
}

/** fen → Alipay's total_amount text: yuan with exactly two decimals ("123.45"). */
export function fenToYuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
}

/** Reads the fields every Alipay-style notification carries, after its signature was checked. */
export function readTradeFields(params: Record<string, string>): VerifiedNotification {
  const outTradeNo = params.out_trade_no;
  const providerTradeNo = params.trade_no;
  const amountFen = parseYuan(params.total_amount ?? "");
  if (!outTradeNo || !providerTradeNo || amountFen === null) {
    throw new NotificationRejected("malformed", "notification lacks out_trade_no, trade_no or total_amount");
  }
  const status = params.trade_status;
  return {
    outTradeNo,
    providerTradeNo,
    amountFen,
    paid: status === "TRADE_SUCCESS" || status === "TRADE_FINISHED",
  };
}
