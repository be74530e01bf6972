import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staffClient } from "../../test/harness";
import { applyTransition } from "../orders/order.transition";
import { approvedOrder, createPaymentTestApp, deliver, newApplicant } from "../payments/payment.test-support";
import { createSandboxProvider, loadSandboxKey } from "../payments/sandbox.provider";
import { createDevInvoiceProvider } from "./dev-invoice.provider";
import { runInvoicePass } from "./invoice.worker";

let t: Awaited<ReturnType<typeof createPaymentTestApp>>;
beforeAll(async () => {
  t = await createPaymentTestApp();
});
afterAll(async () => t.close());

const db = () => t.database.db;
const COMPANY = {
  buyerType: "company",
  title: "福建某某科技有限公司",
  taxNo: "91350100M000100Y43",
  email: "finance@example.com",
  kind: "normal",
};

/** Pays the order as the sandbox's signed notification does. */
async function pay(orderId: string, a: Awaited<ReturnType<typeof newApplicant>>) {
  const started = await a.client.post(`/api/v1/orders/${orderId}/payments/online`);
  const p = await db()
    .selectFrom("payments")
    .selectAll()
    .where("id", "=", started.body.paymentId)
    .executeTakeFirstOrThrow();
  const n = createSandboxProvider(loadSandboxKey(t.config.dataDir)).buildNotification(p, t.time.clock());
  expect(await deliver(t, n)).toEqual({ status: 200, body: "success" });
  return p;
}

/** A GET that keeps the body's bytes (the JSON client reads text). */
async function download(client: { ip: string; cookies: Map<string, string> }, url: string) {
  const res = await t.app.inject({
    method: "GET",
    url,
    remoteAddress: client.ip,
    headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
  });
  return { status: res.statusCode, type: res.headers["content-type"], data: res.rawPayload };
}

function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "certhall-inv-"));
  writeFileSync(path.join(dir, "i.pdf"), pdf);
  return execFileSync("pdftotext", ["-enc", "UTF-8", path.join(dir, "i.pdf"), "-"], {
    encoding: "utf8",
  }).replace(/\s+/g, "");
}

const worker = () =>
  runInvoicePass({
    db: db(),
    clock: t.time.clock,
    provider: createDevInvoiceProvider(t.config.invoice),
    log: console,
  });

