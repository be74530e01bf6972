import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, staffClient } from "../../test/harness";
import { approvedOrder, createPaymentTestApp, newApplicant } from "../payments/payment.test-support";
import { reportCsv } from "./reports.export";

let t: Awaited<ReturnType<typeof createPaymentTestApp>>;
let finance: Client;
let range: string;
let totalFen: number;

beforeAll(async () => {
  t = await createPaymentTestApp();
  finance = await staffClient(t, "finance");
  const a = await newApplicant(t);
  // Three orders approved; two paid by transfer, waiting 2 hours for finance, then booked.
  const orders = [await approvedOrder(t, a), await approvedOrder(t, a), await approvedOrder(t, a)];
  totalFen = orders[0]!.totalFen;
  const payments: string[] = [];
  for (const o of orders.slice(0, 2)) {
    const p = await a.client.post(`/api/v1/orders/${o.id}/payments/transfer`, {});
    payments.push(p.body.id);
  }
  t.time.advance(2 * 3600);
  // Staff sessions idle out after 30 minutes: finance logs in again.
  finance = await staffClient(t, "finance");
  const queue = (await finance.get("/api/v1/admin/payments?limit=50")).body.payments as {
    id: string;
    order: { version: number };
  }[];
  for (const id of payments) {
    const row = queue.find((q) => q.id === id)!;
    const booked = await finance.post(`/api/v1/admin/payments/${id}/book`, { version: row.order.version });
    expect(booked.status).toBe(200);
  }
  const today = new Date(t.time.clock()).toISOString().slice(0, 10);
  const d = (n: number) =>
    new Date(Date.parse(`${today}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  range = `from=${d(-2)}&to=${d(2)}`;
});
afterAll(async () => {
  await t.close();
});

const cookieOf = (c: Client) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ");

describe("报表", () => {
  it("counts orders per business per Shanghai day", async () => {
    const res = await finance.get(`/api/v1/admin/reports/orders-per-day?${range}`);
    expect(res.status).toBe(200);
    const total = (res.body.rows as { new: number; total: number }[]).reduce((s, r) => s + r.total, 0);
    expect(total).toBe(3);
    expect(res.body.columns.map((c: { label: string }) => c.label)).toContain("新证申请");
  });

  it("sums revenue per CA type and month from the settled payments only", async () => {
    const res = await finance.get(`/api/v1/admin/reports/revenue?${range}`);
    const rows = res.body.rows as { items: number; yuan: number }[];
    expect(rows.reduce((s, r) => s + r.items, 0)).toBe(2);
    expect(rows.reduce((s, r) => s + r.yuan, 0)).toBeCloseTo((2 * totalFen) / 100, 2);
  });

  it("says where orders wait: the two transfers spent two hours awaiting booking", async () => {
    const res = await finance.get(`/api/v1/admin/reports/time-in-state?${range}`);
    const waiting = (res.body.rows as { state: string; count: number; avgHours: number }[]).find(
      (r) => r.state === "待记账",
    );
    expect(waiting).toMatchObject({ count: 2, avgHours: 2 });
  });

  it("counts each staff member's work", async () => {
    const res = await finance.get(`/api/v1/admin/reports/staff-work?${range}`);
    const rows = res.body.rows as { role: string; book: number; approve: number }[];
    expect(rows.find((r) => r.role === "财务")?.book).toBe(2);
    expect(rows.find((r) => r.role === "审核员")?.approve).toBe(3);
  });

  it("exports a report as XLSX with numbers as numbers, and as CSV with a BOM", async () => {
    const xlsx = await t.app.inject({
      method: "GET",
      url: `/api/v1/admin/reports/revenue/export?${range}&format=xlsx`,
      headers: { cookie: cookieOf(finance) },
    });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers["content-disposition"]).toContain("filename*=UTF-8''");
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.getRow(3).getCell(1).value).toBe("月份");
    expect(typeof sheet.getRow(4).getCell(4).value).toBe("number");
    const csv = await t.app.inject({
      method: "GET",
      url: `/api/v1/admin/reports/orders-per-day/export?${range}&format=csv`,
      headers: { cookie: cookieOf(finance) },
    });
    expect(csv.rawPayload.subarray(0, 3).toString("hex")).toBe("efbbbf");
    expect(csv.body).toContain("日期,");
  });

  it("never lets a spreadsheet run a cell as a formula", () => {
    const csv = reportCsv({
      title: "x",
      columns: [{ key: "a", label: "网点", kind: "text" }],
      rows: [{ a: '=HYPERLINK("http://evil")' }, { a: "-1+2" }],
    }).toString("utf8");
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(csv).toContain("'-1+2");
  });

  it("refuses a bad range naming the field, an unknown report, and the roles without reports", async () => {
    const bad = await finance.get("/api/v1/admin/reports/revenue?from=2026-13-01&to=2026-12-01");
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("from");
    const reversed = await finance.get("/api/v1/admin/reports/revenue?from=2026-12-05&to=2026-12-01");
    expect(reversed.body.field).toBe("to");
    const long = await finance.get("/api/v1/admin/reports/revenue?from=2024-01-01&to=2026-12-01");
    expect(long.body.field).toBe("to");
    expect((await finance.get(`/api/v1/admin/reports/nope?${range}`)).status).toBe(400);
    const reviewer = await staffClient(t, "reviewer");
    expect((await reviewer.get(`/api/v1/admin/reports/revenue?${range}`)).status).toBe(403);
  });
});
