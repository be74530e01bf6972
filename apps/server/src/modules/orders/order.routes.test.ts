import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountIdOf, buildCaType, buildCompany } from "../../test/factories";
import { type Client, createTestApp, registerApplicant, staffClient, type TestApp } from "../../test/harness";

let t: TestApp;
let applicant: Client;
let accountId: string;
let companyId: string;
let caTypeId: string;
let personCaTypeId: string;

beforeAll(async () => {
  t = await createTestApp();
  applicant = await registerApplicant(t, "13600000001");
  accountId = await accountIdOf(t.database.db, "13600000001");
  companyId = (await buildCompany(t.database.db, accountId)).id;
  caTypeId = (await buildCaType(t.database.db)).id;
  personCaTypeId = (await buildCaType(t.database.db, { subjectKind: "person" })).id;
});
afterAll(async () => {
  await t.close();
});

const handler = { name: "李经办", idNumber: "11010519491231002X", phone: "13700001111" };
const newOrder = (over: Record<string, unknown> = {}) => ({
  business: "new",
  subjectKind: "company",
  handler,
  items: [
    { subjectId: companyId, caTypeId, years: 1, eseal: false },
    { subjectId: companyId, caTypeId, years: 2, eseal: true },
  ],
  ...over,
});

describe("POST /api/v1/orders", () => {
  it("creates a draft for two CA types priced by the shared fee rules", async () => {
    const res = await applicant.post("/api/v1/orders", newOrder());
    expect(res.status).toBe(201);
    expect(res.body.state).toBe("draft");
    expect(res.body.items).toHaveLength(2);
    expect(res.body.totalFen).toBe(30000 + 8000 + 20000 + (30000 + 8000 + 40000 + 20000));
    expect(res.body.orderNo).toMatch(/^CH\d{14}$/);
    expect(res.body.remittanceCode).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
    expect(res.body.handler.idNumber).toBe("110105********002X");
    expect(res.body.timeline.upcoming.map((s: { state: string }) => s.state)).toEqual([
      "submitted",
      "in_review",
      "awaiting_payment",
      "awaiting_booking",
      "awaiting_materials",
      "processing",
      "completed",
    ]);
    const handlers = await t.database.db
      .selectFrom("handlers")
      .selectAll()
      .where("account_id", "=", accountId)
      .execute();
    expect(handlers).toHaveLength(1);
  });

  it("makes one order of a double-clicked submit", async () => {
    const body = newOrder({ clientToken: "form-abc-1", submit: true });
    const [a, b] = await Promise.all([
      applicant.post("/api/v1/orders", body),
      applicant.post("/api/v1/orders", body),
    ]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.id).toBe(b.body.id);
    expect(a.body.state).toBe("submitted");
    const n = await t.database.db
      .selectFrom("orders")
      .select("id")
      .where("client_token", "=", "form-abc-1")
      .execute();
    expect(n).toHaveLength(1);
  });

  it("refuses a bad handler ID number, a wrong CA type for the subject, and someone else's subject, naming the field", async () => {
    const bad = await applicant.post(
      "/api/v1/orders",
      newOrder({ handler: { ...handler, idNumber: "110105194912310021" } }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("handler.idNumber");
    expect(bad.body.detail).toContain("校验位");
    const kind = await applicant.post(
      "/api/v1/orders",
      newOrder({ items: [{ subjectId: companyId, caTypeId: personCaTypeId, years: 1, eseal: false }] }),
    );
    expect(kind.status).toBe(400);
    expect(kind.body.field).toBe("items.0.caTypeId");
    const other = await registerApplicant(t, "13600000002");
    const theirs = await other.post("/api/v1/orders", newOrder());
    expect(theirs.status).toBe(400);
    expect(theirs.body.field).toBe("items.0.subjectId");
    const none = await applicant.post("/api/v1/orders", newOrder({ items: [] }));
    expect(none.body.field).toBe("items");
  });

  it("asks a 延期 order for the certificate it renews, naming the item field", async () => {
    const res = await applicant.post("/api/v1/orders", newOrder({ business: "renew" }));
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("items.0.certificateSerial");
  });
});

describe("another applicant's order", () => {
  it("answers 404 to read, edit, submit or cancel it", async () => {
    const mine = (await applicant.post("/api/v1/orders", newOrder())).body;
    const other = await registerApplicant(t, "13600000003");
    expect((await other.get(`/api/v1/orders/${mine.id}`)).status).toBe(404);
    expect((await other.put(`/api/v1/orders/${mine.id}`, { ...newOrder(), version: 1 })).status).toBe(404);
    expect((await other.post(`/api/v1/orders/${mine.id}/submit`, { version: 1 })).status).toBe(404);
    expect((await other.post(`/api/v1/orders/${mine.id}/cancel`, { version: 1 })).status).toBe(404);
    const list = await other.get("/api/v1/orders");
    expect(list.body.orders).toHaveLength(0);
  });
});

describe("review", () => {
  it("walks submit → review → reject → edit → resubmit → approve, with SMS to the handler", async () => {
    const created = (await applicant.post("/api/v1/orders", newOrder())).body;
    const submitted = await applicant.post(`/api/v1/orders/${created.id}/submit`, {
      version: created.version,
    });
    expect(submitted.body.state).toBe("submitted");

    // Still editable before the reviewer starts (查看订单信息).
    const edited = await applicant.put(`/api/v1/orders/${created.id}`, {
      ...newOrder({ items: [{ subjectId: companyId, caTypeId, years: 3, eseal: false }] }),
      version: submitted.body.version,
    });
    expect(edited.status).toBe(200);
    expect(edited.body.state).toBe("submitted");
    expect(edited.body.totalFen).toBe(30000 + 8000 + 60000);

    const reviewer = await staffClient(t, "reviewer");
    const queue = await reviewer.get("/api/v1/admin/orders?state=submitted");
    expect(queue.body.orders.map((o: { id: string }) => o.id)).toContain(created.id);
    const started = await reviewer.post(`/api/v1/admin/orders/${created.id}/start-review`, {
      version: edited.body.version,
    });
    expect(started.body.state).toBe("in_review");
    expect(started.body.handler.idNumber).toBe("11010519491231002X");

    // Once review has started the applicant can no longer edit.
    const late = await applicant.put(`/api/v1/orders/${created.id}`, {
      ...newOrder(),
      version: started.body.version,
    });
    expect(late.status).toBe(409);
    expect(late.body.detail).toContain("审核中");

    const noReason = await reviewer.post(`/api/v1/admin/orders/${created.id}/reject`, {
      version: started.body.version,
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.field).toBe("note");
    const rejected = await reviewer.post(`/api/v1/admin/orders/${created.id}/reject`, {
      version: started.body.version,
      note: "营业执照复印件不清晰",
    });
    expect(rejected.body.state).toBe("returned");
    expect(rejected.body.lastNote).toBe("营业执照复印件不清晰");

    const mine = await applicant.get(`/api/v1/orders/${created.id}`);
    expect(mine.body.actions).toEqual(["submit", "edit", "cancel"]);
    const fixed = await applicant.put(`/api/v1/orders/${created.id}`, {
      ...newOrder(),
      version: mine.body.version,
    });
    const resubmitted = await applicant.post(`/api/v1/orders/${created.id}/submit`, {
      version: fixed.body.version,
    });
    expect(resubmitted.body.state).toBe("submitted");
    const again = await reviewer.post(`/api/v1/admin/orders/${created.id}/start-review`, {
      version: resubmitted.body.version,
    });
    const approved = await reviewer.post(`/api/v1/admin/orders/${created.id}/approve`, {
      version: again.body.version,
    });
    expect(approved.body.state).toBe("awaiting_payment");

    const sms = await t.database.db
      .selectFrom("sms_outbox")
      .select(["template", "text"])
      .where("phone", "=", handler.phone)
      .orderBy("created_at")
      .execute();
    expect(sms.map((m) => m.template)).toEqual(["order_rejected", "order_approved"]);
    expect(sms[1]!.text).toContain(`${created.orderNo} 审核通过，可进行缴费`);

    const timeline = (await applicant.get(`/api/v1/orders/${created.id}`)).body.timeline;
    expect(timeline.done.map((e: { event: string }) => e.event)).toEqual([
      "submit",
      "edit",
      "start_review",
      "reject",
      "edit",
      "submit",
      "start_review",
      "approve",
    ]);
    expect(timeline.current.nextActor).toBe("申请人");
  });

  it("answers 409 with a clear message to a transition out of order, and to a stale version", async () => {
    const created = (await applicant.post("/api/v1/orders", newOrder())).body;
    const reviewer = await staffClient(t, "reviewer");
    const early = await reviewer.post(`/api/v1/admin/orders/${created.id}/approve`, {
      version: created.version,
    });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe("INVALID_STATE");
    expect(early.body.detail).toBe("订单当前状态为「草稿」，不能审核通过");
    await applicant.post(`/api/v1/orders/${created.id}/submit`, { version: created.version });
    const stale = await applicant.post(`/api/v1/orders/${created.id}/cancel`, { version: created.version });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe("CONFLICT");
  });

  it("forbids staff without the reviewer role from deciding (403) and applicants from the queue (401)", async () => {
    const created = (await applicant.post("/api/v1/orders", newOrder({ submit: true }))).body;
    for (const role of ["finance", "operator", "admin", "auditor"]) {
      const c = await staffClient(t, role);
      const res = await c.post(`/api/v1/admin/orders/${created.id}/start-review`, {
        version: created.version,
      });
      expect(res.status).toBe(403);
    }
    expect((await applicant.get("/api/v1/admin/orders")).status).toBe(401);
  });

  it("finds orders by number, remittance code or company name, and masks the handler phone in lists", async () => {
    const created = (await applicant.post("/api/v1/orders", newOrder({ submit: true }))).body;
    const reviewer = await staffClient(t, "reviewer");
    for (const q of [created.orderNo, created.remittanceCode, "测试科技"]) {
      const res = await reviewer.get(`/api/v1/admin/orders?q=${encodeURIComponent(q)}`);
      expect(res.body.orders.map((o: { id: string }) => o.id)).toContain(created.id);
    }
    const list = await reviewer.get("/api/v1/admin/orders?state=submitted");
    expect(list.body.orders[0].handlerPhoneMasked).toMatch(/^\d{3}\*{4}\d{4}$/);
  });
});
