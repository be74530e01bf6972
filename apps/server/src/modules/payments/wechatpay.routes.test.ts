import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../../test/harness";
import { approvedOrder, createPaymentTestApp, newApplicant } from "./payment.test-support";
import {
  deliverWechat,
  startFakeWechatPay,
  type WechatKeys,
  wechatKeys,
  wechatNotice,
  wechatProviderFor,
} from "./wechatpay.test-support";

// The app with the sandbox on the Alipay channel and the real WeChat Pay provider against a fake server.
let t: Awaited<ReturnType<typeof createPaymentTestApp>>;
let k: WechatKeys;
let fake: Awaited<ReturnType<typeof startFakeWechatPay>>;
const fakeClock = testClock();

beforeAll(async () => {
  k = wechatKeys();
  fake = await startFakeWechatPay(k, () => fakeClock.clock());
  t = await createPaymentTestApp({ wechat: (clock) => wechatProviderFor(k, fake.url, clock) });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

const db = () => t.database.db;
const stateOf = async (id: string) =>
  (await db().selectFrom("orders").select("state").where("id", "=", id).executeTakeFirstOrThrow()).state;
const paymentsOf = (orderId: string) =>
  db().selectFrom("payments").selectAll().where("order_id", "=", orderId).orderBy("created_at").execute();
const payEvents = async (orderId: string) =>
  (
    await db()
      .selectFrom("order_events")
      .select("event")
      .where("order_id", "=", orderId)
      .where("event", "=", "pay")
      .execute()
  ).length;

async function wechatOrder(scene: "native" | "h5" = "native") {
  const a = await newApplicant(t);
  const order = await approvedOrder(t, a);
  const started = await a.client.post(`/api/v1/orders/${order.id}/payments/online`, {
    channel: "wechat",
    scene,
  });
  return { a, order, started };
}

describe("WeChat Pay through the app", () => {
  it("offers both channels and starts a Native payment answered as a QR code", async () => {
    const info = await t.app.inject({ method: "GET", url: "/api/v1/payment-info" });
    expect(info.json().channels).toEqual(["alipay", "wechat"]);
    const { order, started } = await wechatOrder();
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      kind: "qr",
      channel: "wechat",
      redirectUrl: "weixin://wxpay/bizpayurl?pr=p4lpSuKzz",
    });
    const [p] = await paymentsOf(order.id);
    expect(p).toMatchObject({ provider: "wechatpay", status: "created", amount_fen: order.totalFen });
    expect(fake.calls.at(-1)!.body.out_trade_no).toBe(p!.out_trade_no);
  });

  it("pays the order on a genuine notification, once: the replay answers 204 and books nothing more", async () => {
    const { order } = await wechatOrder("h5");
    const [p] = await paymentsOf(order.id);
    const n = wechatNotice(k, { out_trade_no: p!.out_trade_no, total: p!.amount_fen }, t.time.clock());
    expect((await deliverWechat(t, n)).status).toBe(204);
    expect(await stateOf(order.id)).toBe("awaiting_booking");
    expect((await deliverWechat(t, n)).status).toBe(204);
    const after = await paymentsOf(order.id);
    expect(after.map((x) => x.status)).toEqual(["paid"]);
    expect(after[0]!.provider_trade_no).toBe("4200000000202612030000000001");
    expect(await payEvents(order.id)).toBe(1);
  });

  it("books nothing for a forged, tampered, stale or wrong-amount notification, and answers FAIL", async () => {
    const { order } = await wechatOrder();
    const [p] = await paymentsOf(order.id);
    const tx = { out_trade_no: p!.out_trade_no, total: p!.amount_fen };
    const now = t.time.clock();
    const { generateKeyPairSync } = await import("node:crypto");
    const forger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const genuine = wechatNotice(k, tx, now);
    const bad = [
      wechatNotice(k, tx, now, { signWith: forger }),
      { ...genuine, body: genuine.body!.replace('"summary":"支付成功"', '"summary":"x"') },
      wechatNotice(k, tx, new Date(now.getTime() - 10 * 60_000)),
      wechatNotice(k, { ...tx, total: 1 }, now),
      { ...genuine, signature: "" },
    ];
    const messages = [];
    for (const n of bad) {
      const res = await deliverWechat(t, n);
      expect(res.status).toBe(400);
      const body = JSON.parse(res.body);
      expect(body.code).toBe("FAIL");
      messages.push(body.message);
    }
    expect(messages[0]).toContain("Wechatpay-Signature");
    expect(messages[1]).toContain("Wechatpay-Signature");
    expect(messages[2]).toContain("Wechatpay-Timestamp");
    expect(messages[3]).toContain("amount.total");
    expect(messages[4]).toContain("Wechatpay-Signature");
    expect(await stateOf(order.id)).toBe("awaiting_payment");
    expect((await paymentsOf(order.id)).map((x) => x.status)).toEqual(["created"]);
    expect(await payEvents(order.id)).toBe(0);
  });

  it("closes the WeChat trade at WeChat Pay when the order is cancelled", async () => {
    const { a, order } = await wechatOrder();
    const [p] = await paymentsOf(order.id);
    const cancelled = await a.client.post(`/api/v1/orders/${order.id}/cancel`, { version: order.version });
    expect(cancelled.body.state).toBe("cancelled");
    await expect
      .poll(() =>
        fake.calls.some((c) => c.path === `/v3/pay/transactions/out-trade-no/${p!.out_trade_no}/close`),
      )
      .toBe(true);
    expect((await paymentsOf(order.id))[0]!.status).toBe("closed");
  });

  it("refuses an unknown channel naming the field", async () => {
    const a = await newApplicant(t);
    const order = await approvedOrder(t, a);
    const res = await a.client.post(`/api/v1/orders/${order.id}/payments/online`, { channel: "paypal" });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain("channel");
  });
});

describe("the sandbox's WeChat cashier", () => {
  let s: Awaited<ReturnType<typeof createPaymentTestApp>>;
  beforeAll(async () => {
    s = await createPaymentTestApp();
  });
  afterAll(async () => s.close());

  it("sends a signed, encrypted APIv3 notification that pays the order, and refuses it replayed 10 minutes later", async () => {
    const a = await newApplicant(s);
    const order = await approvedOrder(s, a);
    const started = await a.client.post(`/api/v1/orders/${order.id}/payments/online`, { channel: "wechat" });
    expect(started.body.kind).toBe("qr");
    const path = new URL(started.body.redirectUrl).pathname;
    const page = await a.client.get(path);
    expect(String(page.body)).toContain("微信支付");
    const token = /name="_csrf" value="([^"]+)"/.exec(String(page.body))![1]!;
    await a.client.request("POST", `${path}/confirm`, `_csrf=${token}`, {
      "content-type": "application/x-www-form-urlencoded",
    });
    const sent = s.sent.at(-1)!;
    expect(sent.format).toBe("wechat");
    expect(sent.url).toMatch(/\/api\/v1\/payments\/notify\/sandbox_wechat$/);
    expect(JSON.parse(sent.params.body!).resource.algorithm).toBe("AEAD_AES_256_GCM");
    expect((await deliverWechat(s, sent.params, "sandbox_wechat")).status).toBe(204);
    expect(
      (
        await s.database.db
          .selectFrom("orders")
          .select("state")
          .where("id", "=", order.id)
          .executeTakeFirstOrThrow()
      ).state,
    ).toBe("awaiting_booking");
    s.time.advance(600);
    expect((await deliverWechat(s, sent.params, "sandbox_wechat")).status).toBe(400);
  });
});
