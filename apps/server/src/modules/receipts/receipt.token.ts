import { createHmac, timingSafeEqual } from "node:crypto";

// The receipt's verification token: `<order number>.<MAC>`, MAC = the first 128 bits of
// HMAC-SHA256(SECRET_KEY, "certhall.receipt.v1:" + order id), base64url.
//
// Why an HMAC and not a random token stored per order: nothing to store or migrate, the same receipt
// printed twice carries the same QR code, and the token reveals nothing the verification page does not
// already show (the order number is printed next to the QR code anyway) while the MAC over the internal
// order id makes it unguessable (2^128). Lookup is by the unique order number, so it costs one indexed
// query. The price: rotating SECRET_KEY invalidates printed receipts, and a single receipt cannot be
// revoked on its own; the verification page shows the order's live state (cancelled, refunded) instead.

const CONTEXT = "certhall.receipt.v1:";
const MAC_BYTES = 16;
const ORDER_NO = /^CH\d{14}$/;
const TOKEN = /^(CH\d{14})\.([A-Za-z0-9_-]{22})$/;

function mac(secret: Buffer, orderId: string): Buffer {
  return createHmac("sha256", secret)
    .update(CONTEXT + orderId)
    .digest()
    .subarray(0, MAC_BYTES);
}

export function receiptToken(secret: Buffer, order: { id: string; order_no: string }): string {
  return `${order.order_no}.${mac(secret, order.id).toString("base64url")}`;
}

/** The order number a token claims, or null when the text is not shaped like a token. */
export function parseReceiptToken(token: string): { orderNo: string; mac: string } | null {
  const m = TOKEN.exec(token);
  return m ? { orderNo: m[1]!, mac: m[2]! } : null;
}

/** True when `token` is the one we issued for this order (constant-time comparison). */
export function checkReceiptToken(
  secret: Buffer,
  order: { id: string; order_no: string },
  token: string,
): boolean {
  const parsed = parseReceiptToken(token);
  if (!parsed || parsed.orderNo !== order.order_no) return false;
  const given = Buffer.from(parsed.mac, "base64url");
  const expected = mac(secret, order.id);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const isOrderNo = (text: string): boolean => ORDER_NO.test(text);
