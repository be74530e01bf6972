import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { materialsFor } from "@certhall/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../errors";
import { Client, registerApplicant, STRONG_PASSWORD, staffClient } from "../../test/harness";
import {
  COMPANY,
  caTypeId,
  createFlowApp,
  type FlowApp,
  HANDLER,
  opensslCsr,
  orderAwaitingMaterials,
  payAndBook,
} from "../workbench/test-flow";

let t: FlowApp;
let admin: Client;
const dir = mkdtempSync(path.join(os.tmpdir(), "certhall-sod-"));
beforeAll(async () => {
  t = await createFlowApp();
  admin = await staffClient(t, "admin");
});
afterAll(async () => {
  await t.close();
});

/** An account the admin creates (in his browser), then used from the member's own browser. */
async function member(username: string, role: string, extra: Record<string, string> = {}) {
  const created = await admin.post("/api/v1/admin/staff", {
    username,
    name: "自己人",
    role,
    password: "Initial-Pass-1",
    ...extra,
  });
  expect(created.status).toBe(201);
  const c = await staffClient(t, username, "Initial-Pass-1");
  const changed = await c.post("/api/v1/admin/me/password", {
    currentPassword: "Initial-Pass-1",
    newPassword: STRONG_PASSWORD,
  });
  expect(changed.status).toBe(204);
  return staffClient(t, username, STRONG_PASSWORD);
}

async function submittedOrder(applicant: Client) {
  const subject = await applicant.post("/api/v1/subjects", COMPANY);
  const subjectId =
    subject.body.subject?.id ??
    (await applicant.get("/api/v1/subjects")).body.subjects.find(
      (s: { name: string }) => s.name === COMPANY.name,
    ).id;
  const order = await applicant.post("/api/v1/orders", {
    business: "new",
    subjectKind: "company",
    handler: HANDLER,
    items: [{ subjectId, caTypeId: await caTypeId(t, "enterprise-sign"), years: 1, eseal: false }],
    submit: true,
  });
  expect(order.status).toBe(201);
  return order.body as { id: string; version: number };
}

const refusedForOwnOrder = (res: { status: number; body: { detail?: string } }) => {
  expect(res.status).toBe(403);
  expect(res.body.detail).toContain("职责分离");
};

describe("separation of duties: not on one's own order", () => {
  it("a reviewer whose mobile is the applicant account's cannot review, approve or reject it", async () => {
    const phone = "13912340001";
    const applicant = await registerApplicant(t, phone);
    const order = await submittedOrder(applicant);
    const self = await member("rev.samephone", "reviewer", { phone });
    const url = `/api/v1/admin/orders/${order.id}`;
    refusedForOwnOrder(await self.post(`${url}/start-review`, { version: order.version }));
    const other = await staffClient(t, "reviewer");
    const started = await other.post(`${url}/start-review`, { version: order.version });
    expect(started.status).toBe(200);
    refusedForOwnOrder(await self.post(`${url}/approve`, { version: started.body.version }));
    refusedForOwnOrder(await self.post(`${url}/reject`, { version: started.body.version, note: "不行" }));
    expect((await other.post(`${url}/approve`, { version: started.body.version })).status).toBe(200);
  });

  it("a reviewer with the handler's ID number cannot approve, a finance clerk cannot book", async () => {
    const applicant = await registerApplicant(t, "13912340002");
    const order = await submittedOrder(applicant);
    const self = await member("rev.sameid", "reviewer", { idNumber: HANDLER.idNumber.toLowerCase() });
    const url = `/api/v1/admin/orders/${order.id}`;
    const other = await staffClient(t, "reviewer");
    const started = await other.post(`${url}/start-review`, { version: order.version });
    refusedForOwnOrder(await self.post(`${url}/approve`, { version: started.body.version }));

    // Booking goes through the same order step: a finance clerk with the handler's mobile is refused.
    await member("fin.samephone", "finance", { phone: HANDLER.phone });
    const finance = await t.database.db
      .selectFrom("staff")
      .select("id")
      .where("username", "=", "fin.samephone")
      .executeTakeFirstOrThrow();
    await other.post(`${url}/approve`, { version: started.body.version });
    const book = payAndBook(t, order.id, finance.id);
    await expect(book).rejects.toThrow(AppError);
    await expect(book).rejects.toThrow(/职责分离/);
  });

  it("a window clerk with the handler's mobile cannot register materials, media or issue", async () => {
    const applicant = await registerApplicant(t, "13912340003");
    const order = await orderAwaitingMaterials(t, applicant, await staffClient(t, "reviewer"), {
      caTypes: [{ code: "enterprise-sign", years: 1 }],
    });
    const self = await member("op.samephone", "operator", { phone: HANDLER.phone });
    const other = await staffClient(t, "operator");
    const url = `/api/v1/admin/orders/${order.id}`;
    const received = materialsFor("new", order.subject_kind).map((m) => m.code);
    refusedForOwnOrder(await self.post(`${url}/materials`, { version: order.version, received }));
    const ticked = await other.post(`${url}/materials`, { version: order.version, received });
    const processing = await other.post(`${url}/receive`, { version: ticked.body.version });
    expect(processing.status).toBe(200);
    const itemId = processing.body.items[0].id as string;
    refusedForOwnOrder(await self.post(`${url}/items/${itemId}/media`, { mediaSerial: "UKEY-SOD-1" }));
    expect((await other.post(`${url}/items/${itemId}/media`, { mediaSerial: "UKEY-SOD-1" })).status).toBe(
      200,
    );
    const csrPem = await opensslCsr(dir, "sod");
    refusedForOwnOrder(await self.post(`${url}/items/${itemId}/issue`, { csrPem }));
    expect((await other.post(`${url}/items/${itemId}/issue`, { csrPem })).status).toBe(201);
  });
});

