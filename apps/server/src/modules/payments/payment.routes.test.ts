import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staffClient } from "../../test/harness";
import { rsa2Sign } from "./payment.provider";
import {
  approvedOrder,
  createPaymentTestApp,
  deliver,
  HANDLER,
  newApplicant,
  PNG_BYTES,
  uploadVoucher,
} from "./payment.test-support";
import { loadSandboxKey } from "./sandbox.provider";

let t: Awaited<ReturnType<typeof createPaymentTestApp>>;

beforeAll(async () => {
  t = await createPaymentTestApp();
});
afterAll(async () => {
  await t.close();
});

const db = () => t.database.db;
const orderState = async (id: string) =>
  await db().selectFrom("orders").select(["state", "version"]).where("id", "=", id).executeTakeFirstOrThrow();
const paymentsOf = (orderId: string) =>
  db().selectFrom("payments").selectAll().where("order_id", "=", orderId).orderBy("created_at").execute();
const rejections = async () =>
  (
    await db()
      .selectFrom("audit_log")
      .select(["detail"])
      .where("action", "=", "payment.notify_rejected")
      .orderBy("seq")
      .execute()
  ).map((r) => JSON.parse(r.detail) as { reason: string; outTradeNo: string | null });

const refundsDue = async (paymentId: string) =>
  (
    await db()
      .selectFrom("audit_log")
      .select(["detail"])
      .where("action", "=", "payment.refund_due")
      .where("object_id", "=", paymentId)
      .orderBy("seq")
      .execute()
  ).map((r) => JSON.parse(r.detail) as Record<string, unknown>);

/** Opens the sandbox cashier and presses 「确认支付」 as the payer's browser would. */
async function payInSandbox(client: Awaited<ReturnType<typeof newApplicant>>["client"], redirectUrl: string) {
  const page = await client.get(redirectUrl);
  expect(page.status).toBe(200);
  const token = /name="_csrf" value="([^"]+)"/.exec(String(page.body))?.[1];
  expect(token).toBeTruthy();
  return client.request("POST", `${redirectUrl}/confirm`, `_csrf=${encodeURIComponent(token!)}`, {
    "content-type": "application/x-www-form-urlencoded",
  });
}

