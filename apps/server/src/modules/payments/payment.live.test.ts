import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approvedOrder, createPaymentTestApp, newApplicant } from "./payment.test-support";

/** A free local port, so PUBLIC_URL can name it before the app listens. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

let t: Awaited<ReturnType<typeof createPaymentTestApp>>;
let port: number;

beforeAll(async () => {
  port = await freePort();
  t = await createPaymentTestApp({ env: { PUBLIC_URL: `http://127.0.0.1:${port}` }, realSender: true });
  await t.app.listen({ port, host: "127.0.0.1" });
});
afterAll(async () => {
  await t.close();
});

describe("the sandbox on a listening server", () => {
  it("delivers its signed notification over HTTP to PUBLIC_URL, which pays the order after the payer is redirected", async () => {
    const a = await newApplicant(t);
    const order = await approvedOrder(t, a);
    const started = await a.client.post(`/api/v1/orders/${order.id}/payments/online`);
    const page = await a.client.get(started.body.redirectUrl);
    const token = /name="_csrf" value="([^"]+)"/.exec(String(page.body))![1]!;
    const confirmed = await a.client.request(
      "POST",
      `${started.body.redirectUrl}/confirm`,
      `_csrf=${token}`,
      {
        "content-type": "application/x-www-form-urlencoded",
      },
    );
    expect(confirmed.status).toBe(303);
    const state = async () =>
      (
        await t.database.db
          .selectFrom("orders")
          .select("state")
          .where("id", "=", order.id)
          .executeTakeFirstOrThrow()
      ).state;
    await expect.poll(state, { timeout: 5000 }).toBe("awaiting_booking");
    const p = await t.database.db
      .selectFrom("payments")
      .selectAll()
      .where("order_id", "=", order.id)
      .executeTakeFirstOrThrow();
    expect(p.status).toBe("paid");
    expect(JSON.parse(p.notify_payload!).sign_type).toBe("RSA2");
  });
});
