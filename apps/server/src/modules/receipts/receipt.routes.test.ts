import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { iso, newId } from "../../lib/clock";
import { accountIdOf, buildCaType, buildCompany } from "../../test/factories";
import { Client, createTestApp, registerApplicant, staffClient, type TestApp } from "../../test/harness";
import { applyTransition } from "../orders/order.transition";
import { findOrderByReceiptText, maskCompanyName } from "./receipt.service";
import { receiptToken } from "./receipt.token";

let t: TestApp;
let applicant: Client;
let other: Client;
let reviewer: Client;
let operator: Client;
let accountId: string;
let companyId: string;
let personId: string;
let caTypeId: string;
let personCaTypeId: string;
let financeId: string;

const COMPANY = "福建测试科技有限公司";
const USCC = "91350100M000100Y43";
const handler = { name: "李经办", idNumber: "11010519491231002X", phone: "13700001111" };

beforeAll(async () => {
  t = await createTestApp();
  applicant = await registerApplicant(t, "13600000011");
  other = await registerApplicant(t, "13600000012");
  reviewer = await staffClient(t, "reviewer");
  operator = await staffClient(t, "operator");
  accountId = await accountIdOf(t.database.db, "13600000011");
  companyId = (await buildCompany(t.database.db, accountId, { name: COMPANY, uscc: USCC })).id;
  personId = newId();
  await t.database.db
    .insertInto("subjects")
    .values({
      id: personId,
      account_id: accountId,
      kind: "person",
      name: "王小明",
      identity_key: "350102199003071234",
      legal_rep: null,
      address: null,
      archived: 0,
      created_at: iso(new Date()),
      updated_at: iso(new Date()),
    })
    .execute();
  caTypeId = (await buildCaType(t.database.db)).id;
  personCaTypeId = (await buildCaType(t.database.db, { subjectKind: "person" })).id;
  financeId = (
    await t.database.db
      .selectFrom("staff")
      .select("id")
      .where("username", "=", "finance")
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(async () => {
  await t?.close();
});

async function submittedOrder(kind: "company" | "person" = "company") {
  const items =
    kind === "company"
      ? [
          { subjectId: companyId, caTypeId, years: 1, eseal: false },
          { subjectId: companyId, caTypeId, years: 2, eseal: true },
        ]
      : [{ subjectId: personId, caTypeId: personCaTypeId, years: 1, eseal: false }];
  const res = await applicant.post("/api/v1/orders", {
    business: "new",
    subjectKind: kind,
    handler,
    items,
    submit: true,
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; orderNo: string; version: number; totalFen: number };
}

/** Through review on the real API: the order ends in 待缴费. */
async function approvedOrder(kind: "company" | "person" = "company") {
  const o = await submittedOrder(kind);
  const started = await reviewer.post(`/api/v1/admin/orders/${o.id}/start-review`, { version: o.version });
  expect(started.status).toBe(200);
  const approved = await reviewer.post(`/api/v1/admin/orders/${o.id}/approve`, {
    version: started.body.version,
  });
  expect(approved.status).toBe(200);
  expect(approved.body.state).toBe("awaiting_payment");
  return o;
}

/**
 * Into 待收材料. Review runs through the real API; payment and booking are applied with the order
 * machine's applyTransition directly, because the payments module is written in parallel: an online
 * payment confirmed by the system (the notify handler's role), then finance books it.
 */
async function orderAwaitingMaterials(kind: "company" | "person" = "company") {
  const o = await approvedOrder(kind);
  const deps = { clock: t.time.clock, signName: t.config.sms.signName };
  await t.database.db.transaction().execute(async (trx) => {
    const order = await trx.selectFrom("orders").selectAll().where("id", "=", o.id).executeTakeFirstOrThrow();
    const paid = await applyTransition(trx, deps, {
      order,
      event: "pay",
      method: "online",
      actor: { role: "system", type: "system", id: null },
    });
    const now = iso(t.time.clock());
    await trx
      .insertInto("payments")
      .values({
        id: newId(),
        order_id: o.id,
        method: "online",
        provider: "sandbox",
        amount_fen: order.total_fen,
        status: "booked",
        out_trade_no: `T${newId().replaceAll("-", "").slice(0, 20)}`,
        provider_trade_no: null,
        voucher_upload_id: null,
        paid_at: now,
        booked_by: financeId,
        booked_at: now,
        return_reason: null,
        notify_payload: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const booked = await applyTransition(trx, deps, {
      order: paid,
      event: "book",
      actor: { role: "finance", type: "staff", id: financeId },
    });
    expect(booked.state).toBe("awaiting_materials");
  });
  return o;
}

async function currentVersion(id: string): Promise<number> {
  return (
    await t.database.db.selectFrom("orders").select("version").where("id", "=", id).executeTakeFirstOrThrow()
  ).version;
}

const squash = (s: string) => s.replace(/\s+/g, "");

describe("GET /api/v1/orders/:id/receipt", () => {
  it("refuses the receipt before the order is paid and booked, saying why", async () => {
    const o = await approvedOrder();
    const res = await applicant.get(`/api/v1/orders/${o.id}/receipt`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("INVALID_STATE");
    expect(res.body.detail).toContain("待缴费");
    expect(res.body.detail).toContain("回执单");
    expect((await applicant.get(`/api/v1/orders/${o.id}/receipt.pdf`)).status).toBe(409);
  });

  it("returns everything the receipt prints once the order awaits materials", async () => {
    const o = await orderAwaitingMaterials();
    const res = await applicant.get(`/api/v1/orders/${o.id}/receipt`);
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r.orderNo).toBe(o.orderNo);
    expect(r.businessName).toBe("新证申请");
    expect(r.state).toBe("awaiting_materials");
    expect(r.subjects).toEqual([expect.objectContaining({ name: COMPANY, identity: USCC, kind: "company" })]);
    expect(r.items).toHaveLength(2);
    expect(r.items[1].feeLines.map((l: { code: string }) => l.code)).toEqual([
      "cert",
      "media",
      "annual",
      "eseal",
    ]);
    expect(r.totalFen).toBe(o.totalFen);
    expect(r.paidFen).toBe(o.totalFen);
    expect(r.payments).toEqual([
      expect.objectContaining({ method: "online", status: "booked", amountFen: o.totalFen }),
    ]);
    expect(r.handler).toEqual({
      name: "李经办",
      idNumberMasked: "110105********002X",
      phoneMasked: "137****1111",
    });
    expect(r.materials.map((m: { code: string }) => m.code)).toEqual([
      "new_form",
      "business_licence_copy",
      "handler_id_copy",
      "legal_rep_authorization",
    ]);
    expect(r.windows.map((w: { city: string }) => w.city)).toEqual(["三明", "福州", "厦门"]);
    expect(r.windows[1]).toEqual(
      expect.objectContaining({
        phone: "059183622480",
        hoursText: expect.stringContaining("周一至周五 9:00-12:00"),
      }),
    );
    expect(r.mailing.address).toBe(t.config.mail.address);
    expect(r.verification.url).toBe(`${t.config.publicUrl}/verify/${r.verification.token}`);
    expect(r.verification.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(r.delivery).toEqual(expect.objectContaining({ method: null, changeable: true }));
    expect(JSON.stringify(r)).not.toContain(handler.idNumber);
  });

  it("lists a person's materials for a person's order", async () => {
    const o = await orderAwaitingMaterials("person");
    const res = await applicant.get(`/api/v1/orders/${o.id}/receipt`);
    expect(res.status).toBe(200);
    expect(res.body.materials.map((m: { zh: string }) => m.zh)).toEqual([
      "数字证书申请表（本人签字）",
      "本人身份证复印件",
    ]);
    expect(res.body.subjects[0].identity).toBe("350102********1234");
  });

  it("answers 404 for another applicant's order, on every receipt route", async () => {
    const o = await orderAwaitingMaterials();
    expect((await other.get(`/api/v1/orders/${o.id}/receipt`)).status).toBe(404);
    expect((await other.get(`/api/v1/orders/${o.id}/receipt.pdf`)).status).toBe(404);
    const v = await currentVersion(o.id);
    const res = await other.post(`/api/v1/orders/${o.id}/delivery`, {
      version: v,
      method: "mail",
      returnAddress: { name: "王五", phone: "13900001111", address: "福建省厦门市思明区某路 1 号" },
    });
    expect(res.status).toBe(404);
    expect(await currentVersion(o.id)).toBe(v);
  });

  it("gives staff the same receipt, and keeps applicants out of the staff route", async () => {
    const o = await orderAwaitingMaterials();
    const staff = await operator.get(`/api/v1/admin/orders/${o.id}/receipt`);
    expect(staff.status).toBe(200);
    expect(staff.body.orderNo).toBe(o.orderNo);
    expect((await applicant.get(`/api/v1/admin/orders/${o.id}/receipt`)).status).toBe(401);
  });
});

describe("GET /api/v1/orders/:id/receipt.pdf", () => {
  it("is an A4 PDF whose embedded Chinese text pdftotext reads back", async () => {
    const o = await orderAwaitingMaterials();
    for (const [client, url] of [
      [applicant, `/api/v1/orders/${o.id}/receipt.pdf`],
      [operator, `/api/v1/admin/orders/${o.id}/receipt.pdf`],
    ] as const) {
      const res = await t.app.inject({
        method: "GET",
        url,
        remoteAddress: client.ip,
        headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("application/pdf");
      expect(res.headers["content-disposition"]).toContain(`receipt-${o.orderNo}.pdf`);
      const dir = mkdtempSync(path.join(os.tmpdir(), "receipt-pdf-"));
      try {
        const file = path.join(dir, "r.pdf");
        writeFileSync(file, res.rawPayload);
        const text = squash(execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" }));
        expect(text).toContain(o.orderNo);
        expect(text).toContain(COMPANY);
        expect(text).toContain("回执单");
        expect(text).toContain(squash("营业执照副本复印件（加盖公章）"));
        expect(text).toContain(squash("福建省福州市鼓楼区八一七中路宇洋中央金地 18 层"));
        expect(text).toContain(squash("市政务服务中心 4 层 C 区 19 号窗口"));
        const info = execFileSync("pdfinfo", [file], { encoding: "utf8" });
        expect(info).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/);
        // Two items fit on one sheet, as a receipt should.
        expect(info).toMatch(/Pages:\s+1\n/);
        const fonts = execFileSync("pdffonts", [file], { encoding: "utf8" });
        // An embedded (emb = yes) CJK subset with a ToUnicode map (uni = yes).
        expect(fonts).toMatch(/NotoSansCJK\S*\s+CID Type 0C\s+Identity-H\s+yes\s+yes\s+yes/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});

describe("GET /api/v1/verify/:token", () => {
  it("shows the order number, business, state and masked names, and no personal data", async () => {
    const o = await orderAwaitingMaterials();
    const receipt = (await applicant.get(`/api/v1/orders/${o.id}/receipt`)).body;
    const stranger = new Client(t.app);
    const res = await stranger.get(`/api/v1/verify/${receipt.verification.token}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      valid: true,
      orderNo: o.orderNo,
      businessName: "新证申请",
      state: "awaiting_materials",
      stateLabel: "待收材料",
      issuedDate: "2026-11-25",
      subjects: ["福建****有限公司"],
      itemCount: 2,
      issuer: t.config.sms.signName,
    });
    const body = JSON.stringify(res.body);
    for (const secret of [COMPANY, USCC, handler.idNumber, handler.phone, handler.name, "福州市鼓楼区"]) {
      expect(body).not.toContain(secret);
    }
  });

  it("answers 404 for an unknown, malformed or forged token", async () => {
    const o = await orderAwaitingMaterials();
    const token = (await applicant.get(`/api/v1/orders/${o.id}/receipt`)).body.verification.token as string;
    const forged = `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`;
    for (const bad of [
      "nope",
      `${o.orderNo}.AAAAAAAAAAAAAAAAAAAAAA`,
      forged,
      `CH20991231000000.${token.split(".")[1]}`,
    ]) {
      const res = await applicant.get(`/api/v1/verify/${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(404);
      expect(res.body.code).toBe("NOT_FOUND");
    }
  });
});

describe("findOrderByReceiptText", () => {
  it("finds the order from the QR code's URL, the bare token or the order number, and not from a forged token", async () => {
    const o = await orderAwaitingMaterials();
    const { db } = t.database;
    const key = t.config.secretKey;
    const order = await db.selectFrom("orders").selectAll().where("id", "=", o.id).executeTakeFirstOrThrow();
    const token = receiptToken(key, order);
    for (const text of [
      `${t.config.publicUrl}/verify/${token}`,
      ` https://ra.example.cn/verify/${token}/ `,
      token,
      o.orderNo,
      o.orderNo.toLowerCase(),
    ]) {
      expect((await findOrderByReceiptText(db, text, key))?.id, text).toBe(o.id);
    }
    expect(await findOrderByReceiptText(db, `${o.orderNo}.AAAAAAAAAAAAAAAAAAAAAA`, key)).toBeNull();
    expect(
      await findOrderByReceiptText(db, receiptToken(Buffer.from("another-secret"), order), key),
    ).toBeNull();
    expect(await findOrderByReceiptText(db, "CH20991231000000", key)).toBeNull();
    expect(await findOrderByReceiptText(db, "hello", key)).toBeNull();
  });
});

describe("POST /api/v1/orders/:id/delivery", () => {
  const mail = { name: "张收件", phone: "13900001111", address: "福建省厦门市思明区某路 1 号" };

  it("books a window on an open day, bumps the version and writes an audit entry", async () => {
    const o = await orderAwaitingMaterials();
    const receipt = (await applicant.get(`/api/v1/orders/${o.id}/receipt`)).body;
    const fuzhou = receipt.windows.find((w: { code: string }) => w.code === "fuzhou");
    const res = await applicant.post(`/api/v1/orders/${o.id}/delivery`, {
      version: receipt.version,
      method: "window",
      windowId: fuzhou.id,
      date: "2026-11-27",
    });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(receipt.version + 1);
    expect(res.body.delivery).toEqual(
      expect.objectContaining({
        method: "window",
        window: { id: fuzhou.id, city: "福州", name: fuzhou.name },
        appointmentDate: "2026-11-27",
        returnAddress: null,
      }),
    );
    const audit = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "order.delivery")
      .where("object_id", "=", o.id)
      .execute();
    expect(audit).toHaveLength(1);
    // A field update, not a transition: no order event.
    const events = await t.database.db
      .selectFrom("order_events")
      .select("version")
      .where("order_id", "=", o.id)
      .orderBy("version", "desc")
      .execute();
    expect(events[0]!.version).toBe(receipt.version);
  });

  it("lets the applicant switch to mail, showing our address and the return address", async () => {
    const o = await orderAwaitingMaterials();
    const r0 = (await applicant.get(`/api/v1/orders/${o.id}/receipt`)).body;
    const w = await applicant.post(`/api/v1/orders/${o.id}/delivery`, {
      version: r0.version,
      method: "window",
      windowId: r0.windows[0].id,
      date: "2026-11-26",
    });
    expect(w.status).toBe(200);
    const m = await applicant.post(`/api/v1/orders/${o.id}/delivery`, {
      version: w.body.version,
      method: "mail",
      returnAddress: mail,
    });
    expect(m.status).toBe(200);
    expect(m.body.delivery).toEqual(
      expect.objectContaining({ method: "mail", window: null, appointmentDate: null, returnAddress: mail }),
    );
    expect(m.body.mailing).toEqual(t.config.mail);
  });

  it("refuses a weekend, a past date and a date beyond 30 days, naming the date field", async () => {
    const o = await orderAwaitingMaterials();
    const r0 = (await applicant.get(`/api/v1/orders/${o.id}/receipt`)).body;
    const cases: [string, string][] = [
      ["2026-11-28", "该网点 2026-11-28 休息（周末休息）"],
      ["2026-11-24", "不能早于今天"],
      ["2026-12-26", "30 天内"],
      ["2026-02-30", "日期无效"],
    ];
    for (const [date, message] of cases) {
      const res = await applicant.post(`/api/v1/orders/${o.id}/delivery`, {
        version: r0.version,
        method: "window",
        windowId: r0.windows[0].id,
        date,
      });
      expect(res.status, date).toBe(400);
      expect(res.body.field).toBe("date");
      expect(res.body.detail).toContain(message);
    }
    expect(await currentVersion(o.id)).toBe(r0.version);
  });

  it("refuses a statutory holiday with its name, and accepts a make-up workday", async () => {
    const o = await orderAwaitingMaterials();
    const r0 = (await applicant.get(`/api/v1/orders/${o.id}/receipt`)).body;
    t.time.set("2026-09-25T02:00:00.000Z");
    try {
      const holiday = await applicant.post(`/api/v1/orders/${o.id}/delivery`, {
        version: r0.version,
        method: "window",
        windowId: r0.windows[1].id,
        date: "2026-10-01",
      });
      expect(holiday.status).toBe(400);
      expect(holiday.body.field).toBe("date");
      expect(holiday.body.detail).toBe("该网点 2026-10-01 休息（法定节假日：国庆节）");
      const makeup = await applicant.post(`/api/v1/orders/${o.id}/delivery`, {
        version: r0.version,
        method: "window",
        windowId: r0.windows[1].id,
        date: "2026-10-10", // a Saturday, 调休上班
      });
      expect(makeup.status).toBe(200);
    } finally {
      t.time.set("2026-11-25T02:00:00.000Z");
    }
  });

  it("refuses today once the window has closed for the day", async () => {
    const o = await orderAwaitingMaterials();
    const r0 = (await applicant.get(`/api/v1/orders/${o.id}/receipt`)).body;
    t.time.set("2026-11-25T09:30:00.000Z"); // 17:30 in Shanghai
    try {
      const res = await applicant.post(`/api/v1/orders/${o.id}/delivery`, {
        version: r0.version,
        method: "window",
        windowId: r0.windows[0].id,
        date: "2026-11-25",
      });
      expect(res.status).toBe(400);
      expect(res.body.detail).toContain("已停止办理");
    } finally {
      t.time.set("2026-11-25T02:00:00.000Z");
    }
  });

  it("answers 409 for a stale version", async () => {
    const o = await orderAwaitingMaterials();
    const v = await currentVersion(o.id);
    const first = await applicant.post(`/api/v1/orders/${o.id}/delivery`, {
      version: v,
      method: "mail",
      returnAddress: mail,
    });
    expect(first.status).toBe(200);
    const stale = await applicant.post(`/api/v1/orders/${o.id}/delivery`, {
      version: v,
      method: "mail",
      returnAddress: { ...mail, name: "李四" },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe("CONFLICT");
  });

  it("checks the return address and the method", async () => {
    const o = await orderAwaitingMaterials();
    const v = await currentVersion(o.id);
    const badPhone = await applicant.post(`/api/v1/orders/${o.id}/delivery`, {
      version: v,
      method: "mail",
      returnAddress: { ...mail, phone: "12345" },
    });
    expect(badPhone.status).toBe(400);
    expect(JSON.stringify(badPhone.body.errors)).toContain("returnAddress.phone");
    const noWindow = await applicant.post(`/api/v1/orders/${o.id}/delivery`, {
      version: v,
      method: "window",
      windowId: newId(),
      date: "2026-11-26",
    });
    expect(noWindow.status).toBe(400);
    expect(noWindow.body.field).toBe("windowId");
    const courier = await applicant.post(`/api/v1/orders/${o.id}/delivery`, { version: v, method: "pigeon" });
    expect(courier.status).toBe(400);
  });

  it("refuses a choice before payment and after the materials are received", async () => {
    const early = await approvedOrder();
    const e = await applicant.post(`/api/v1/orders/${early.id}/delivery`, {
      version: await currentVersion(early.id),
      method: "mail",
      returnAddress: mail,
    });
    expect(e.status).toBe(409);
    expect(e.body.code).toBe("INVALID_STATE");

    const o = await orderAwaitingMaterials();
    const operatorId = (
      await t.database.db
        .selectFrom("staff")
        .select("id")
        .where("username", "=", "operator")
        .executeTakeFirstOrThrow()
    ).id;
    await t.database.db.transaction().execute(async (trx) => {
      const order = await trx
        .selectFrom("orders")
        .selectAll()
        .where("id", "=", o.id)
        .executeTakeFirstOrThrow();
      await applyTransition(
        trx,
        { clock: t.time.clock, signName: t.config.sms.signName },
        { order, event: "receive_materials", actor: { role: "operator", type: "staff", id: operatorId } },
      );
    });
    const late = await applicant.post(`/api/v1/orders/${o.id}/delivery`, {
      version: await currentVersion(o.id),
      method: "mail",
      returnAddress: mail,
    });
    expect(late.status).toBe(409);
    expect(late.body.detail).toContain("办理中");
    // The receipt itself stays available while processing.
    expect((await applicant.get(`/api/v1/orders/${o.id}/receipt`)).body.delivery.changeable).toBe(false);
  });
});

describe("maskCompanyName", () => {
  it("keeps the first two characters and the legal form", () => {
    expect(maskCompanyName("福建测试科技有限公司")).toBe("福建****有限公司");
    expect(maskCompanyName("福建首众信息科技股份有限公司")).toBe("福建******股份有限公司");
    expect(maskCompanyName("厦门某某中心")).toBe("厦门****");
    expect(maskCompanyName("某公司")).toBe("某**");
  });
});