describe("online payment in the sandbox cashier", () => {
  it("pays through the cashier, the signed asynchronous notification and finance booking, to awaiting materials", async () => {
    const a = await newApplicant(t);
    const order = await approvedOrder(t, a);

    const started = await a.client.post(`/api/v1/orders/${order.id}/payments/online`);
    expect(started.status).toBe(200);
    expect(started.body.redirectUrl).toBe(`/sandbox-pay/${started.body.paymentId}`);

    const page = await a.client.get(started.body.redirectUrl);
    expect(page.headers["content-type"]).toContain("text/html");
    expect(page.body).toContain("确认支付");
    expect(page.body).toContain("取消");
    expect(page.body).toContain(order.orderNo);
    expect(page.body).toContain("¥580.00");
    expect(page.body).not.toContain("<script");

    const sentBefore = t.sent.length;
    const confirmed = await payInSandbox(a.client, started.body.redirectUrl);
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.location).toBe(`/orders/${order.id}?payment=returned`);
    // The redirect alone pays nothing: only the provider's notification does.
    expect((await orderState(order.id)).state).toBe("awaiting_payment");
    expect(t.sent).toHaveLength(sentBefore + 1);
    const note = t.sent.at(-1)!;
    expect(note.url).toBe(`${t.config.publicUrl}/api/v1/payments/notify/sandbox`);
    expect(note.params).toMatchObject({
      total_amount: "580.00",
      trade_status: "TRADE_SUCCESS",
      sign_type: "RSA2",
    });
    expect(note.params.notify_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    const answer = await deliver(t, note.params);
    expect(answer).toEqual({ status: 200, body: "success" });
    expect((await orderState(order.id)).state).toBe("awaiting_booking");
    const [paid] = await paymentsOf(order.id);
    expect(paid).toMatchObject({ status: "paid", method: "online", amount_fen: 58000 });
    expect(paid!.provider_trade_no).toBe(note.params.trade_no);

    const mine = await a.client.get(`/api/v1/orders/${order.id}/payments`);
    expect(mine.body.remittanceCode).toBe(order.remittanceCode);
    expect(mine.body.payments.map((p: { statusLabel: string }) => p.statusLabel)).toEqual(["已支付"]);

    const finance = await staffClient(t, "finance");
    const queue = await finance.get("/api/v1/admin/payments?status=awaiting_booking");
    const row = queue.body.payments.find((p: { id: string }) => p.id === paid!.id);
    expect(row).toMatchObject({
      method: "online",
      amountFen: 58000,
      voucherUrl: null,
      order: { orderNo: order.orderNo, remittanceCode: order.remittanceCode, state: "awaiting_booking" },
    });
    expect(row.paidAt).toBeTruthy();

    const booked = await finance.post(`/api/v1/admin/payments/${paid!.id}/book`, {
      version: row.order.version,
    });
    expect(booked.status).toBe(200);
    expect(booked.body.status).toBe("booked");
    expect((await orderState(order.id)).state).toBe("awaiting_materials");
    const after = (await paymentsOf(order.id))[0]!;
    expect(after.booked_by).toBeTruthy();
    expect(after.booked_at).toBeTruthy();

    const events = await db()
      .selectFrom("order_events")
      .select(["event", "actor_type"])
      .where("order_id", "=", order.id)
      .orderBy("version")
      .execute();
    expect(events.slice(-2)).toEqual([
      { event: "pay", actor_type: "system" },
      { event: "book", actor_type: "finance" },
    ]);
    const audit = await db()
      .selectFrom("audit_log")
      .select("action")
      .where("object_id", "in", [order.id, paid!.id])
      .execute();
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining(["payment.online_started", "order.pay", "order.book"]),
    );
    const sms = await db()
      .selectFrom("sms_outbox")
      .select("template")
      .where("phone", "=", HANDLER.phone)
      .where("text", "like", `%${order.orderNo}%`)
      .execute();
    expect(sms.map((s) => s.template)).toContain("payment_booked");

    // Booked once: a second booking is refused.
    const twice = await finance.post(`/api/v1/admin/payments/${paid!.id}/book`, {
      version: row.order.version + 1,
    });
    expect(twice.status).toBe(409);
  });

  it("answers a replayed notification with success and no second payment or transition", async () => {
    const a = await newApplicant(t);
    const order = await approvedOrder(t, a);
    const started = await a.client.post(`/api/v1/orders/${order.id}/payments/online`);
    await payInSandbox(a.client, started.body.redirectUrl);
    const params = t.sent.at(-1)!.params;
    expect((await deliver(t, params)).body).toBe("success");
    const versionAfterPay = (await orderState(order.id)).version;
    expect((await deliver(t, params)).body).toBe("success");
    // Two deliveries at once as well.
    const both = await Promise.all([deliver(t, params), deliver(t, params)]);
    expect(both.map((b) => b.body)).toEqual(["success", "success"]);
    expect((await orderState(order.id)).version).toBe(versionAfterPay);
    const pays = await db()
      .selectFrom("order_events")
      .select("id")
      .where("order_id", "=", order.id)
      .where("event", "=", "pay")
      .execute();
    expect(pays).toHaveLength(1);
    expect((await paymentsOf(order.id)).filter((p) => p.status === "paid")).toHaveLength(1);
    // Confirming again in the cashier sends nothing for a paid trade.
    const sent = t.sent.length;
    await payInSandbox(a.client, started.body.redirectUrl).catch(() => undefined);
    expect(t.sent).toHaveLength(sent);
  });

  it("rejects and logs a forged signature, a changed field, a wrong amount and an unknown trade", async () => {
    const a = await newApplicant(t);
    const order = await approvedOrder(t, a);
    const started = await a.client.post(`/api/v1/orders/${order.id}/payments/online`);
    await payInSandbox(a.client, started.body.redirectUrl);
    const genuine = t.sent.at(-1)!.params;
    const before = (await rejections()).length;

    const { privateKey: forger } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const forged = { ...genuine, sign: rsa2Sign(genuine, forger) };
    expect((await deliver(t, forged)).body).toBe("fail");

    const tampered = { ...genuine, total_amount: "0.01" };
    expect((await deliver(t, tampered)).body).toBe("fail");

    // Correctly signed by the sandbox (e.g. a bug on its side), but not what the order costs.
    const sandboxKey = loadSandboxKey(t.config.dataDir);
    const cheap: Record<string, string> = { ...genuine, total_amount: "1.00" };
    cheap.sign = rsa2Sign(cheap, sandboxKey);
    expect((await deliver(t, cheap)).body).toBe("fail");

    const unknown: Record<string, string> = { ...genuine, out_trade_no: "CH99999999999999P000000" };
    unknown.sign = rsa2Sign(unknown, sandboxKey);
    expect((await deliver(t, unknown)).body).toBe("fail");

    const wrongProvider = await deliver(t, genuine, "alipay");
    expect(wrongProvider.body).toBe("fail");

    // Only notifications the provider signed reach the audit chain; unsigned junk is logged and counted.
    const logged = (await rejections()).slice(before).map((r) => r.reason);
    expect(logged).toEqual(["amount_mismatch", "unknown_trade"]);
    expect((await orderState(order.id)).state).toBe("awaiting_payment");
    expect((await paymentsOf(order.id)).map((p) => p.status)).toEqual(["created"]);

    // The genuine one still goes through afterwards.
    expect((await deliver(t, genuine)).body).toBe("success");
    expect((await orderState(order.id)).state).toBe("awaiting_booking");
  });

  it("makes one payment of a double click on pay, and never two paid ones", async () => {
    const a = await newApplicant(t);
    const order = await approvedOrder(t, a);
    const [x, y] = await Promise.all([
      a.client.post(`/api/v1/orders/${order.id}/payments/online`),
      a.client.post(`/api/v1/orders/${order.id}/payments/online`),
    ]);
    expect(x.status).toBe(200);
    expect(y.status).toBe(200);
    expect(x.body.paymentId).toBe(y.body.paymentId);
    expect(await paymentsOf(order.id)).toHaveLength(1);

    // A transfer declared while the online trade is open, then the online notification: one settles,
    // and the online money is recorded to be refunded (accepted, so the provider stops resending).
    await payInSandbox(a.client, x.body.redirectUrl);
    const declared = await a.client.post(`/api/v1/orders/${order.id}/payments/transfer`, {});
    expect(declared.status).toBe(201);
    expect((await deliver(t, t.sent.at(-1)!.params)).body).toBe("success");
    const all = await paymentsOf(order.id);
    expect(all.filter((p) => ["paid", "declared", "booked"].includes(p.status))).toHaveLength(1);
    expect(all.find((p) => p.method === "online")).toMatchObject({ status: "refund_due" });
    expect(await refundsDue(x.body.paymentId)).toEqual([
      expect.objectContaining({ reason: "order_not_awaiting_payment", orderState: "awaiting_booking" }),
    ]);
  });

  it("refuses a cashier confirmation without the page's CSRF token, and an unknown payment", async () => {
    const a = await newApplicant(t);
    const order = await approvedOrder(t, a);
    const started = await a.client.post(`/api/v1/orders/${order.id}/payments/online`);
    const sent = t.sent.length;
    for (const body of ["", "_csrf=forged.token"]) {
      const res = await a.client.request("POST", `${started.body.redirectUrl}/confirm`, body, {
        "content-type": "application/x-www-form-urlencoded",
      });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe("CSRF_FAILED");
    }
    expect(t.sent).toHaveLength(sent);
    expect((await a.client.get("/sandbox-pay/00000000-0000-0000-0000-000000000000")).status).toBe(404);
  });

  it("refuses to start paying an order that is not awaiting payment", async () => {
    const a = await newApplicant(t);
    const draft = await a.client.post("/api/v1/orders", {
      business: "new",
      subjectKind: "company",
      handler: HANDLER,
      items: [{ subjectId: a.companyId, caTypeId: a.caTypeId, years: 1, eseal: false }],
    });
    const res = await a.client.post(`/api/v1/orders/${draft.body.id}/payments/online`);
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain("待缴费");
    const tr = await a.client.post(`/api/v1/orders/${draft.body.id}/payments/transfer`, {});
    expect(tr.status).toBe(409);
  });
});

