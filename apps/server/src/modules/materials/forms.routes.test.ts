import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, createTestApp, registerApplicant, type TestApp } from "../../test/harness";
import { COMPANY, HANDLER } from "../workbench/test-flow";
import { newCompanyOrder } from "./test-files";

let t: TestApp;
let dir: string;

beforeAll(async () => {
  t = await createTestApp();
  dir = mkdtempSync(path.join(os.tmpdir(), "certhall-forms-"));
}, 60_000);
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The PDF's text as pdftotext reads it, and its fonts as pdffonts lists them. */
function read(pdf: Buffer, name: string) {
  const file = path.join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  return {
    text: execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" }),
    fonts: execFileSync("pdffonts", [file], { encoding: "utf8" }),
  };
}

async function get(client: Client, url: string) {
  const res = await t.app.inject({
    method: "GET",
    url,
    headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
  });
  return { status: res.statusCode, body: res.rawPayload, headers: res.headers, json: () => res.json() };
}

describe("forms", () => {
  it("the 申请表 and 授权委托书 come pre-filled from my order, with the Chinese font embedded", async () => {
    const client = await registerApplicant(t, "13912340001");
    const order = await newCompanyOrder(t, client, { submit: false, years: 2, eseal: true });
    const res = await get(client, `/api/v1/orders/${order.orderId}/forms/application`);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/pdf");
    expect(String(res.headers["content-disposition"])).toContain(encodeURIComponent("数字证书申请表"));
    const app = read(res.body, "application");
    for (const s of [
      "数字证书申请表",
      order.orderNo,
      COMPANY.name,
      COMPANY.uscc,
      "张三",
      HANDLER.name,
      HANDLER.idNumber,
      HANDLER.phone,
      "2 年，含电子签章",
    ]) {
      expect(app.text).toContain(s);
    }
    expect(app.fonts).toMatch(/Noto.*CID.*yes\s+yes\s+yes/i);

    const auth = read(
      (await get(client, `/api/v1/orders/${order.orderId}/forms/authorization`)).body,
      "auth",
    );
    expect(auth.text).toContain("法定代表人授权委托书");
    expect(auth.text).toContain(`兹委托上述受托人代表本单位办理数字证书「新证申请」业务`);
    const eseal = read((await get(client, `/api/v1/orders/${order.orderId}/forms/eseal`)).body, "eseal");
    expect(eseal.text).toContain("电子印章信息填报表");

    // Someone else's order is not found; an unknown form kind is a 400 naming it.
    const other = await registerApplicant(t, "13912340002");
    expect((await get(other, `/api/v1/orders/${order.orderId}/forms/application`)).status).toBe(404);
    const bad = await get(client, `/api/v1/orders/${order.orderId}/forms/contract`);
    expect(bad.status).toBe(400);
    expect(bad.json().field).toBe("kind");
    expect((await get(new Client(t.app), `/api/v1/orders/${order.orderId}/forms/application`)).status).toBe(
      401,
    );
  });

  it("blank forms are public, per business and subject kind", async () => {
    const anon = new Client(t.app);
    const res = await get(anon, "/api/v1/forms/application?business=change&subjectKind=person");
    expect(res.status).toBe(200);
    const blank = read(res.body, "blank");
    expect(blank.text).toContain("数字证书变更申请表");
    expect(blank.text).toContain("空白表");
    expect(blank.text).toContain("申请人签字");
    const person = await get(anon, "/api/v1/forms/authorization?subjectKind=person");
    expect(person.status).toBe(400);
    expect(person.json().detail).toBe("个人业务无需授权委托书或电子印章信息填报表");
    const wrong = await get(anon, "/api/v1/forms/application?business=renew");
    expect(wrong.json()).toMatchObject({ status: 400, field: "business" });
  });
});
