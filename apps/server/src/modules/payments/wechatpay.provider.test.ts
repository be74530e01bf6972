import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Order, Payment } from "../../db/tables.orders";
import { testClock } from "../../test/harness";
import { NotificationRejected } from "./payment.provider";
import { decryptWechatResource, encryptWechatResource } from "./wechatpay.crypto";
import {
  startFakeWechatPay,
  type WechatKeys,
  wechatKeys,
  wechatNotice,
  wechatProviderFor,
} from "./wechatpay.test-support";

const time = testClock();
let k: WechatKeys;
let fake: Awaited<ReturnType<typeof startFakeWechatPay>>;
let answer: Parameters<typeof startFakeWechatPay>[2];

beforeAll(async () => {
  k = wechatKeys();
  fake = await startFakeWechatPay(k, time.clock, (c) => answer?.(c));
});
afterAll(async () => fake.close());

const order = { id: "o1", order_no: "CH20261125100000" } as Order;
const payment = { id: "p1", out_trade_no: "CH20261125100000P123456", amount_fen: 58000 } as Payment;

describe("WeChat Pay APIv3 requests", () => {
  it("signs a Native prepay that the fake server verifies and answers the code_url to show as a QR code", async () => {
    const p = wechatProviderFor(k, fake.url, time.clock);
    const url = await p.createCheckout(order, payment, { scene: "native", clientIp: "203.0.113.9" });
    expect(url).toBe("weixin://wxpay/bizpayurl?pr=p4lpSuKzz");
    const call = fake.calls.at(-1)!;
    expect(call.path).toBe("/v3/pay/transactions/native");
    expect(call.signatureValid).toBe(true);
    expect(call.authorization).toMatchObject({ mchid: k.mchid, serial_no: k.merchantSerial });
    expect(call.authorization!.timestamp).toBe(String(Math.floor(time.clock().getTime() / 1000)));
    expect(call.body).toMatchObject({
      appid: k.appid,
      mchid: k.mchid,
      out_trade_no: payment.out_trade_no,
      amount: { total: 58000, currency: "CNY" },
      notify_url: "http://localhost:3000/api/v1/payments/notify/wechatpay",
    });
    expect(call.body.time_expire).toBe("2026-11-25T12:00:00+08:00");
  });

  it("asks for an H5 payment with the payer's IP for a phone", async () => {
    const p = wechatProviderFor(k, fake.url, time.clock);
    const url = await p.createCheckout(order, payment, { scene: "h5", clientIp: "203.0.113.9" });
    expect(url).toBe(
      "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1&redirect_url=http%3A%2F%2Flocalhost%3A3000%2Forders%2Fo1%3Fpayment%3Dreturned",
    );
    expect(fake.calls.at(-1)!.body.scene_info).toEqual({
      payer_client_ip: "203.0.113.9",
      h5_info: { type: "Wap" },
    });
  });

  it("is refused by WeChat (401) when signed with another key, and refuses an answer whose signature fails", async () => {
    const other = { ...k, merchant: generateKeyPairSync("rsa", { modulusLength: 2048 }) };
    await expect(
      wechatProviderFor(other, fake.url, time.clock).createCheckout(order, payment),
    ).rejects.toThrow(/401 SIGN_ERROR/);
    answer = () => ({ status: 200, body: { code_url: "weixin://wxpay/bizpayurl?pr=evil" }, badSign: true });
    try {
      await expect(wechatProviderFor(k, fake.url, time.clock).createCheckout(order, payment)).rejects.toThrow(
        /bad_signature/,
      );
    } finally {
      answer = undefined;
    }
  });

  it("closes a trade (204), reports one WeChat never had as not_found, and throws on other refusals", async () => {
    const p = wechatProviderFor(k, fake.url, time.clock);
    expect(await p.closeTrade(payment)).toBe("closed");
    const call = fake.calls.at(-1)!;
    expect(call.path).toBe(`/v3/pay/transactions/out-trade-no/${payment.out_trade_no}/close`);
    expect(call.body).toEqual({ mchid: k.mchid });
    answer = () => ({ status: 404, body: { code: "ORDER_NOT_EXIST", message: "订单不存在" } });
    expect(await p.closeTrade(payment)).toBe("not_found");
    answer = () => ({ status: 400, body: { code: "ORDERPAID", message: "订单已支付" } });
    await expect(p.closeTrade(payment)).rejects.toThrow(/ORDERPAID/);
    answer = undefined;
  });
});

describe("WeChat Pay notifications", () => {
  const tx = { out_trade_no: payment.out_trade_no, total: 58000 };
  const reason = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      return err instanceof NotificationRejected ? err.reason : "other";
    }
    return "accepted";
  };

  it("verifies the signature and decrypts the resource of a genuine one", () => {
    const p = wechatProviderFor(k, fake.url, time.clock);
    expect(p.verifyNotification(wechatNotice(k, tx, time.clock()))).toEqual({
      outTradeNo: payment.out_trade_no,
      providerTradeNo: "4200000000202612030000000001",
      amountFen: 58000,
      paid: true,
    });
    expect(p.verifyNotification(wechatNotice(k, { ...tx, trade_state: "NOTPAY" }, time.clock())).paid).toBe(
      false,
    );
  });

  it("refuses a changed body, another signer, a wrong serial, missing headers, an old timestamp and another APIv3 key", () => {
    const p = wechatProviderFor(k, fake.url, time.clock);
    const now = time.clock();
    const n = wechatNotice(k, tx, now);
    expect(reason(() => p.verifyNotification({ ...n, body: n.body!.replace("支付成功", "支付成功 ") }))).toBe(
      "bad_signature",
    );
    const forger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    expect(reason(() => p.verifyNotification(wechatNotice(k, tx, now, { signWith: forger })))).toBe(
      "bad_signature",
    );
    expect(reason(() => p.verifyNotification({ ...n, serial: "PUB_KEY_ID_OTHER" }))).toBe("bad_signature");
    expect(reason(() => p.verifyNotification({ body: n.body! }))).toBe("bad_signature");
    expect(reason(() => p.verifyNotification(wechatNotice(k, tx, new Date(now.getTime() - 301_000))))).toBe(
      "stale",
    );
    expect(reason(() => p.verifyNotification(wechatNotice(k, tx, now, { apiV3Key: "x".repeat(32) })))).toBe(
      "bad_signature",
    );
    expect(reason(() => p.verifyNotification(wechatNotice(k, { ...tx, mchid: "1900000001" }, now)))).toBe(
      "malformed",
    );
  });

  it("round-trips AEAD_AES_256_GCM and detects a changed associated_data", () => {
    const r = encryptWechatResource('{"a":1}', k.apiV3Key, "transaction");
    expect(decryptWechatResource(r, k.apiV3Key)).toBe('{"a":1}');
    expect(() => decryptWechatResource({ ...r, associated_data: "refund" }, k.apiV3Key)).toThrow();
  });
});