describe("bank transfer", () => {
  it("declares a transfer with a PNG voucher that finance views and books", async () => {
    const a = await newApplicant(t);
    const order = await approvedOrder(t, a);
    const res = await uploadVoucher(
      a.client,
      order.id,
      { field: "voucher", filename: "回单.png", contentType: "image/png", data: PNG_BYTES },
      { version: String(order.version) },
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      method: "transfer",
      status: "declared",
      hasVoucher: true,
      amountFen: 58000,
    });
    expect((await orderState(order.id)).state).toBe("awaiting_booking");

    const finance = await staffClient(t, "finance");
    const queue = await finance.get("/api/v1/admin/payments");
    const row = queue.body.payments.find((p: { id: string }) => p.id === res.body.id);
    expect(row.method).toBe("transfer");
    expect(row.voucherUrl).toBe(`/api/v1/admin/payments/${res.body.id}/voucher`);
    expect(row.order.remittanceCode).toBe(order.remittanceCode);

    const file = await t.app.inject({
      method: "GET",
      url: row.voucherUrl,
      headers: { cookie: [...finance.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    expect(file.statusCode).toBe(200);
    expect(file.headers["content-type"]).toBe("image/png");
    expect(file.headers["content-disposition"]).toBe(
      `inline; filename="voucher"; filename*=UTF-8''${encodeURIComponent("回单.png")}`,
    );
    expect(file.headers["x-content-type-options"]).toBe("nosniff");
    expect(file.rawPayload.equals(PNG_BYTES)).toBe(true);

    const booked = await finance.post(`/api/v1/admin/payments/${res.body.id}/book`, {
      version: row.order.version,
    });
    expect(booked.status).toBe(200);
    expect((await orderState(order.id)).state).toBe("awaiting_materials");
  });

  it("sends a payment back with a reason, and the applicant pays again", async () => {
    const a = await newApplicant(t);
    const order = await approvedOrder(t, a);
    const declared = await a.client.post(`/api/v1/orders/${order.id}/payments/transfer`, {
      version: order.version,
    });
    expect(declared.status).toBe(201);
    const finance = await staffClient(t, "finance");
    const { version } = await orderState(order.id);

    const noReason = await finance.post(`/api/v1/admin/payments/${declared.body.id}/return`, { version });
    expect(noReason.status).toBe(400);
    expect(noReason.body.field).toBe("note");
    const blank = await finance.post(`/api/v1/admin/payments/${declared.body.id}/return`, {
      version,
      note: "  ",
    });
    expect(blank.status).toBe(400);

    const returned = await finance.post(`/api/v1/admin/payments/${declared.body.id}/return`, {
      version,
      note: "未查到到账记录，请核对汇款识别码",
    });
    expect(returned.status).toBe(200);
    expect(returned.body).toMatchObject({
      status: "returned",
      returnReason: "未查到到账记录，请核对汇款识别码",
    });
    const o = await a.client.get(`/api/v1/orders/${order.id}`);
    expect(o.body.state).toBe("awaiting_payment");
    expect(o.body.lastNote).toBe("未查到到账记录，请核对汇款识别码");
    const sms = await db()
      .selectFrom("sms_outbox")
      .select("text")
      .where("template", "=", "payment_returned")
      .where("text", "like", `%${order.orderNo}%`)
      .execute();
    expect(sms[0]!.text).toContain("未查到到账记录");

    // Not in the queue any more; paying again works.
    const queue = await finance.get("/api/v1/admin/payments");
    expect(queue.body.payments.map((p: { id: string }) => p.id)).not.toContain(declared.body.id);
    const again = await a.client.post(`/api/v1/orders/${order.id}/payments/transfer`, {});
    expect(again.status).toBe(201);
    expect((await paymentsOf(order.id)).map((p) => p.status)).toEqual(["returned", "declared"]);
  });

  it("refuses an oversized voucher (413) and a program renamed .png (400), naming the field voucher", async () => {
    const a = await newApplicant(t);
    const order = await approvedOrder(t, a);
    const big = Buffer.concat([PNG_BYTES, Buffer.alloc(5 * 1024 * 1024)]);
    const tooBig = await uploadVoucher(a.client, order.id, {
      field: "voucher",
      filename: "big.png",
      contentType: "image/png",
      data: big,
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.field).toBe("voucher");
    expect(tooBig.body.detail).toContain("5 MB");

    const exe = Buffer.concat([Buffer.from("MZ\x90\x00\x03\x00\x00\x00", "latin1"), Buffer.alloc(512)]);
    const fake = await uploadVoucher(a.client, order.id, {
      field: "voucher",
      filename: "凭证.png",
      contentType: "image/png",
      data: exe,
    });
    expect(fake.status).toBe(400);
    expect(fake.body.field).toBe("voucher");
    expect(fake.body.detail).toContain("JPEG、PNG");

    expect((await orderState(order.id)).state).toBe("awaiting_payment");
    expect(await paymentsOf(order.id)).toHaveLength(0);
    expect(
      await db().selectFrom("uploads").select("id").where("order_id", "=", order.id).execute(),
    ).toHaveLength(0);
  });

  it("tells anyone the bank account, marked as a demo, and how to quote the remittance code", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/v1/payment-info" });
    const body = res.json();
    expect(body.bank.demo).toBe(true);
    expect(body.bank.accountName).toContain("演示");
    expect(body.remittanceHint).toContain("汇款识别码");
    expect(body.online).toBe("sandbox");
  });
});

describe("who may do what", () => {
  it("answers 404 for another applicant's order on every payment route", async () => {
    const owner = await newApplicant(t);
    const order = await approvedOrder(t, owner);
    const other = await newApplicant(t);
    expect((await other.client.post(`/api/v1/orders/${order.id}/payments/online`)).status).toBe(404);
    expect((await other.client.post(`/api/v1/orders/${order.id}/payments/transfer`, {})).status).toBe(404);
    expect((await other.client.post(`/api/v1/orders/${order.id}/payments/zero`, {})).status).toBe(404);
    expect((await other.client.get(`/api/v1/orders/${order.id}/payments`)).status).toBe(404);
    expect(await paymentsOf(order.id)).toHaveLength(0);
  });

  it("forbids staff without the finance role from the booking queue, booking, returns and vouchers (403)", async () => {
    const a = await newApplicant(t);
    const order = await approvedOrder(t, a);
    const declared = await uploadVoucher(a.client, order.id, {
      field: "voucher",
      filename: "v.png",
      contentType: "image/png",
      data: PNG_BYTES,
    });
    const { version } = await orderState(order.id);
    for (const role of ["reviewer", "operator", "admin", "auditor"]) {
      const c = await staffClient(t, role);
      expect((await c.get("/api/v1/admin/payments")).status).toBe(403);
      expect((await c.post(`/api/v1/admin/payments/${declared.body.id}/book`, { version })).status).toBe(403);
      expect(
        (await c.post(`/api/v1/admin/payments/${declared.body.id}/return`, { version, note: "x" })).status,
      ).toBe(403);
      expect((await c.get(`/api/v1/admin/payments/${declared.body.id}/voucher`)).status).toBe(403);
    }
    expect((await a.client.get("/api/v1/admin/payments")).status).toBe(401);
    expect((await orderState(order.id)).state).toBe("awaiting_booking");
  });

  it("refuses the zero-amount payment for 新证, which is paid", async () => {
    const a = await newApplicant(t);
    const order = await approvedOrder(t, a);
    const res = await a.client.post(`/api/v1/orders/${order.id}/payments/zero`, { version: order.version });
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain("需要缴费");
  });
});