describe("e-invoices", () => {
  it("refuses a 税号 with a wrong check digit, naming the field, and stores nothing", async () => {
    const a = await newApplicant(t);
    const order = await approvedOrder(t, a);
    const res = await a.client.put(`/api/v1/orders/${order.id}/invoice`, {
      ...COMPANY,
      taxNo: "91350100M000100Y44",
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe("税号（taxNo）：统一社会信用代码校验位错误，应为 3");
    expect(res.body.errors).toEqual([{ field: "taxNo", message: res.body.detail }]);
    for (const [over, field] of [
      [{ email: "not-an-address" }, "email"],
      [{ taxNo: "" }, "taxNo"],
      [{ buyerType: "person", kind: "special" }, "kind"],
      [{ kind: "vat" }, "kind"],
    ] as const) {
      const bad = await a.client.put(`/api/v1/orders/${order.id}/invoice`, { ...COMPANY, ...over });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body.errors)).toContain(field);
    }
    expect(
      await db().selectFrom("invoice_requests").selectAll().where("order_id", "=", order.id).execute(),
    ).toEqual([]);
  });

  it("is issued by finance after payment, downloadable by the owner and finance only, and emailed with the PDF", async () => {
    const a = await newApplicant(t);
    const order = await approvedOrder(t, a);
    const saved = await a.client.put(`/api/v1/orders/${order.id}/invoice`, {
      ...COMPANY,
      taxNo: "91350100m000100y43 ",
    });
    expect(saved.status).toBe(200);
    expect(saved.body.request).toMatchObject({
      taxNo: "91350100M000100Y43",
      kindLabel: "增值税电子普通发票",
    });
    const finance = await staffClient(t, "finance");
    const early = await finance.post(`/api/v1/admin/invoices/orders/${order.id}/issue`);
    expect(early.status).toBe(409);
    expect(early.body.detail).toContain("尚未到账");

    await pay(order.id, a);
    const issued = await finance.post(`/api/v1/admin/invoices/orders/${order.id}/issue`);
    expect(issued.status).toBe(200);
    expect(issued.body).toMatchObject({ color: "blue", status: "issued", amountFen: 58000, hasPdf: true });
    expect((await finance.post(`/api/v1/admin/invoices/orders/${order.id}/issue`)).status).toBe(409);

    const mine = await a.client.get(`/api/v1/orders/${order.id}/invoice`);
    expect(mine.body.invoices).toHaveLength(1);
    const dl = await download(a.client, `/api/v1/invoices/${issued.body.id}/pdf`);
    expect(dl.status).toBe(200);
    expect(dl.type).toBe("application/pdf");
    const text = pdfText(dl.data);
    expect(text).toContain("演示");
    expect(text).toContain("福建某某科技有限公司");
    expect(text).toContain("91350100M000100Y43");
    expect(text).toContain(order.orderNo);
    expect((await download(finance, `/api/v1/admin/invoices/${issued.body.id}/pdf`)).status).toBe(200);

    const other = await newApplicant(t);
    expect((await other.client.get(`/api/v1/invoices/${issued.body.id}/pdf`)).status).toBe(404);
    expect((await other.client.get(`/api/v1/orders/${order.id}/invoice`)).status).toBe(404);
    const reviewer = await staffClient(t, "reviewer");
    expect((await reviewer.get(`/api/v1/admin/invoices/${issued.body.id}/pdf`)).status).toBe(403);
    expect((await reviewer.post(`/api/v1/admin/invoices/orders/${order.id}/issue`)).status).toBe(403);

    const mail = await db()
      .selectFrom("email_outbox")
      .selectAll()
      .where("ref_id", "=", issued.body.id)
      .execute();
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({
      to_addr: "finance@example.com",
      attachment_name: `电子发票-${order.orderNo}.pdf`,
    });
    const list = await finance.get("/api/v1/admin/invoices");
    const row = list.body.items.find((i: { orderId: string }) => i.orderId === order.id);
    expect(row.request.email).toBe("fi***@example.com");
    // Changing the details after issuing is refused.
    expect((await a.client.put(`/api/v1/orders/${order.id}/invoice`, COMPANY)).status).toBe(409);
  });

  it("goes out automatically after payment when the setting is on, and a refund issues the red-letter invoice", async () => {
    const finance = await staffClient(t, "finance");
    expect((await finance.put("/api/v1/admin/invoice-settings", { autoIssue: "yes" })).status).toBe(400);
    expect((await finance.put("/api/v1/admin/invoice-settings", { autoIssue: true })).body).toEqual({
      autoIssue: true,
    });
    try {
      const a = await newApplicant(t);
      const order = await approvedOrder(t, a);
      await a.client.put(`/api/v1/orders/${order.id}/invoice`, {
        buyerType: "person",
        title: "张三",
        email: "z@example.com",
        kind: "normal",
      });
      await worker();
      expect(
        await db().selectFrom("invoices").selectAll().where("order_id", "=", order.id).execute(),
      ).toEqual([]);
      const p = await pay(order.id, a);
      await worker();
      const [blue] = await db().selectFrom("invoices").selectAll().where("order_id", "=", order.id).execute();
      expect(blue).toMatchObject({ color: "blue", status: "issued", tax_no: null, requested_by: null });

      // Finance books, then refunds (the order machine's refund transition), and the worker reverses it.
      const queue = await finance.get("/api/v1/admin/payments?status=awaiting_booking");
      const row = queue.body.payments.find((x: { id: string }) => x.id === p.id);
      expect(
        (await finance.post(`/api/v1/admin/payments/${p.id}/book`, { version: row.order.version })).status,
      ).toBe(200);
      await db()
        .transaction()
        .execute(async (trx) => {
          const o = await trx
            .selectFrom("orders")
            .selectAll()
            .where("id", "=", order.id)
            .executeTakeFirstOrThrow();
          await applyTransition(
            trx,
            { clock: t.time.clock, signName: "测试" },
            {
              order: o,
              event: "refund",
              actor: { role: "finance", type: "staff", id: null },
              note: "申请人撤销",
              ip: null,
            },
          );
        });
      await worker();
      await worker();
      const all = await db()
        .selectFrom("invoices")
        .selectAll()
        .where("order_id", "=", order.id)
        .orderBy("created_at")
        .execute();
      expect(all.map((i) => [i.color, i.status])).toEqual([
        ["blue", "issued"],
        ["red", "issued"],
      ]);
      expect(all[1]!.original_id).toBe(blue!.id);
      expect(pdfText(Buffer.from(all[1]!.pdf!, "base64"))).toContain(blue!.invoice_no!);
    } finally {
      await finance.put("/api/v1/admin/invoice-settings", { autoIssue: false });
    }
  });
});
