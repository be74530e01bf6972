// Issue 18 item 4: the online trade of an order that is cancelled or edited is closed at the provider,
// and money the provider reports for it anyway is recorded as refund_due (audited), never dropped.
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Payment } from "../../db/tables.orders";
import {
  accountWithCertificate,
  type BusinessApp,
  createBusinessApp,
  fileOrder,
  HANDLER,
  moveClock,
} from "../../test/business-flow";
import { staffClient, type TestApp } from "../../test/harness";
import {
  alipayNotice,
  approvedOrder,
  createPaymentTestApp,
  deliver,
  newApplicant,
  startFakeAlipayGateway,
} from "./payment.test-support";
import { createSandboxProvider, loadSandboxKey } from "./sandbox.provider";

const paymentRow = (t: TestApp, id: string) =>
  t.database.db.selectFrom("payments").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const audits = async (t: TestApp, action: string, objectId: string) =>
  (
    await t.database.db
      .selectFrom("audit_log")
      .select("detail")
      .where("action", "=", action)
      .where("object_id", "=", objectId)
      .orderBy("seq")
      .execute()
  ).map((r) => JSON.parse(r.detail) as Record<string, unknown>);

async function cancel(a: Awaited<ReturnType<typeof newApplicant>>, orderId: string) {
  const { version } = (await a.client.get(`/api/v1/orders/${orderId}`)).body as { version: number };
  const res = await a.client.post(`/api/v1/orders/${orderId}/cancel`, { version });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.state).toBe("cancelled");
}

