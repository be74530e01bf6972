import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, staffClient } from "../../test/harness";
import { approvedOrder, createPaymentTestApp, newApplicant } from "../payments/payment.test-support";
import { maskDetail } from "./audit.list";

let t: Awaited<ReturnType<typeof createPaymentTestApp>>;
let auditor: Client;
let phone: string;
let order: Awaited<ReturnType<typeof approvedOrder>>;
let other: Awaited<ReturnType<typeof approvedOrder>>;
let today: string;

interface Entry {
  seq: number;
  action: string;
  actionName: string | null;
  actor: { type: string; name: string | null; roleName: string | null };
  objectId: string | null;
  changes: { field: string; before: string; after: string }[];
}

beforeAll(async () => {
  t = await createPaymentTestApp();
  const a = await newApplicant(t);
  phone = (
    await t.database.db
      .selectFrom("accounts")
      .select("phone")
      .where("id", "=", a.accountId)
      .executeTakeFirstOrThrow()
  ).phone;
  order = await approvedOrder(t, a);
  other = await approvedOrder(t, a);
  auditor = await staffClient(t, "auditor");
  const d = new Date(t.time.clock().getTime() + 8 * 3_600_000);
  today = d.toISOString().slice(0, 10);
});
afterAll(async () => {
  await t.close();
});

const entries = async (query: string) => {
  const res = await auditor.get(`/api/v1/admin/audit?${query}`);
  expect(res.status).toBe(200);
  return res.body.entries as Entry[];
};

describe("the readable audit log", () => {
  it("names actions in Chinese, staff by name and role, and shows an order step as a state change", async () => {
    const list = await entries(`group=order&object=${order.orderNo}`);
    expect(list.length).toBeGreaterThanOrEqual(3);
    expect(list.every((e) => e.objectId === order.id)).toBe(true);
    const approve = list.find((e) => e.action === "order.approve")!;
    expect(approve.actionName).toBe("审核通过");
    expect(approve.actor).toMatchObject({
      type: "staff",
      name: "演示审核员（reviewer）",
      roleName: "审核员",
    });
    expect(approve.changes).toEqual([{ field: "状态", before: "审核中", after: "待缴费" }]);
  });

  it("shows applicants by masked mobile, never the whole number", async () => {
    const res = await auditor.get("/api/v1/admin/audit?actorType=applicant&limit=200");
    const list = res.body.entries as Entry[];
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((e) => e.actor.type === "applicant")).toBe(true);
    expect(list[0]!.actor.name).toBe(`${phone.slice(0, 3)}****${phone.slice(7)}`);
    expect(JSON.stringify(res.body)).not.toContain(phone);
    // The applicant is found by the mobile the auditor types.
    expect((await entries(`actor=${phone}`)).length).toBe(list.length);
  });

  it("masks mobiles and ID numbers anywhere in an older entry's detail", () => {
    expect(
      maskDetail({
        phone: "13800138000",
        handler: { idNumber: "11010519491231002X" },
        n: 13800138000,
        note: "ok",
      }),
    ).toEqual({
      phone: "138****8000",
      handler: { idNumber: "110105********002X" },
      n: 13800138000,
      note: "ok",
    });
  });

  it("filters by actor, action, group and Shanghai days, and pages by seq", async () => {
    const reviewer = await entries("actor=reviewer&action=order.approve");
    expect(reviewer.map((e) => e.objectId).sort()).toEqual([order.id, other.id].sort());
    expect((await entries("group=settings")).every((e) => e.action !== "order.approve")).toBe(true);
    expect((await entries(`from=${today}&to=${today}&group=order`)).length).toBeGreaterThan(5);
    expect(await entries("from=2020-01-01&to=2020-01-02")).toEqual([]);
    const first = await entries("limit=2");
    const second = await entries(`limit=2&before=${first[1]!.seq}`);
    expect(second[0]!.seq).toBeLessThan(first[1]!.seq);
  });

  it("shows a settings edit as only the changed field, named, under the settings group", async () => {
    const admin = await staffClient(t, "admin");
    const before = (await admin.get("/api/v1/admin/settings")).body.renewalWindowDays as number;
    expect((await admin.put("/api/v1/admin/settings", { renewalWindowDays: before + 7 })).status).toBe(200);
    const [edit] = await entries("group=settings&actor=admin&limit=1");
    expect(edit).toMatchObject({ action: "settings.update", actionName: "修改平台设置" });
    expect(edit!.changes).toEqual([
      { field: "续期提前天数", before: String(before), after: String(before + 7) },
    ]);
  });

  it("refuses bad filters with Chinese errors naming the field", async () => {
    const half = await auditor.get(`/api/v1/admin/audit?from=${today}`);
    expect(half.status).toBe(400);
    expect(JSON.stringify(half.body)).toContain("结束日期");
    const bad = await auditor.get("/api/v1/admin/audit?from=2026-13-40&to=2026-12-01");
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("开始日期");
    const group = await auditor.get("/api/v1/admin/audit?group=nonsense");
    expect(group.status).toBe(400);
    expect(JSON.stringify(group.body)).toContain("group");
  });

  it("exports the filtered list as XLSX and CSV, masked", async () => {
    const list = await entries(`group=order&object=${order.orderNo}`);
    const cookie = [...auditor.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const xlsx = await t.app.inject({
      method: "GET",
      url: `/api/v1/admin/audit/export?group=order&object=${order.orderNo}`,
      headers: { cookie },
    });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers["content-type"]).toContain("spreadsheetml");
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.getRow(3).getCell(3).value).toBe("操作");
    const rows = sheet.getSheetValues().slice(4).filter(Boolean) as unknown[][];
    expect(rows).toHaveLength(list.length);
    const approve = rows.find((r) => r[3] === "审核通过")!;
    expect(approve[6]).toBe("演示审核员（reviewer）");
    expect(approve[9]).toBe("状态：审核中 → 待缴费");

    const csv = await t.app.inject({
      method: "GET",
      url: "/api/v1/admin/audit/export?format=csv&actorType=applicant",
      headers: { cookie },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.body.startsWith("\ufeff序号,")).toBe(true);
    expect(csv.body).toContain(`${phone.slice(0, 3)}****${phone.slice(7)}`);
    expect(csv.body).not.toContain(phone);
  });

  it("is for the admin and the auditor only", async () => {
    const admin = await staffClient(t, "admin");
    expect((await admin.get("/api/v1/admin/audit?limit=1")).status).toBe(200);
    for (const who of ["reviewer", "finance", "operator"]) {
      const c = await staffClient(t, who);
      expect((await c.get("/api/v1/admin/audit?limit=1")).status).toBe(403);
      expect((await c.get("/api/v1/admin/audit/export")).status).toBe(403);
    }
    const applicant = await newApplicant(t);
    expect((await applicant.client.get("/api/v1/admin/audit/export")).status).toBeGreaterThanOrEqual(401);
    expect((await applicant.client.get("/api/v1/admin/audit/export")).status).toBeLessThanOrEqual(403);
  });
});
