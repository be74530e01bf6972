// 其他厂商介质证书更换: whose vendor certificate may be swapped for whom (issue 13 defect 5), as a rule
// and through POST /orders: a refusal names the field in Chinese and stores nothing; a certificate
// that names its holder only loosely sends the order to a reviewer.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BusinessApp, createBusinessApp, HANDLER, newAccount } from "../../test/business-flow";
import { opensslOk } from "../pki/test-support";
import { caTypeId } from "../workbench/test-flow";
import { vendorIdentity } from "./vendor-identity";

const COMPANY = {
  kind: "company" as const,
  name: "福建厂商测试有限公司",
  identity_key: "91350100M000100Y43",
};
const PERSON = { kind: "person" as const, name: "王小明", identity_key: "11010519491231002X" };

describe("vendorIdentity", () => {
  it("accepts a company's own USCC, refuses another's, and sends one without a USCC to review", () => {
    expect(vendorIdentity(COMPANY, { uscc: COMPANY.identity_key })).toEqual({ ok: true, review: false });
    expect(vendorIdentity(COMPANY, { uscc: "91350200MA2XYZ1234" })).toMatchObject({ ok: false });
    expect(vendorIdentity(COMPANY, { o: "随便什么公司" })).toEqual({ ok: true, review: true });
  });
  it("lets a person swap only a certificate naming them; never a company's", () => {
    expect(vendorIdentity(PERSON, { uscc: COMPANY.identity_key, o: COMPANY.name })).toMatchObject({
      ok: false,
      message: expect.stringContaining("个人不能更换企业的证书"),
    });
    expect(vendorIdentity(PERSON, { cn: PERSON.name, serialNumber: PERSON.identity_key })).toEqual({
      ok: true,
      review: false,
    });
    expect(vendorIdentity(PERSON, { cn: PERSON.name, serialNumber: "110105194912310038" })).toMatchObject({
      ok: false,
    });
    expect(vendorIdentity(PERSON, { cn: PERSON.name })).toEqual({ ok: true, review: true });
    expect(vendorIdentity(PERSON, { cn: "李四" })).toMatchObject({ ok: false });
  });
});

let t: BusinessApp;
beforeAll(async () => {
  t = await createBusinessApp();
}, 60_000);
afterAll(async () => {
  await t.close();
});

async function vendorCert(name: string, subj: string): Promise<string> {
  t.time.set(new Date(Date.now() + 1000).toISOString());
  await opensslOk(
    [
      ...["req", "-x509", "-utf8", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
      ...["-keyout", `${name}.key`, "-subj", subj, "-days", "100", "-outform", "DER", "-out", `${name}.der`],
    ],
    t.dir,
  );
  return readFileSync(path.join(t.dir, `${name}.der`)).toString("base64");
}

describe("POST /orders 其他厂商介质证书更换", () => {
  it("refuses a person's swap of a company certificate naming the field, stores nothing; a company certificate without USCC goes to review", async () => {
    const account = await newAccount(t);
    const person = await account.client.post("/api/v1/subjects", {
      kind: "person",
      name: PERSON.name,
      idNumber: PERSON.identity_key,
    });
    expect(person.status, JSON.stringify(person.body)).toBe(201);
    const company = await account.client.post("/api/v1/subjects", {
      kind: "company",
      name: COMPANY.name,
      uscc: COMPANY.identity_key,
      legalRep: "张三",
      address: "福建省福州市",
    });
    expect(company.status, JSON.stringify(company.body)).toBe(201);
    const companyCert = await vendorCert(
      "v-company",
      `/C=CN/O=${COMPANY.name}/CN=${COMPANY.name}/serialNumber=${COMPANY.identity_key}`,
    );
    const count = async () => (await t.database.db.selectFrom("orders").select("id").execute()).length;
    const before = await count();
    const order = (subjectKind: string, subjectId: string, caType: string, vendorCertificate: string) =>
      caTypeId(t, caType).then((caTypeId) =>
        account.client.post("/api/v1/orders", {
          business: "vendor_swap",
          subjectKind,
          handler: HANDLER,
          items: [{ subjectId, caTypeId, years: 1, vendorCertificate }],
          submit: true,
        }),
      );
    const refused = await order("person", person.body.subject.id, "person-sign", companyCert);
    expect(refused.status).toBe(400);
    expect(refused.body.field).toBe("items.0.vendorCertificate");
    expect(refused.body.detail).toContain("个人不能更换企业的证书");
    expect(await count()).toBe(before);

    const looseCert = await vendorCert("v-loose", `/C=CN/O=${COMPANY.name}/CN=${COMPANY.name}`);
    const reviewed = await order("company", company.body.subject.id, "enterprise-sign", looseCert);
    expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(201);
    expect(reviewed.body.needsReview).toBe(true);
    expect(reviewed.body.state).toBe("submitted");
  }, 60_000);
});
