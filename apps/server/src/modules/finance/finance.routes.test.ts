import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, staffClient } from "../../test/harness";
import { approvedOrder, createPaymentTestApp, newApplicant } from "../payments/payment.test-support";

let t: Awaited<ReturnType<typeof createPaymentTestApp>>;
let finance: Client;

beforeAll(async () => {
  t = await createPaymentTestApp();
  finance = await staffClient(t, "finance");
});
afterAll(async () => {
  await t.close();
});

/** An approved order with a bank transfer declared: one row in finance's queue. */
async function declared() {
  const a = await newApplicant(t);
  const order = await approvedOrder(t, a);
  const p = await a.client.post(`/api/v1/orders/${order.id}/payments/transfer`, {});
  if (p.status !== 201) throw new Error(JSON.stringify(p.body));
  const row = (await finance.get("/api/v1/admin/payments?limit=200")).body.payments.find(
    (r: { id: string }) => r.id === p.body.id,
  );
  return { order, paymentId: p.body.id as string, version: row.order.version as number };
}

describe("记账审核 queue", () => {
  it("refuses to book on a stale order version (409) and books on the current one", async () => {
    const d = await declared();
    const stale = await finance.post(`/api/v1/admin/payments/${d.paymentId}/book`, {
      version: d.version - 1,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe("CONFLICT");
    // The refused attempt left the payment bookable.
    const ok = await finance.post(`/api/v1/admin/payments/${d.paymentId}/book`, { version: d.version });
    expect(ok.status).toBe(200);
  });

  it("moves payments from the waiting queue to the booked and returned lists, oldest waiting first", async () => {
    const first = await declared();
    t.time.advance(60);
    const second = await declared();
    t.time.advance(60);
    const third = await declared();
    const waiting = (await finance.get("/api/v1/admin/payments?limit=200")).body.payments.map(
      (p: { id: string }) => p.id,
    );
    expect(waiting.indexOf(first.paymentId)).toBeLessThan(waiting.indexOf(second.paymentId));
    expect(waiting.indexOf(second.paymentId)).toBeLessThan(waiting.indexOf(third.paymentId));

    await finance.post(`/api/v1/admin/payments/${first.paymentId}/book`, { version: first.version });
    await finance.post(`/api/v1/admin/payments/${second.paymentId}/return`, {
      version: second.version,
      note: "金额不符",
    });
    const ids = async (status: string) =>
      (await finance.get(`/api/v1/admin/payments?status=${status}&limit=200`)).body.payments.map(
        (p: { id: string }) => p.id,
      );
    expect(await ids("awaiting_booking")).not.toContain(first.paymentId);
    expect(await ids("awaiting_booking")).not.toContain(second.paymentId);
    expect(await ids("awaiting_booking")).toContain(third.paymentId);
    expect(await ids("booked")).toContain(first.paymentId);
    expect(await ids("returned")).toContain(second.paymentId);

    // A returned payment cannot be booked afterwards, nor a booked one returned.
    const late = await finance.post(`/api/v1/admin/payments/${second.paymentId}/book`, { version: 99 });
    expect(late.status).toBe(409);
    const undo = await finance.post(`/api/v1/admin/payments/${first.paymentId}/return`, {
      version: 99,
      note: "x",
    });
    expect(undo.status).toBe(409);
  });

  it("pages with hasMore, and answers 404 for an unknown payment or a payment without a voucher", async () => {
    await declared();
    await declared();
    const page = await finance.get("/api/v1/admin/payments?limit=1");
    expect(page.body.payments).toHaveLength(1);
    expect(page.body.hasMore).toBe(true);
    const none = await finance.post("/api/v1/admin/payments/nope/book", { version: 1 });
    expect(none.status).toBe(404);
    const d = await declared();
    expect((await finance.get(`/api/v1/admin/payments/${d.paymentId}/voucher`)).status).toBe(404);
  });

  it("bounds the page offset like every other list, naming the field", async () => {
    const res = await finance.get("/api/v1/admin/payments?offset=100001");
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("offset");
    expect((await finance.get("/api/v1/admin/payments?offset=100000")).status).toBe(200);
  });
});
