import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approvedOrder, newApplicant, uploadVoucher } from "../modules/payments/payment.test-support";
import { Client, createTestApp, staffClient, type TestApp } from "../test/harness";

// Issue 18 item 6: on PostgreSQL a NUL character in stored text or a search term made routes answer
// 500 (PostgreSQL text cannot hold \u0000); malformed transfer bodies did so on both engines.

let t: TestApp;
let applicant: Client;
let reviewer: Client;
let operator: Client;
let admin: Client;
let order: Awaited<ReturnType<typeof approvedOrder>>;

beforeAll(async () => {
  t = await createTestApp();
  const a = await newApplicant(t);
  applicant = a.client;
  order = await approvedOrder(t, a);
  reviewer = await staffClient(t, "reviewer");
  operator = await staffClient(t, "operator");
  admin = await staffClient(t, "admin");
});
afterAll(async () => {
  await t.close();
});

const NUL = "a\u0000b";
const handler = { name: NUL, idNumber: "11010519491231002X", phone: "13700001111" };

type Who = "anonymous" | "applicant" | "reviewer" | "operator" | "admin";
const client = (who: Who): Client =>
  who === "anonymous" ? new Client(t.app) : { applicant, reviewer, operator, admin }[who];

/** [who, method, url, body, the field the answer must name]. */
const cases: [Who, string, string, unknown, string][] = [
  ["anonymous", "POST", "/api/v1/auth/login", { phone: NUL, password: "x" }, "phone"],
  ["anonymous", "POST", "/api/v1/auth/sms-codes", { phone: NUL, purpose: "register" }, "phone"],
  [
    "anonymous",
    "POST",
    "/api/v1/auth/register",
    { phone: "13900001234", code: "123456", password: `Str0ng-${NUL}` },
    "password",
  ],
  ["anonymous", "POST", "/api/v1/admin/auth/login", { username: NUL, password: "x" }, "username"],
  ["applicant", "GET", "/api/v1/subjects?q=a%00b", undefined, "q"],
  [
    "applicant",
    "POST",
    "/api/v1/subjects",
    { kind: "company", name: NUL, uscc: "91350100M000100Y43", legalRep: "张三", address: "福州" },
    "name",
  ],
  ["applicant", "GET", "/api/v1/orders?q=a%00b", undefined, "q"],
  ["applicant", "GET", "/api/v1/orders/candidates?business=renew&q=a%00b", undefined, "q"],
  [
    "applicant",
    "POST",
    "/api/v1/orders",
    { business: "new", subjectKind: "company", handler, items: [] },
    "handler.name",
  ],
  ["applicant", "GET", "/api/v1/orders/a%00b", undefined, "id"],
  ["reviewer", "GET", "/api/v1/admin/orders?q=a%00b", undefined, "q"],
  ["reviewer", "POST", `/api/v1/admin/orders/${"x"}/reject`, { version: 1, note: `原因${NUL}` }, "note"],
  ["operator", "GET", "/api/v1/admin/workbench/find?q=a%00b", undefined, "q"],
  ["admin", "PUT", "/api/v1/admin/windows/a%00b", { name: "x" }, "id"],
  ["admin", "PUT", "/api/v1/admin/calendar/2027-01-01", { kind: "holiday", note: NUL }, "note"],
  ["anonymous", "GET", "/api/v1/verify/a%00b", undefined, "token"],
  ["anonymous", "POST", "/api/v1/unlock", { code: NUL, tokenSerial: "S1" }, "code"],
  ["anonymous", "POST", "/api/v1/online-update", { code: "A".repeat(32), csrPem: NUL }, "csrPem"],
];

describe("a NUL character in any string input", () => {
  it.each(cases)("%s %s %s → 400 naming the field", async (who, method, url, body, field) => {
    const res = await client(who).request(method as "GET", url, body);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ code: "VALIDATION_FAILED", field });
    expect(res.body.detail).toMatch(/空字符/);
  });

  it("finds the NUL deep in arrays too, and names the path", async () => {
    const res = await applicant.post("/api/v1/orders", {
      business: "new",
      subjectKind: "company",
      handler: { ...handler, name: "李经办" },
      items: [{ subjectId: NUL, caTypeId: "x", years: 1, eseal: false }],
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("items.0.subjectId");
  });
});

describe("malformed bodies of POST /orders/{id}/payments/transfer", () => {
  const url = () => `/api/v1/orders/${order.id}/payments/transfer`;
  const send = (body: string | Buffer, contentType: string) =>
    applicant.request("POST", url(), body, { "content-type": contentType });

  it.each([
    ["{bad", "body"],
    ['"abc"', "body"],
    ["[1]", "body"],
    ['{"version":"x"}', "version"],
    ['{"version":1,"extra":"a\\u0000b"}', "extra"],
  ])("JSON %s → 400 naming %s", async (body, field) => {
    const res = await send(body, "application/json");
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ code: "VALIDATION_FAILED", field });
  });

  it.each([
    [
      "no closing boundary",
      "multipart/form-data; boundary=XX",
      '--XX\r\nContent-Disposition: form-data; name="version"\r\n\r\n1\r\n',
    ],
    ["garbage", "multipart/form-data; boundary=XX", "garbage"],
    ["no boundary", "multipart/form-data", "garbage"],
    [
      "a cut-off file",
      "multipart/form-data; boundary=XX",
      '--XX\r\nContent-Disposition: form-data; name="voucher"; filename="a.png"\r\n\r\nabc',
    ],
  ])("multipart with %s → 400", async (_what, contentType, body) => {
    const res = await send(body, contentType);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ code: "VALIDATION_FAILED", field: "voucher" });
  });

  it("still takes a well-formed declaration afterwards (nothing was half-written)", async () => {
    const res = await uploadVoucher(applicant, order.id, null, { version: String(order.version) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });
});

describe("a malformed seal picture upload", () => {
  it("answers 400 naming sealImage", async () => {
    const res = await applicant.request("POST", "/api/v1/uploads/seal", "garbage", {
      "content-type": "multipart/form-data; boundary=XX",
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ code: "VALIDATION_FAILED", field: "sealImage" });
  });
});
