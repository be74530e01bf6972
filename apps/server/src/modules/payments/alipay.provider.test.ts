import { createVerify, generateKeyPairSync } from "node:crypto";
import { AlipaySdk } from "alipay-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Order, Payment } from "../../db/tables.orders";
import { createAlipayProvider } from "./alipay.provider";
import { NotificationRejected, rsa2Sign } from "./payment.provider";
import { alipayNotice, startFakeAlipayGateway } from "./payment.test-support";
import { createSandboxProvider } from "./sandbox.provider";

// Locally generated stand-ins: our application's key pair and "Alipay's" key pair.
const app = generateKeyPairSync("rsa", { modulusLength: 2048 });
const alipay = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = (k: { export(o: object): string | Buffer }, type: "pkcs8" | "spki") =>
  k.export({ type, format: "pem" }).toString();
const APP_ID = "2021000000000001";

const provider = createAlipayProvider({
  appId: APP_ID,
  privateKey: pem(app.privateKey, "pkcs8"),
  publicKey: pem(alipay.publicKey, "spki"),
  gateway: "https://openapi-sandbox.dl.alipaydev.com/gateway.do",
  publicUrl: "https://ca.example.cn",
});

const order = { id: "order-1", order_no: "CH20261125100000" } as Order;
const payment = { id: "pay-1", out_trade_no: "CH20261125100000P123456", amount_fen: 58000 } as Payment;

/** A notification as Alipay sends it, signed with Alipay's key by Alipay's rule. */
const notification = (over: Record<string, string> = {}) =>
  alipayNotice({ app_id: APP_ID, out_trade_no: payment.out_trade_no, ...over }, alipay.privateKey);

describe("the Alipay adapter", () => {
  it("builds a signed alipay.trade.page.pay URL with our notify and return URLs", async () => {
    const url = new URL(await provider.createCheckout(order, payment));
    expect(url.origin + url.pathname).toBe("https://openapi-sandbox.dl.alipaydev.com/gateway.do");
    const q = Object.fromEntries(url.searchParams);
    expect(q.method).toBe("alipay.trade.page.pay");
    expect(q.app_id).toBe(APP_ID);
    expect(q.sign_type).toBe("RSA2");
    expect(q.notify_url).toBe("https://ca.example.cn/api/v1/payments/notify/alipay");
    expect(q.return_url).toBe("https://ca.example.cn/orders/order-1");
    const biz = JSON.parse(q.biz_content!);
    expect(biz).toMatchObject({
      out_trade_no: payment.out_trade_no,
      total_amount: "580.00",
      product_code: "FAST_INSTANT_TRADE_PAY",
    });
    // Alipay checks a request's signature over every parameter but `sign`, sorted, with our public key.
    const content = Object.keys(q)
      .filter((k) => k !== "sign")
      .sort()
      .map((k) => `${k}=${q[k]}`)
      .join("&");
    expect(createVerify("RSA-SHA256").update(content).verify(app.publicKey, q.sign!, "base64")).toBe(true);
  });

  it("accepts a notification signed with Alipay's key and reads trade, amount and status", () => {
    expect(provider.verifyNotification(notification())).toEqual({
      outTradeNo: payment.out_trade_no,
      providerTradeNo: "2026112522001401234567890123",
      amountFen: 58000,
      paid: true,
    });
    expect(provider.verifyNotification(notification({ trade_status: "WAIT_BUYER_PAY" })).paid).toBe(false);
  });

  it("rejects a flipped field, a foreign key's signature and another app's notification", () => {
    const flipped = { ...notification(), total_amount: "0.01" };
    expect(() => provider.verifyNotification(flipped)).toThrow(NotificationRejected);
    const ours = notification();
    const forged = { ...ours, sign: rsa2Sign(ours, app.privateKey) };
    expect(() => provider.verifyNotification(forged)).toThrow(/signature/);
    expect(() => provider.verifyNotification(notification({ app_id: "2021999999999999" }))).toThrow(/app_id/);
    const { sign: _drop, ...unsigned } = notification();
    expect(() => provider.verifyNotification(unsigned)).toThrow(NotificationRejected);
  });
});

describe("alipay.trade.close against a local fake gateway", () => {
  let gateway: Awaited<ReturnType<typeof startFakeAlipayGateway>>;
  let answer: Parameters<typeof startFakeAlipayGateway>[0]["answer"];
  beforeAll(async () => {
    gateway = await startFakeAlipayGateway({
      appPublicKey: app.publicKey,
      alipayPrivateKey: alipay.privateKey,
      answer: (call) => answer?.(call) ?? { body: { code: "10000", msg: "Success" } },
    });
  });
  afterAll(async () => {
    await gateway.close();
  });
  const closer = () =>
    createAlipayProvider({
      appId: APP_ID,
      privateKey: pem(app.privateKey, "pkcs8"),
      publicKey: pem(alipay.publicKey, "spki"),
      gateway: gateway.url,
      publicUrl: "https://ca.example.cn",
    });

  it("sends a request signed with our key for our trade, and reads a signed success", async () => {
    answer = undefined;
    expect(await closer().closeTrade(payment)).toBe("closed");
    const call = gateway.calls.at(-1)!;
    expect(call).toMatchObject({ method: "alipay.trade.close", signatureValid: true });
    expect(call.params).toMatchObject({ app_id: APP_ID, sign_type: "RSA2" });
    expect(call.bizContent).toEqual({ out_trade_no: payment.out_trade_no });
  });

  it("takes a trade the payer never opened as nothing to close, and refuses other answers", async () => {
    answer = () => ({
      body: { code: "40004", msg: "Business Failed", sub_code: "ACQ.TRADE_NOT_EXIST", sub_msg: "交易不存在" },
    });
    expect(await closer().closeTrade(payment)).toBe("not_found");
    answer = () => ({
      body: {
        code: "40004",
        msg: "Business Failed",
        sub_code: "ACQ.TRADE_STATUS_ERROR",
        sub_msg: "交易状态不合法",
      },
    });
    await expect(closer().closeTrade(payment)).rejects.toThrow(/ACQ.TRADE_STATUS_ERROR/);
  });

  it("refuses an answer whose signature is not Alipay's", async () => {
    answer = () => ({ body: { code: "10000", msg: "Success" }, badSign: true });
    await expect(closer().closeTrade(payment)).rejects.toThrow(/验签失败/);
  });
});

describe("the sandbox's signature", () => {
  it("follows Alipay's rule exactly: alipay-sdk's checkNotifySignV2 accepts it with the sandbox public key", () => {
    const key = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const sandbox = createSandboxProvider(key.privateKey);
    const sdk = new AlipaySdk({
      appId: "sandbox",
      privateKey: pem(key.privateKey, "pkcs8"),
      keyType: "PKCS8",
      alipayPublicKey: pem(key.publicKey, "spki"),
    });
    const params = sandbox.buildNotification(
      { ...payment, id: "6f1c0d8e-2b7a-4c1e-9f00-123456789abc" } as Payment,
      new Date("2026-11-25T02:00:00Z"),
    );
    expect(params.notify_time).toBe("2026-11-25 10:00:00");
    expect(sdk.checkNotifySignV2(params)).toBe(true);
    expect(sdk.checkNotifySignV2({ ...params, total_amount: "1.00" })).toBe(false);
    expect(sandbox.verifyNotification(params).amountFen).toBe(58000);
  });
});