describe("separation of duties: an account the admin created", () => {
  it("must change its initial password before acting", async () => {
    await admin.post("/api/v1/admin/staff", {
      username: "rev.initial",
      name: "新审核员",
      role: "reviewer",
      password: "Initial-Pass-1",
    });
    const c = await staffClient(t, "rev.initial", "Initial-Pass-1");
    const res = await c.get("/api/v1/admin/orders");
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain("修改初始密码");
  });

  it("cannot act from the admin's browser, even after its password was changed there", async () => {
    const created = await admin.post("/api/v1/admin/staff", {
      username: "rev.puppet",
      name: "傀儡审核员",
      role: "reviewer",
      password: "Initial-Pass-1",
    });
    expect(created.status).toBe(201);
    // The admin logs in as the new reviewer in his own browser and changes its password himself.
    const login = await admin.post("/api/v1/admin/auth/login", {
      username: "rev.puppet",
      password: "Initial-Pass-1",
    });
    expect(login.status).toBe(200);
    const changed = await admin.post("/api/v1/admin/me/password", {
      currentPassword: "Initial-Pass-1",
      newPassword: STRONG_PASSWORD,
    });
    expect(changed.status).toBe(204);
    await admin.post("/api/v1/admin/auth/login", { username: "rev.puppet", password: STRONG_PASSWORD });
    const res = await admin.get("/api/v1/admin/orders");
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain("职责分离");
    // The reviewer on a browser of his own may work.
    const own = await staffClient(t, "rev.puppet", STRONG_PASSWORD);
    expect((await own.get("/api/v1/admin/orders")).status).toBe(200);
    // And the admin, back in his own account in that browser, still may.
    await admin.post("/api/v1/admin/auth/login", { username: "admin", password: "Certhall@2026" });
    expect((await admin.get("/api/v1/admin/staff")).status).toBe(200);
  });

  it("refuses a staff phone or ID number that is not valid, naming the field", async () => {
    const bad = await admin.post("/api/v1/admin/staff", {
      username: "rev.bad",
      name: "错号",
      role: "reviewer",
      password: "Initial-Pass-1",
      idNumber: "123",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]?.field ?? bad.body.field).toBe("idNumber");
    const c = new Client(t.app);
    expect((await c.get("/api/v1/admin/orders")).status).toBe(401);
  });
});
