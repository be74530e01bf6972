// Each step's SMS says what really happened (issue 13 defects 4 and 6): 「款项已记账」 only after finance
// booked, 「已缴费成功」 after an online payment no one books, 「已受理（本业务不收费）」 for a free
// business; the approval reaches the account holder too when the handler is someone else; a free
// order's timeline does not ask for a payment.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accountWithCertificate,
  type BusinessApp,
  createBusinessApp,
  fileOrder,
  HANDLER,
  payOnline,
} from "../../test/business-flow";

let t: BusinessApp;
beforeAll(async () => {
  t = await createBusinessApp();
}, 60_000);
afterAll(async () => {
  await t.close();
});

async function smsOf(orderNo: string) {
  return t.database.db
    .selectFrom("sms_outbox")
    .select(["template", "phone", "text"])
    .where("text", "like", `%${orderNo}%`)
    .orderBy("created_at")
    .execute();
}

describe("order SMS", () => {
  it("sends the approval to the handler and to the account holder's phone when they differ", async () => {
    const cert = await accountWithCertificate(t);
    expect(cert.phone).not.toBe(HANDLER.phone);
    const order = await t.database.db
      .selectFrom("orders")
      .select("order_no")
      .where("id", "=", cert.orderId)
      .executeTakeFirstOrThrow();
    const approved = (await smsOf(order.order_no)).filter((s) => s.template === "order_approved");
    expect(approved.map((s) => s.phone).sort()).toEqual([HANDLER.phone, cert.phone].sort());
    // 新证 is always booked by finance: that one says 「款项已记账」.
    expect((await smsOf(order.order_no)).map((s) => s.template)).toContain("payment_booked");
  }, 60_000);

  it("says 「已缴费成功」, not 「款项已记账」, for a 变更 paid online", async () => {
    const cert = await accountWithCertificate(t);
    const res = await fileOrder(cert.client, "change", [
      { certificateSerial: cert.serial, changes: { address: "福建省泉州市" }, reason: "迁址" },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await payOnline(t, cert.client, res.body.id)).toBe("awaiting_materials");
    const sms = await smsOf(res.body.orderNo);
    expect(sms.map((s) => s.template)).toEqual(["payment_received"]);
    expect(sms[0]!.text).toContain("已缴费成功");
    expect(sms[0]!.text).not.toContain("记账");
  }, 60_000);

  it("tells a free 解锁 it is accepted without payment, and its timeline does not ask to pay", async () => {
    const cert = await accountWithCertificate(t);
    const res = await fileOrder(cert.client, "unlock", [{ certificateSerial: cert.serial }]);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const detail = await cert.client.get(`/api/v1/orders/${res.body.id}`);
    expect(detail.body.timeline.current.next).not.toContain("银行转账");
    expect(detail.body.timeline.current.next).toContain("不收费");
    const paid = await cert.client.post(`/api/v1/orders/${res.body.id}/payments/zero`);
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    const sms = await smsOf(res.body.orderNo);
    expect(sms.map((s) => s.template)).toEqual(["order_accepted"]);
    expect(sms[0]!.text).not.toContain("记账");
    expect(sms[0]!.text).not.toContain("缴费成功");
  }, 60_000);
});
