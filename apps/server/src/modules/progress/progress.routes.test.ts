import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Client,
  createTestApp,
  latestSmsCode,
  registerApplicant,
  staffClient,
  type TestApp,
} from "../../test/harness";
import { newCompanyOrder } from "../materials/test-files";
import { COMPANY, HANDLER } from "../workbench/test-flow";

let t: TestApp;
let orderNo: string;
const OWNER = "13912350001";

beforeAll(async () => {
  t = await createTestApp();
  const client = await registerApplicant(t, OWNER);
  const order = await newCompanyOrder(t, client);
  orderNo = order.orderNo;
  const reviewer = await staffClient(t, "reviewer");
  const started = await reviewer.post(`/api/v1/admin/orders/${order.orderId}/start-review`, {
    version: order.version,
  });
  await reviewer.post(`/api/v1/admin/orders/${order.orderId}/reject`, {
    version: started.body.version,
    note: "营业执照不清晰",
  });
}, 60_000);
afterAll(async () => {
  await t.close();
});

const outbox = (phone: string) =>
  t.database.db
    .selectFrom("sms_outbox")
    .select("text")
    .where("phone", "=", phone)
    .where("template", "=", "verify_code")
    .execute();

describe("progress without login", () => {
  it("the handler's phone gets a code and sees the masked timeline, once per code", async () => {
    const anon = new Client(t.app);
    const sent = await anon.post("/api/v1/progress/sms-codes", {
      orderNo: orderNo.toLowerCase(),
      phone: HANDLER.phone,
    });
    expect(sent.status).toBe(200);
    const code = await latestSmsCode(t, HANDLER.phone);
    const res = await anon.post("/api/v1/progress", { orderNo, phone: HANDLER.phone, code });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      orderNo,
      businessName: "新证申请",
      state: "returned",
      stateLabel: "已退回",
      subjects: ["福建******有限公司"],
      handlerName: "李**",
      handlerPhone: "137****1111",
    });
    expect(res.body.timeline.done.map((e: { label: string }) => e.label)).toEqual([
      "提交订单",
      "开始审核",
      "审核退回",
    ]);
    expect(res.body.timeline.done[2].note).toBe("营业执照不清晰");
    expect(JSON.stringify(res.body)).not.toContain(HANDLER.idNumber);
    expect(JSON.stringify(res.body)).not.toContain(COMPANY.name);
    const again = await anon.post("/api/v1/progress", { orderNo, phone: HANDLER.phone, code });
    expect(again.status).toBe(400);
    expect(again.body.field).toBe("code");
  });

  it("answers alike for an order that does not exist or a phone not its own, and sends nothing", async () => {
    const anon = new Client(t.app);
    const answers = [];
    for (const [no, phone] of [
      [orderNo, "13912359999"],
      ["CH20990101000000", "13912358888"],
    ] as const) {
      const res = await anon.post("/api/v1/progress/sms-codes", { orderNo: no, phone });
      answers.push({ status: res.status, body: res.body });
      expect(await outbox(phone)).toHaveLength(0);
      // No code it could type matches.
      const q = await anon.post("/api/v1/progress", { orderNo: no, phone, code: "000000" });
      expect(q.body).toMatchObject({ status: 400, field: "code" });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).toEqual({ status: 200, body: { retryAfterSeconds: 60 } });
    // The 60 s rule of the SMS code service holds here too, also for a phone without an order.
    const soon = await anon.post("/api/v1/progress/sms-codes", { orderNo, phone: "13912359999" });
    expect(soon.status).toBe(429);
    expect(soon.body.detail).toMatch(/秒后再获取/);
  });

  it("names the field of bad input in Chinese", async () => {
    const anon = new Client(t.app);
    const bad = await anon.post("/api/v1/progress/sms-codes", { orderNo: "12345", phone: HANDLER.phone });
    expect(bad.body).toMatchObject({
      status: 400,
      field: "orderNo",
      detail: "订单号格式不正确，应为 CH 加 14 位数字",
    });
    const phone = await anon.post("/api/v1/progress/sms-codes", { orderNo, phone: "123" });
    expect(phone.body).toMatchObject({ status: 400, field: "phone" });
  });
});
