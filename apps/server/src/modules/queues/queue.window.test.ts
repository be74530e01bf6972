import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staffClient } from "../../test/harness";
import { approvedOrder, createPaymentTestApp, newApplicant } from "../payments/payment.test-support";
import { payAndBook } from "../workbench/test-flow";

let t: Awaited<ReturnType<typeof createPaymentTestApp>>;
let a: Awaited<ReturnType<typeof newApplicant>>;
let fuzhou: string;
let today: string;

/** An order paid and booked, waiting for materials, with the applicant's choice of delivery. */
async function awaitingMaterials(delivery: "mail" | "window") {
  const o = await approvedOrder(t, a);
  // Oldest first is by submission time: one minute between orders keeps their order certain.
  t.time.advance(60);
  const booked = await payAndBook(t, o.id);
  const body =
    delivery === "mail"
      ? {
          version: booked.version,
          method: "mail",
          returnAddress: { name: "王五", phone: "13900001111", address: "福建省福州市鼓楼区五四路 1 号" },
        }
      : { version: booked.version, method: "window", windowId: fuzhou, date: today };
  const res = await a.client.post(`/api/v1/orders/${o.id}/delivery`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return o;
}

beforeAll(async () => {
  t = await createPaymentTestApp();
  a = await newApplicant(t);
  const w = await t.database.db
    .selectFrom("service_windows")
    .select("id")
    .where("city", "like", "%福州%")
    .executeTakeFirstOrThrow();
  fuzhou = w.id;
  today = new Date(t.time.clock().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
});
afterAll(async () => {
  await t.close();
});

describe("窗口: 今日预约 and 邮寄材料", () => {
  it("lists today's appointments at 福州 and receives them in one batch", async () => {
    const booked = [await awaitingMaterials("window"), await awaitingMaterials("window")];
    await awaitingMaterials("mail");
    const operator = await staffClient(t, "operator");
    const list = await operator.get(`/api/v1/admin/queues/appointments?window=${fuzhou}&date=${today}`);
    expect(list.status).toBe(200);
    expect(list.body.rows.map((r: { id: string }) => r.id)).toEqual(booked.map((o) => o.id));
    const other = await operator.get(`/api/v1/admin/queues/appointments?window=elsewhere&date=${today}`);
    expect(other.body.rows).toEqual([]);
    const batch = await operator.post("/api/v1/admin/queues/receive-batch", {
      orders: list.body.rows.map((r: { id: string; version: number }) => ({ id: r.id, version: r.version })),
    });
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((r: { ok: boolean }) => r.ok)).toEqual([true, true]);
    const states = await t.database.db
      .selectFrom("orders")
      .select("state")
      .where(
        "id",
        "in",
        booked.map((o) => o.id),
      )
      .execute();
    expect(states.every((s) => s.state === "processing")).toBe(true);
    // A stale version is refused per order, naming why, and the others still go through.
    const again = await operator.post("/api/v1/admin/queues/receive-batch", {
      orders: [{ id: booked[0]!.id, version: 1 }],
    });
    expect(again.body.results[0]).toMatchObject({ ok: false, error: expect.stringContaining("订单") });
  });

  it("takes the applicant's waybill and receives the envelope by it", async () => {
    const o = await awaitingMaterials("mail");
    const bad = await a.client.put(`/api/v1/orders/${o.id}/mail`, { courier: "顺丰", waybill: "12 34" });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain("快递单号");
    const waybill = `SF${Date.now()}`;
    const ok = await a.client.put(`/api/v1/orders/${o.id}/mail`, { courier: "顺丰速运", waybill });
    expect(ok.status).toBe(200);
    expect(ok.body.mail).toMatchObject({ courier: "顺丰速运", waybill, receivedAt: null });

    const operator = await staffClient(t, "operator");
    const expected = await operator.get("/api/v1/admin/queues/mail?mail=expected&limit=100");
    expect(expected.body.rows.find((r: { id: string }) => r.id === o.id)?.mail).toMatchObject({ waybill });
    const got = await operator.post("/api/v1/admin/mail/receive", { waybill });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ orderId: o.id, alreadyReceived: false });
    const received = await operator.get("/api/v1/admin/queues/mail?mail=received");
    expect(received.body.rows.map((r: { id: string }) => r.id)).toContain(o.id);
    expect((await operator.post("/api/v1/admin/mail/receive", { waybill })).body.alreadyReceived).toBe(true);
    const unknown = await operator.post("/api/v1/admin/mail/receive", { waybill: "YT000000000" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain("快递单号");
    // Once received, the applicant can no longer change it; another applicant's order is not found.
    expect(
      (await a.client.put(`/api/v1/orders/${o.id}/mail`, { courier: "顺丰速运", waybill: "SF999999" }))
        .status,
    ).toBe(409);
    const stranger = await newApplicant(t);
    expect((await stranger.client.get(`/api/v1/orders/${o.id}/mail`)).status).toBe(404);
  });

  it("refuses a waybill on an order that goes to a window", async () => {
    const o = await awaitingMaterials("window");
    const res = await a.client.put(`/api/v1/orders/${o.id}/mail`, {
      courier: "顺丰速运",
      waybill: "SF12345678",
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain("邮寄");
  });
});