describe("cancelling an order with an open sandbox trade", () => {
  let t: Awaited<ReturnType<typeof createPaymentTestApp>>;
  beforeAll(async () => {
    t = await createPaymentTestApp();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it("closes the trade; a payment reported for it later is recorded refund_due for finance, once", async () => {
    const a = await newApplicant(t);
    const order = await approvedOrder(t, a);
    const started = await a.client.post(`/api/v1/orders/${order.id}/payments/online`);
    expect(started.status).toBe(200);
    const paymentId = started.body.paymentId as string;
    // The payer had the cashier open and paid there, but the order is cancelled before the notice.
    const paidAtProvider = createSandboxProvider(loadSandboxKey(t.config.dataDir)).buildNotification(
      await paymentRow(t, paymentId),
      t.time.clock(),
    );
    await cancel(a, order.id);

    expect((await paymentRow(t, paymentId)).status).toBe("closed");
    expect(await audits(t, "payment.trade_closed", paymentId)).toEqual([
      expect.objectContaining({ provider: "sandbox", result: "closed" }),
    ]);
    // The sandbox's cashier no longer takes it: no notification is sent.
    const page = await a.client.get(started.body.redirectUrl);
    expect(page.body).toContain("已关闭");
    expect(page.body).not.toContain("确认支付");

    const sent = t.sent.length;
    expect((await deliver(t, paidAtProvider)).body).toBe("success");
    expect(t.sent).toHaveLength(sent);
    const late = await paymentRow(t, paymentId);
    expect(late).toMatchObject({ status: "refund_due", provider_trade_no: paidAtProvider.trade_no });
    expect(JSON.parse(late.notify_payload!).out_trade_no).toBe(late.out_trade_no);
    expect(await audits(t, "payment.refund_due", paymentId)).toEqual([
      expect.objectContaining({ reason: "trade_closed", orderState: "cancelled", amountFen: 58000 }),
    ]);
    // The order stays cancelled; finance finds the money to give back in its payments list.
    expect((await a.client.get(`/api/v1/orders/${order.id}`)).body.state).toBe("cancelled");
    const finance = await staffClient(t, "finance");
    const list = await finance.get("/api/v1/admin/payments?status=refund_due");
    expect(list.status).toBe(200);
    expect(list.body.payments.map((p: { id: string }) => p.id)).toContain(paymentId);
    // Alipay resends until it reads success: a replay records nothing more.
    expect((await deliver(t, paidAtProvider)).body).toBe("success");
    expect(await audits(t, "payment.refund_due", paymentId)).toHaveLength(1);
  });

  it("never loses the money: either the order is paid and the cancel refused, or it is cancelled and the money refund_due", async () => {
    const sandbox = createSandboxProvider(loadSandboxKey(t.config.dataDir));
    for (let round = 0; round < 5; round++) {
      const a = await newApplicant(t);
      const order = await approvedOrder(t, a);
      const started = await a.client.post(`/api/v1/orders/${order.id}/payments/online`);
      const notice = sandbox.buildNotification(await paymentRow(t, started.body.paymentId), t.time.clock());
      const { version } = (await a.client.get(`/api/v1/orders/${order.id}`)).body as { version: number };
      const [cancelled, delivered] = await Promise.all([
        a.client.post(`/api/v1/orders/${order.id}/cancel`, { version }),
        deliver(t, notice),
      ]);
      expect(delivered.body).toBe("success");
      const p = await paymentRow(t, started.body.paymentId);
      const state = (await a.client.get(`/api/v1/orders/${order.id}`)).body.state as string;
      if (cancelled.status === 200) {
        expect(state).toBe("cancelled");
        expect(p.status).toBe("refund_due");
      } else {
        expect(cancelled.status).toBe(409);
        expect(state).toBe("awaiting_booking");
        expect(p.status).toBe("paid");
      }
      expect(p.provider_trade_no).toBe(notice.trade_no);
    }
  });
});

describe("cancelling an order with an open Alipay trade", () => {
  const appKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const alipayKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = (k: { export(o: object): string | Buffer }, type: "pkcs8" | "spki") =>
    k.export({ type, format: "pem" }).toString();
  const APP_ID = "2021000000000002";
  let gateway: Awaited<ReturnType<typeof startFakeAlipayGateway>>;
  let t: Awaited<ReturnType<typeof createPaymentTestApp>>;
  beforeAll(async () => {
    gateway = await startFakeAlipayGateway({
      appPublicKey: appKeys.publicKey,
      alipayPrivateKey: alipayKeys.privateKey,
    });
    t = await createPaymentTestApp({
      env: {
        PAYMENT_PROVIDER: "alipay",
        ALIPAY_APP_ID: APP_ID,
        ALIPAY_PRIVATE_KEY: pem(appKeys.privateKey, "pkcs8"),
        ALIPAY_PUBLIC_KEY: pem(alipayKeys.publicKey, "spki"),
        ALIPAY_GATEWAY: gateway.url,
      },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await gateway?.close();
  });

  it("calls alipay.trade.close for the trade, signed; a late TRADE_SUCCESS becomes refund_due", async () => {
    const a = await newApplicant(t);
    const order = await approvedOrder(t, a);
    const started = await a.client.post(`/api/v1/orders/${order.id}/payments/online`);
    expect(started.status).toBe(200);
    const payment = await paymentRow(t, started.body.paymentId);
    expect(gateway.calls).toHaveLength(0); // the cashier URL is signed locally
    await cancel(a, order.id);

    expect(gateway.calls).toEqual([
      expect.objectContaining({
        method: "alipay.trade.close",
        signatureValid: true,
        bizContent: { out_trade_no: payment.out_trade_no },
      }),
    ]);
    expect(await audits(t, "payment.trade_closed", payment.id)).toEqual([
      expect.objectContaining({ provider: "alipay", result: "closed" }),
    ]);

    const notice = alipayNotice(
      { app_id: APP_ID, out_trade_no: payment.out_trade_no, trade_no: "2026112522001409999999999999" },
      alipayKeys.privateKey,
    );
    expect((await deliver(t, notice, "alipay")).body).toBe("success");
    expect(await paymentRow(t, payment.id)).toMatchObject({
      status: "refund_due",
      provider_trade_no: "2026112522001409999999999999",
    });
  });

  it("still cancels when the gateway refuses the close, and audits the failure", async () => {
    const a = await newApplicant(t);
    const order = await approvedOrder(t, a);
    const started = await a.client.post(`/api/v1/orders/${order.id}/payments/online`);
    await gateway.close(); // unreachable from now on
    await cancel(a, order.id);
    expect((await paymentRow(t, started.body.paymentId)).status).toBe("closed");
    expect(await audits(t, "payment.trade_closed", started.body.paymentId)).toEqual([
      expect.objectContaining({ result: "failed", error: expect.any(String) }),
    ]);
  });
});

describe("editing an order with an open trade (延期, no review: editable while awaiting payment)", () => {
  let t: BusinessApp;
  beforeAll(async () => {
    t = await createBusinessApp();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it("closes the old trade; paying again opens a new one for the new amount", async () => {
    const owner = await accountWithCertificate(t);
    // 延期 opens 90 days before the end: the app's clock moves there (the owner logs in again).
    await moveClock(t, new Date(owner.notAfter.getTime() - 30 * 86_400_000), [owner]);
    const created = await fileOrder(owner.client, "renew", [
      { certificateSerial: owner.serial, keepKey: true, years: 1 },
    ]);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.state).toBe("awaiting_payment");
    const first = await owner.client.post(`/api/v1/orders/${created.body.id}/payments/online`);
    expect(first.status).toBe(200);

    const edited = await owner.client.put(`/api/v1/orders/${created.body.id}`, {
      business: "renew",
      subjectKind: "company",
      handler: HANDLER,
      items: [{ certificateSerial: owner.serial, keepKey: true, years: 2 }],
      version: created.body.version,
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.totalFen).toBeGreaterThan(created.body.totalFen);
    const old = await paymentRow(t, first.body.paymentId);
    expect(old.status).toBe("closed");
    expect(await audits(t, "payment.trade_closed", old.id)).toEqual([
      expect.objectContaining({ result: "closed" }),
    ]);

    const second = await owner.client.post(`/api/v1/orders/${created.body.id}/payments/online`);
    expect(second.status).toBe(200);
    expect(second.body.paymentId).not.toBe(first.body.paymentId);
    const fresh: Payment = await paymentRow(t, second.body.paymentId);
    expect(fresh).toMatchObject({ status: "created", amount_fen: edited.body.totalFen });
  }, 60_000);
});
