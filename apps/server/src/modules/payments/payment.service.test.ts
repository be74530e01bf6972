import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/database";
import { newId } from "../../lib/clock";
import { createTestDatabase, testClock } from "../../test/harness";
import { createPaymentProvider } from "./payment.factory";
import { createPaymentService, fetchNotificationSender } from "./payment.service";

let database: DbHandle;
let cleanup: () => Promise<void>;
let config: Awaited<ReturnType<typeof createTestDatabase>>["config"];
const time = testClock();

beforeAll(async () => {
  ({ database, cleanup, config } = await createTestDatabase());
});
afterAll(async () => {
  await cleanup();
});

/** An order row as the order service leaves it once it awaits payment (built directly: unlock is not open yet). */
async function insertOrder(business: string, totalFen: number, accountId = newId()) {
  const id = newId();
  const now = time.clock().toISOString();
  await database.db
    .insertInto("orders")
    .values({
      id,
      order_no: `CH${newId().replaceAll("-", "").slice(0, 14)}`,
      account_id: accountId,
      business,
      subject_kind: "company",
      state: "awaiting_payment",
      version: 2,
      handler_name: "李经办",
      handler_id_number: "11010519491231002X",
      handler_phone: "13700001111",
      total_fen: totalFen,
      remittance_code: newId().slice(0, 8).toUpperCase(),
      delivery_method: null,
      window_id: null,
      appointment_date: null,
      return_address: null,
      courier: null,
      tracking_no: null,
      last_note: null,
      reviewer_id: null,
      client_token: null,
      submitted_at: now,
      completed_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return { id, accountId };
}

const service = () =>
  createPaymentService({
    db: database.db,
    clock: time.clock,
    config,
    provider: null,
    sender: () => undefined,
    log: { warn: () => undefined },
  });

describe("the zero-amount payment (支付，不扣款)", () => {
  it("records a zero payment and moves an unlock order on to its receipt in one step", async () => {
    const o = await insertOrder("unlock", 0);
    const p = await service().payZero(o.accountId, o.id, { version: 2 }, { ip: "10.0.0.1" });
    expect(p).toMatchObject({ method: "zero", status: "paid", amount_fen: 0 });
    const order = await database.db
      .selectFrom("orders")
      .selectAll()
      .where("id", "=", o.id)
      .executeTakeFirstOrThrow();
    // unlock: no booking, receipt and materials (DESIGN §2).
    expect(order.state).toBe("awaiting_materials");
    const ev = await database.db
      .selectFrom("order_events")
      .select(["event", "actor_type"])
      .where("order_id", "=", o.id)
      .execute();
    expect(ev).toEqual([{ event: "pay", actor_type: "applicant" }]);
    // Pressing it again finds the order already paid.
    await expect(service().payZero(o.accountId, o.id, {}, { ip: null })).rejects.toMatchObject({
      code: "INVALID_STATE",
    });
    expect(
      await database.db.selectFrom("payments").select("id").where("order_id", "=", o.id).execute(),
    ).toHaveLength(1);
  });

  it("refuses a business that pays, a zero business with an amount, and another account's order", async () => {
    const paid = await insertOrder("new", 58000);
    await expect(service().payZero(paid.accountId, paid.id, {}, { ip: null })).rejects.toMatchObject({
      code: "INVALID_STATE",
      message: expect.stringContaining("需要缴费"),
    });
    const odd = await insertOrder("revoke", 100);
    await expect(service().payZero(odd.accountId, odd.id, {}, { ip: null })).rejects.toMatchObject({
      code: "INVALID_STATE",
    });
    const theirs = await insertOrder("revoke", 0);
    await expect(service().payZero(newId(), theirs.id, {}, { ip: null })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("says online payment is off when no provider is configured", async () => {
    const o = await insertOrder("new", 58000);
    await expect(service().startOnline(o.accountId, o.id, { ip: null })).rejects.toMatchObject({
      code: "INVALID_STATE",
      message: expect.stringContaining("在线支付暂未开通"),
    });
  });
});

describe("fetchNotificationSender", () => {
  it("POSTs the notification form-encoded and resends until the answer is success", async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        bodies.push(`${req.headers["content-type"]}|${body}`);
        res.end(bodies.length === 1 ? "fail" : "success");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
    const warnings: unknown[] = [];
    fetchNotificationSender({ warn: (o) => warnings.push(o) })(url, {
      out_trade_no: "CH1P1",
      total_amount: "1.00",
    });
    await expect.poll(() => bodies.length, { timeout: 5000 }).toBe(2);
    await new Promise((r) => setTimeout(r, 200));
    server.close();
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toBe(
      "application/x-www-form-urlencoded; charset=utf-8|out_trade_no=CH1P1&total_amount=1.00",
    );
    expect(warnings).toHaveLength(0);
  });
});

describe("unverified payment notifications", () => {
  it("are logged and counted, not appended to the audit chain", async () => {
    const warnings: Record<string, unknown>[] = [];
    const payments = createPaymentService({
      db: database.db,
      clock: time.clock,
      config,
      provider: createPaymentProvider(config),
      sender: () => undefined,
      log: { warn: (o: unknown) => warnings.push(o as Record<string, unknown>) },
    });
    const head = async () =>
      (await database.db.selectFrom("audit_head").select("seq").executeTakeFirstOrThrow()).seq;
    const before = await head();
    const junk = { out_trade_no: "CH1P1", trade_no: "2026", total_amount: "1.00", sign: "AAAA" };
    for (let i = 0; i < 5; i++)
      expect(await payments.handleNotification("sandbox", junk, "10.9.9.9")).toBe("fail");
    expect(await payments.handleNotification("alipay", junk, "10.9.9.9")).toBe("fail");
    expect(await payments.handleNotification("sandbox", {}, "10.9.9.9")).toBe("fail");
    expect(await head()).toBe(before);
    expect(payments.unverifiedNotificationsRefused()).toBe(7);
    expect(warnings.map((w) => w.reason)).toEqual([
      ...Array(5).fill("bad_signature"),
      "provider_not_enabled",
      expect.any(String),
    ]);
    expect(warnings.at(-1)).toMatchObject({ ip: "10.9.9.9", unverifiedRefused: 7 });
  });
});
