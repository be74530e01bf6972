import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BUSINESS_CODES } from "../business-types";
import { BUSINESS_TYPES, describeItem, orderInputSchema, supersedeReason } from ".";

const schema = orderInputSchema({ subjectKind: z.enum(["company", "person"]) });

describe("business definitions", () => {
  it("the order input has one branch per business, each parsing that business's own item fields", () => {
    expect(schema.options.map((o) => o.shape.business.value).sort()).toEqual([...BUSINESS_CODES].sort());
    for (const code of BUSINESS_CODES) {
      const r = schema.safeParse({ business: code, subjectKind: "company", items: [{}] });
      expect(r.success, code).toBe(true);
      expect(Object.keys(BUSINESS_TYPES[code].item.shape).length).toBeGreaterThan(0);
    }
  });

  it("refuses an unknown business naming the field, and checks the item fields of the business sent", () => {
    const bad = schema.safeParse({ business: "mint", subjectKind: "company", items: [{}] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ["business"], message: "业务类型无效" });
    const cause = schema.safeParse({
      business: "reissue",
      subjectKind: "company",
      items: [{ cause: "stolen" }],
    });
    expect(cause.error?.issues[0]).toMatchObject({
      path: ["items", 0, "cause"],
      message: "补证原因应为介质遗失或损坏",
    });
    const none = schema.safeParse({ business: "renew", subjectKind: "company", items: [] });
    expect(none.error?.issues[0]?.message).toBe("请至少添加一项证书");
  });

  it("注销 takes the applicant's reason (不再使用 when none is stored), refuses another naming the field", () => {
    const ok = schema.parse({
      business: "revoke",
      subjectKind: "company",
      items: [{ certificateSerial: "ab", reason: "keyCompromise" }],
    });
    expect(ok.items).toEqual([{ certificateSerial: "ab", reason: "keyCompromise" }]);
    const bad = schema.safeParse({
      business: "revoke",
      subjectKind: "company",
      items: [{ certificateSerial: "ab", reason: "superseded" }],
    });
    expect(bad.error?.issues[0]).toMatchObject({ path: ["items", 0, "reason"] });
    expect(bad.error?.issues[0]?.message).toContain("注销原因");
    expect(supersedeReason("revoke", { reason: "affiliationChanged" })).toBe("affiliationChanged");
    expect(supersedeReason("revoke", { reason: "keyCompromise" })).toBe("keyCompromise");
    expect(supersedeReason("revoke", {})).toBe("cessationOfOperation");
    expect(supersedeReason("revoke", { reason: "superseded" })).toBe("cessationOfOperation");
    expect(describeItem("revoke", "ab", { reason: "affiliationChanged" })).toBe(
      "证书 ab；注销（证书吊销）；原因：单位或个人信息变更",
    );
    expect(describeItem("revoke", "ab", null)).toBe("证书 ab；注销（证书吊销）；原因：不再使用");
  });

  it("keeps only the fields of the business sent (新证's e-seal choice defaults to false)", () => {
    const r = schema.parse({
      business: "new",
      subjectKind: "person",
      items: [{ subjectId: "s", caTypeId: "c", years: 2, keepKey: true }],
    });
    expect(r.items).toEqual([{ subjectId: "s", caTypeId: "c", years: 2, eseal: false }]);
  });

  it("a business that issues at the window allows issuing and nothing it does not do", () => {
    const window = BUSINESS_CODES.filter((c) => BUSINESS_TYPES[c].steps.includes("issue"));
    expect(window).toEqual(["new", "change", "reissue", "replace", "vendor_swap"]);
    expect(BUSINESS_CODES.filter((c) => BUSINESS_TYPES[c].succeedsTarget)).toEqual([
      "change",
      "reissue",
      "replace",
    ]);
    for (const c of BUSINESS_CODES) {
      // Without a receipt nothing reaches the window.
      if (!BUSINESS_TYPES[c].receipt) expect(BUSINESS_TYPES[c].steps).not.toContain("receive_materials");
    }
  });
});
