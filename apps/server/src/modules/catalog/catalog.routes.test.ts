import { itemFeeLines, sumLines } from "@certhall/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedReferenceData } from "../../seed";
import { Client, createTestApp, registerApplicant, staffClient, type TestApp } from "../../test/harness";
import { getActiveCaType, pricesOf } from "./catalog.service";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

type CaTypeView = {
  id: string;
  code: string;
  name: string;
  subjectKind: string;
  profile: string;
  prices: Record<string, number>;
  demoPrices: boolean;
  priceNotice: string | null;
  active: boolean;
};
const publicList = async (query = "") =>
  (await new Client(t.app).get(`/api/v1/catalog/ca-types${query}`)).body.caTypes as CaTypeView[];

const newType = (over: Record<string, unknown> = {}) => ({
  code: "gov-sign",
  name: "政务服务数字证书（企业）",
  description: "测试新增",
  subjectKind: "company",
  profile: "enterprise-sign",
  prices: {
    certFee: 25_000,
    mediaFee: 6_000,
    annualFee: 15_000,
    esealFee: 0,
    changeFee: 3_000,
    reissueFee: 8_000,
    replaceFee: 8_000,
  },
  demoPrices: false,
  ...over,
});

describe("GET /api/v1/catalog/ca-types (public)", () => {
  it("lists the seeded products with demo prices in fen, flagged and explained as demo prices", async () => {
    const all = await publicList();
    expect(all.map((c) => c.name)).toEqual([
      "公共资源交易平台数字证书（企业）",
      "企业数字证书",
      "电子印章证书",
      "个人数字证书",
    ]);
    const trading = all[0]!;
    expect(trading).toMatchObject({ subjectKind: "company", profile: "trading-platform", demoPrices: true });
    expect(trading.prices).toEqual({
      certFee: 30_000,
      mediaFee: 8_000,
      annualFee: 20_000,
      esealFee: 20_000,
      changeFee: 5_000,
      reissueFee: 10_000,
      replaceFee: 10_000,
    });
    expect(trading.priceNotice).toContain("演示价格");
    expect(all.find((c) => c.name === "电子印章证书")!.profile).toBe("eseal");
  });

  it("filters by subject kind", async () => {
    expect((await publicList("?kind=person")).map((c) => c.profile)).toEqual(["person-sign"]);
    expect((await publicList("?kind=company")).length).toBe(3);
    expect((await new Client(t.app).get("/api/v1/catalog/ca-types?kind=robot")).status).toBe(400);
  });

  it("gives the order service a row it prices with the shared fee rules", async () => {
    const id = (await publicList("?kind=company"))[0]!.id;
    const row = await getActiveCaType(t.database.db, id);
    const lines = itemFeeLines("new", pricesOf(row), { years: 2, eseal: true });
    // 证书费 300 + 介质费 80 + 年服务费 200 × 2 + 电子签章 200 = 980.00 yuan
    expect(sumLines(lines)).toBe(98_000);
    await expect(getActiveCaType(t.database.db, "no-such-id")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("admin catalog routes", () => {
  it("keep out applicants (401), anonymous visitors (401) and staff without catalog.manage (403)", async () => {
    const applicant = await registerApplicant(t, "13900000011");
    const reviewer = await staffClient(t, "reviewer");
    const finance = await staffClient(t, "finance");
    const id = (await publicList())[0]!.id;
    for (const c of [applicant, new Client(t.app)]) {
      expect((await c.get("/api/v1/admin/catalog/ca-types")).status).toBe(401);
      expect((await c.post("/api/v1/admin/catalog/ca-types", newType())).status).toBe(401);
      expect((await c.put(`/api/v1/admin/catalog/ca-types/${id}`, newType())).status).toBe(401);
    }
    for (const c of [reviewer, finance]) {
      expect((await c.get("/api/v1/admin/catalog/ca-types")).status).toBe(403);
      expect((await c.post("/api/v1/admin/catalog/ca-types", newType())).status).toBe(403);
      expect((await c.put(`/api/v1/admin/catalog/ca-types/${id}`, newType())).status).toBe(403);
    }
    expect((await publicList()).map((c) => c.code)).not.toContain("gov-sign");
  });

  it("let the admin add a product, which goes on sale at once, and refuse its code twice", async () => {
    const admin = await staffClient(t, "admin");
    const res = await admin.post("/api/v1/admin/catalog/ca-types", newType());
    expect(res.status).toBe(201);
    expect(res.body.caType).toMatchObject({
      code: "gov-sign",
      demoPrices: false,
      priceNotice: null,
      active: true,
    });
    expect(res.body.caType.profileName).toBe("企业签名证书");
    expect((await publicList()).map((c) => c.code)).toContain("gov-sign");
    const dup = await admin.post("/api/v1/admin/catalog/ca-types", newType({ name: "别的名字" }));
    expect(dup.status).toBe(409);
    expect(dup.body.field).toBe("code");
  });

  it("refuse a profile that does not exist or does not fit the subject kind, naming profile", async () => {
    const admin = await staffClient(t, "admin");
    const unknown = await admin.post(
      "/api/v1/admin/catalog/ca-types",
      newType({ code: "x1", profile: "root-ca" }),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe("profile");
    expect(unknown.body.detail).toContain("不存在");
    const mismatch = await admin.post(
      "/api/v1/admin/catalog/ca-types",
      newType({ code: "x2", subjectKind: "person", profile: "trading-platform" }),
    );
    expect(mismatch.body).toMatchObject({ field: "profile" });
    expect(mismatch.body.detail).toContain("不能用于个人证书");
    const responder = await admin.post(
      "/api/v1/admin/catalog/ca-types",
      newType({ code: "x3", profile: "ocsp-responder" }),
    );
    expect(responder.status).toBe(400);
  });

  it("refuse negative, fractional or non-numeric fees, naming the fee", async () => {
    const admin = await staffClient(t, "admin");
    const base = newType({ code: "x4" });
    const withFee = (fee: unknown) => ({ ...base, prices: { ...base.prices, certFee: fee } });
    const negative = await admin.post("/api/v1/admin/catalog/ca-types", withFee(-1));
    expect(negative.status).toBe(400);
    expect(negative.body).toMatchObject({ field: "prices.certFee", detail: "证书费不能为负数" });
    const fraction = await admin.post("/api/v1/admin/catalog/ca-types", withFee(300.5));
    expect(fraction.body.field).toBe("prices.certFee");
    expect(fraction.body.detail).toContain("以分为单位的整数");
    const text = await admin.post("/api/v1/admin/catalog/ca-types", withFee("300"));
    expect(text.status).toBe(400);
    const badCode = await admin.post("/api/v1/admin/catalog/ca-types", newType({ code: "Bad Code" }));
    expect(badCode.body.field).toBe("code");
    expect(
      (await admin.get("/api/v1/admin/catalog/ca-types")).body.caTypes.map((c: CaTypeView) => c.code),
    ).not.toContain("x4");
  });

  it("let the admin set real prices and take a product off sale, with before and after in the audit log", async () => {
    const admin = await staffClient(t, "admin");
    const person = (await publicList("?kind=person"))[0]!;
    const edit = {
      name: person.name,
      description: "正式价格",
      subjectKind: "person",
      profile: "person-sign",
      prices: { ...person.prices, certFee: 12_000, annualFee: 9_900 },
      demoPrices: false,
    };
    const res = await admin.put(`/api/v1/admin/catalog/ca-types/${person.id}`, edit);
    expect(res.status).toBe(200);
    expect(res.body.caType).toMatchObject({ demoPrices: false, priceNotice: null });
    expect(res.body.caType.prices.certFee).toBe(12_000);
    const shown = (await publicList("?kind=person"))[0]!;
    expect(shown.prices).toMatchObject({ certFee: 12_000, annualFee: 9_900 });

    const off = await admin.put(`/api/v1/admin/catalog/ca-types/${person.id}`, { ...edit, active: false });
    expect(off.status).toBe(200);
    expect(await publicList("?kind=person")).toEqual([]);
    await expect(getActiveCaType(t.database.db, person.id)).rejects.toMatchObject({ status: 404 });
    const adminList = (await admin.get("/api/v1/admin/catalog/ca-types")).body.caTypes as CaTypeView[];
    expect(adminList.find((c) => c.id === person.id)!.active).toBe(false);

    const entries = await t.database.db
      .selectFrom("audit_log")
      .select(["action", "detail", "actor_type"])
      .where("object_id", "=", person.id)
      .orderBy("seq")
      .execute();
    expect(entries.map((e) => e.action)).toEqual(["catalog.ca_type.update", "catalog.ca_type.update"]);
    const first = JSON.parse(entries[0]!.detail);
    expect(first.before).toMatchObject({ cert_fee: 30_000, demo_prices: 1 });
    expect(first.after).toMatchObject({ cert_fee: 12_000, demo_prices: 0, annual_fee: 9_900 });
    expect(entries[0]!.actor_type).toBe("staff");
    expect((await admin.put("/api/v1/admin/catalog/ca-types/nope", newType())).status).toBe(404);
  });

  it("keeps the admin's prices when the reference data is seeded again, adding nothing twice", async () => {
    const before = await t.database.db.selectFrom("ca_types").selectAll().orderBy("code").execute();
    await seedReferenceData(t.database.db, t.time.clock);
    const after = await t.database.db.selectFrom("ca_types").selectAll().orderBy("code").execute();
    expect(after).toEqual(before);
    expect(after.find((c) => c.code === "person-sign")!.cert_fee).toBe(12_000);
  });
});

describe("GET /api/v1/admin/catalog/profiles", () => {
  it("lists the CA profiles that suit a subject kind, for the admin only", async () => {
    const admin = await staffClient(t, "admin");
    const company = await admin.get("/api/v1/admin/catalog/profiles?kind=company");
    const ids = company.body.profiles.map((p: { id: string }) => p.id);
    expect(ids).toEqual(expect.arrayContaining(["enterprise-sign", "trading-platform", "eseal"]));
    expect(ids).not.toContain("person-sign");
    expect(ids).not.toContain("ocsp-responder");
    const person = await admin.get("/api/v1/admin/catalog/profiles?kind=person");
    expect(person.body.profiles.map((p: { id: string }) => p.id)).toEqual(["person-sign"]);
    expect(
      (await (await staffClient(t, "reviewer")).get("/api/v1/admin/catalog/profiles?kind=company")).status,
    ).toBe(403);
  });
});
