import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { materialsFor } from "@certhall/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Order } from "../../db/tables.orders";
import { type Client, registerApplicant, staffClient } from "../../test/harness";
import { opensslOk, write } from "../pki/test-support";
import { COMPANY, createFlowApp, type FlowApp, opensslCsr, orderAwaitingMaterials } from "./test-flow";

let t: FlowApp;
let dir: string;
let applicant: Client;
let reviewer: Client;
let operator: Client;
// The checklist is the receipt's list (packages/domain materials), so the window asks for what was printed.
const COMPANY_CODES = materialsFor("new", "company").map((m) => m.code);

beforeAll(async () => {
  t = await createFlowApp();
  dir = mkdtempSync(path.join(os.tmpdir(), "certhall-workbench-"));
  applicant = await registerApplicant(t, "13900000001");
  reviewer = await staffClient(t, "reviewer");
  operator = await staffClient(t, "operator");
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const orderUrl = (o: { id: string }, rest = "") => `/api/v1/admin/orders/${o.id}${rest}`;

async function smsTo(phone: string, template: string) {
  return t.database.db
    .selectFrom("sms_outbox")
    .select(["text", "params"])
    .where("phone", "=", phone)
    .where("template", "=", template)
    .execute();
}

/** Ticks every material and receives: the order is then processing. Returns the fresh detail. */
async function receiveAll(order: Order) {
  const ticked = await operator.post(orderUrl(order, "/materials"), {
    version: order.version,
    received: COMPANY_CODES,
  });
  expect(ticked.status).toBe(200);
  const received = await operator.post(orderUrl(order, "/receive"), { version: ticked.body.version });
  expect(received.status).toBe(200);
  return received.body;
}

describe("finding an order at the window", () => {
  it("finds it by order number, remittance code, the receipt's QR text or its bare token", async () => {
    const order = await orderAwaitingMaterials(t, applicant, reviewer);
    const receipt = await operator.get(orderUrl(order, "/receipt"));
    expect(receipt.status).toBe(200);
    const { url, token } = receipt.body.verification as { url: string; token: string };
    for (const q of [order.order_no, order.order_no.toLowerCase(), order.remittance_code, url, token]) {
      const res = await operator.get(`/api/v1/admin/workbench/find?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      expect(res.body.id).toBe(order.id);
      // The window checks identity against the materials: staff see the handler's full ID number.
      expect(res.body.handler.idNumber).toBe("11010519491231002X");
    }
    // A QR code that was not made by us (its MAC does not check) finds nothing.
    const forged = `${url.slice(0, -4)}${url.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    expect((await operator.get(`/api/v1/admin/workbench/find?q=${encodeURIComponent(forged)}`)).status).toBe(
      404,
    );
    const none = await operator.get("/api/v1/admin/workbench/find?q=CH20000101000000");
    expect(none.status).toBe(404);
    expect(none.body.detail).toContain("CH20000101000000");
    const empty = await operator.get("/api/v1/admin/workbench/find?q=");
    expect(empty.status).toBe(400);
    expect(empty.body.field).toBe("q");
  });
});

describe("taking in the materials", () => {
  it("lists what a company 新证 needs and receives only when everything is ticked", async () => {
    const order = await orderAwaitingMaterials(t, applicant, reviewer);
    const list = await operator.get(orderUrl(order, "/materials"));
    expect(list.status).toBe(200);
    expect(list.body.materials.map((m: { code: string }) => m.code)).toEqual(COMPANY_CODES);
    expect(list.body.materials.map((m: { labelZh: string }) => m.labelZh)).toContain(
      "营业执照副本复印件（加盖公章）",
    );
    expect(list.body.complete).toBe(false);

    const partial = await operator.post(orderUrl(order, "/materials"), {
      version: order.version,
      received: ["new_form", "handler_id_copy"],
    });
    expect(partial.status).toBe(200);
    expect(partial.body.version).toBe(order.version + 1);
    expect(partial.body.missing).toEqual(["business_licence_copy", "legal_rep_authorization"]);
    expect(partial.body.materials[0].receivedBy).toBe("演示窗口受理员");

    const early = await operator.post(orderUrl(order, "/receive"), { version: partial.body.version });
    expect(early.status).toBe(409);
    expect(early.body.detail).toContain("营业执照副本复印件（加盖公章）");
    expect(early.body.detail).toContain("法定代表人授权委托书");

    const stale = await operator.post(orderUrl(order, "/materials"), {
      version: order.version,
      received: COMPANY_CODES,
    });
    expect(stale.status).toBe(409);
    const unknown = await operator.post(orderUrl(order, "/materials"), {
      version: partial.body.version,
      received: ["birth_certificate"],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe("received");

    const all = await operator.post(orderUrl(order, "/materials"), {
      version: partial.body.version,
      received: COMPANY_CODES,
    });
    expect(all.body.complete).toBe(true);
    const received = await operator.post(orderUrl(order, "/receive"), { version: all.body.version });
    expect(received.status).toBe(200);
    expect(received.body.state).toBe("processing");
    expect(await smsTo(COMPANY_HANDLER_PHONE, "materials_received")).not.toHaveLength(0);

    // Once received, the checklist is closed and receiving again is out of order.
    const again = await operator.post(orderUrl(order, "/receive"), { version: received.body.version });
    expect(again.status).toBe(409);
    const late = await operator.post(orderUrl(order, "/materials"), {
      version: received.body.version,
      received: [],
    });
    expect(late.status).toBe(409);
    const audit = await t.database.db
      .selectFrom("audit_log")
      .select("action")
      .where("object_id", "=", order.id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(["order.materials", "order.receive_materials"]),
    );
  });
});

const COMPANY_HANDLER_PHONE = "13700001111";

describe("issuing at the window", () => {
  let order: Order;
  let detail: {
    id: string;
    version: number;
    items: { id: string; caType: { name: string }; years: number }[];
  };

  beforeAll(async () => {
    order = await orderAwaitingMaterials(t, applicant, reviewer);
  });

  it("refuses to issue before the materials are in, and refuses a bad CSR naming csrPem", async () => {
    const first = (await operator.get(orderUrl(order))).body;
    const csrPem = await opensslCsr(dir, "early");
    const early = await operator.post(orderUrl(order, `/items/${first.items[0].id}/issue`), { csrPem });
    expect(early.status).toBe(409);
    detail = await receiveAll(order);
    const bad = await operator.post(orderUrl(order, `/items/${detail.items[0]!.id}/issue`), {
      csrPem: "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("csrPem");
    // Proof of possession: a CSR whose signature does not match its key is refused, not issued.
    const good = await opensslCsr(dir, "tampered");
    const der = Buffer.from(good.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
    der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
    const b64 = der.toString("base64").replace(/.{64}/g, "$&\n");
    const tampered = await operator.post(orderUrl(order, `/items/${detail.items[0]!.id}/issue`), {
      csrPem: `-----BEGIN CERTIFICATE REQUEST-----\n${b64}\n-----END CERTIFICATE REQUEST-----\n`,
    });
    expect(tampered.status).toBe(400);
    expect(tampered.body.field).toBe("csrPem");
    expect(tampered.body.detail).toMatch(/签名/);
    const none = await t.database.db
      .selectFrom("pki_certificates")
      .select("serial_hex")
      .where("order_id", "=", order.id)
      .execute();
    expect(none).toHaveLength(0);
  });

  it("records media serials, refusing a bad format and a key already on another open order", async () => {
    const item = detail.items[0]!;
    const badFormat = await operator.post(orderUrl(order, `/items/${item.id}/media`), { mediaSerial: "ab" });
    expect(badFormat.status).toBe(400);
    expect(badFormat.body.field).toBe("mediaSerial");
    const ok = await operator.post(orderUrl(order, `/items/${item.id}/media`), { mediaSerial: "ukey-0001" });
    expect(ok.status).toBe(200);
    expect(ok.body.mediaSerial).toBe("UKEY-0001");
    const other = await orderAwaitingMaterials(t, applicant, reviewer);
    const otherItem = (await operator.get(orderUrl(other))).body.items[0];
    const dup = await operator.post(orderUrl(other, `/items/${otherItem.id}/media`), {
      mediaSerial: "UKEY-0001",
    });
    expect(dup.status).toBe(409);
    expect(dup.body.field).toBe("mediaSerial");
    expect(dup.body.detail).toContain(order.order_no);
  });

  it("refuses to complete before every item is issued", async () => {
    const res = await operator.post(orderUrl(order, "/complete"), {
      version: detail.version,
      how: "handover",
    });
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain("尚未全部签发");
  });

  it("issues with the approved order's subject (not the CSR's), once per item, then SMS", async () => {
    const item = detail.items[0]!;
    const csrPem = await opensslCsr(dir, "item0");
    const res = await operator.post(orderUrl(order, `/items/${item.id}/issue`), { csrPem });
    expect(res.status).toBe(201);
    const certFile = write(dir, "item0.pem", res.body.certificate.certificatePem);
    const subject = await opensslOk(["x509", "-noout", "-subject", "-nameopt", "utf8", "-in", certFile], dir);
    expect(subject).toContain(`O=${COMPANY.name}`);
    expect(subject).toContain(`CN=${COMPANY.name}`);
    expect(subject).toContain(`serialNumber=${COMPANY.uscc}`);
    expect(subject).not.toMatch(/CN=x(,|\n|$)/);
    // The key in the certificate is the CSR's key: proof of possession, nothing else, came from it.
    const certKey = await opensslOk(["x509", "-noout", "-pubkey", "-in", certFile], dir);
    const csrKey = await opensslOk(["req", "-noout", "-pubkey", "-in", "item0.csr"], dir);
    expect(certKey).toBe(csrKey);
    // Validity = the item's years (trading-platform, 1 year).
    const days =
      (new Date(res.body.certificate.notAfter).getTime() -
        new Date(res.body.certificate.notBefore).getTime()) /
      86_400_000;
    expect(Math.round(days)).toBeGreaterThanOrEqual(365);
    expect(Math.round(days)).toBeLessThanOrEqual(367);
    expect(res.body.order.items[0].certificateSerial).toBe(res.body.certificate.serialHex);
    const row = await t.database.db
      .selectFrom("pki_certificates")
      .select(["account_id", "order_id"])
      .where("serial_hex", "=", res.body.certificate.serialHex)
      .executeTakeFirstOrThrow();
    expect(row.order_id).toBe(order.id);
    expect(row.account_id).toBe(order.account_id);
    expect(await smsTo(COMPANY_HANDLER_PHONE, "certificate_issued")).toHaveLength(0);

    const twice = await operator.post(orderUrl(order, `/items/${item.id}/issue`), {
      csrPem: await opensslCsr(dir, "again"),
    });
    expect(twice.status).toBe(409);
  });

  it("issues one certificate when the same item is issued twice at once", async () => {
    const item = detail.items[1]!;
    const [a, b] = await Promise.all([
      operator.post(orderUrl(order, `/items/${item.id}/issue`), { csrPem: await opensslCsr(dir, "race-a") }),
      operator.post(orderUrl(order, `/items/${item.id}/issue`), { csrPem: await opensslCsr(dir, "race-b") }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const certs = await t.database.db
      .selectFrom("pki_certificates")
      .select("serial_hex")
      .where("order_id", "=", order.id)
      .execute();
    expect(certs).toHaveLength(2);
    const sms = await smsTo(COMPANY_HANDLER_PHONE, "certificate_issued");
    expect(sms.filter((s) => s.text.includes(order.order_no))).toHaveLength(1);
  });

  it("needs a media serial on every item, and courier and tracking number to mail", async () => {
    const fresh = (await operator.get(orderUrl(order))).body;
    const noMedia = await operator.post(orderUrl(order, "/complete"), {
      version: fresh.version,
      how: "handover",
    });
    expect(noMedia.status).toBe(409);
    expect(noMedia.body.detail).toContain("第 2 项");
    await operator.post(orderUrl(order, `/items/${fresh.items[1].id}/media`), { mediaSerial: "UKEY-0002" });
    const noTracking = await operator.post(orderUrl(order, "/complete"), {
      version: fresh.version,
      how: "mail",
      courier: "顺丰",
    });
    expect(noTracking.status).toBe(400);
    expect(noTracking.body.field).toBe("trackingNo");
    const noCourier = await operator.post(orderUrl(order, "/complete"), {
      version: fresh.version,
      how: "mail",
      trackingNo: "SF1234567890",
    });
    expect(noCourier.status).toBe(400);
    expect(noCourier.body.field).toBe("courier");
    const done = await operator.post(orderUrl(order, "/complete"), {
      version: fresh.version,
      how: "mail",
      courier: "顺丰",
      trackingNo: "SF1234567890",
    });
    expect(done.status).toBe(200);
    expect(done.body.state).toBe("completed");
    expect(done.body.delivery).toMatchObject({ method: "mail", courier: "顺丰", trackingNo: "SF1234567890" });
    const sms = await smsTo(COMPANY_HANDLER_PHONE, "order_completed");
    expect(sms.map((s) => s.text)).toContainEqual(expect.stringContaining("已寄出：顺丰 SF1234567890"));
    // The keys are free again once the order is closed.
    const next = await orderAwaitingMaterials(t, applicant, reviewer);
    const nextItem = (await operator.get(orderUrl(next))).body.items[0];
    const reuse = await operator.post(orderUrl(next, `/items/${nextItem.id}/media`), {
      mediaSerial: "UKEY-0001",
    });
    expect(reuse.status).toBe(200);
  });

  it("hands over at the window: completed with 「请到窗口领取」", async () => {
    const o = await orderAwaitingMaterials(t, applicant, reviewer, {
      caTypes: [{ code: "enterprise-sign", years: 3 }],
    });
    const d = await receiveAll(o);
    const item = d.items[0]!;
    expect(
      (await operator.post(orderUrl(o, `/items/${item.id}/media`), { mediaSerial: "UKEY-0100" })).status,
    ).toBe(200);
    const issued = await operator.post(orderUrl(o, `/items/${item.id}/issue`), {
      csrPem: await opensslCsr(dir, "h"),
    });
    expect(issued.status).toBe(201);
    const done = await operator.post(orderUrl(o, "/complete"), {
      version: issued.body.order.version,
      how: "handover",
    });
    expect(done.status).toBe(200);
    expect(done.body.state).toBe("completed");
    const sms = await smsTo(COMPANY_HANDLER_PHONE, "order_completed");
    expect(sms.map((s) => s.text)).toContainEqual(
      expect.stringContaining(`${o.order_no} 已办结：请到窗口领取`),
    );
  });
});

describe("a person's order", () => {
  it("issues with the person's name and a hashed ID number, never the ID in clear", async () => {
    const person = await registerApplicant(t, "13900000009");
    const o = await orderAwaitingMaterials(t, person, reviewer, {
      subject: { kind: "person", name: "王小明", idNumber: "11010519491231002X" },
      subjectKind: "person",
      caTypes: [{ code: "person-sign", years: 1 }],
    });
    const m = await operator.get(orderUrl(o, "/materials"));
    const codes = m.body.materials.map((x: { code: string }) => x.code);
    const ticked = await operator.post(orderUrl(o, "/materials"), { version: o.version, received: codes });
    const d = (await operator.post(orderUrl(o, "/receive"), { version: ticked.body.version })).body;
    const res = await operator.post(orderUrl(o, `/items/${d.items[0].id}/issue`), {
      csrPem: await opensslCsr(dir, "person"),
    });
    expect(res.status).toBe(201);
    const file = write(dir, "person.pem", res.body.certificate.certificatePem);
    const subject = await opensslOk(["x509", "-noout", "-subject", "-nameopt", "utf8", "-in", file], dir);
    expect(subject).toContain("CN=王小明");
    expect(subject).toContain("IDH:");
    expect(subject).not.toContain("11010519491231002X");
  });
});

describe("who may use the workbench", () => {
  it("answers 403 to other staff roles and 401 to applicants and strangers", async () => {
    const order = await orderAwaitingMaterials(t, applicant, reviewer);
    const itemId = (await operator.get(orderUrl(order))).body.items[0].id;
    const calls: [string, string, unknown?][] = [
      ["GET", `/api/v1/admin/workbench/find?q=${order.order_no}`],
      ["GET", orderUrl(order, "/materials")],
      ["POST", orderUrl(order, "/materials"), { version: order.version, received: [] }],
      ["POST", orderUrl(order, "/receive"), { version: order.version }],
      ["POST", orderUrl(order, `/items/${itemId}/media`), { mediaSerial: "UKEY-9999" }],
      ["POST", orderUrl(order, `/items/${itemId}/issue`), { csrPem: "x" }],
      ["POST", orderUrl(order, "/complete"), { version: order.version, how: "handover" }],
    ];
    const finance = await staffClient(t, "finance");
    const admin = await staffClient(t, "admin");
    for (const [method, url, body] of calls) {
      for (const who of [reviewer, finance, admin]) {
        expect((await who.request(method as "GET", url, body)).status, `${method} ${url}`).toBe(403);
      }
      expect((await applicant.request(method as "GET", url, body)).status, `${method} ${url}`).toBe(401);
    }
    const untouched = await t.database.db
      .selectFrom("orders")
      .select(["state", "version"])
      .where("id", "=", order.id)
      .executeTakeFirstOrThrow();
    expect(untouched).toEqual({ state: "awaiting_materials", version: order.version });
  });

  it("refuses a write without the CSRF header", async () => {
    const order = await orderAwaitingMaterials(t, applicant, reviewer);
    operator.sendCsrf = false;
    try {
      const res = await operator.post(orderUrl(order, "/receive"), { version: order.version });
      expect(res.status).toBe(403);
    } finally {
      operator.sendCsrf = true;
    }
  });
});
