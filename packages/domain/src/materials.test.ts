import { describe, expect, it } from "vitest";
import { BUSINESS_CODES } from "./business-types";
import { BUSINESS_TYPES } from "./businesses";
import { MATERIAL_CODES, materialByCode, materialsFor } from "./materials";

describe("materialsFor", () => {
  it("lists the sealed form, the licence copy, the handler's ID and the authorisation for a company's new certificate", () => {
    expect(materialsFor("new", "company").map((m) => m.zh)).toEqual([
      "数字证书申请表（加盖公章）",
      "营业执照副本复印件（加盖公章）",
      "经办人身份证复印件",
      "法定代表人授权委托书（经办人非法定代表人时提供）",
    ]);
  });

  it("lists the signed form and the ID copy for a person's new certificate", () => {
    expect(materialsFor("new", "person").map((m) => m.zh)).toEqual([
      "数字证书申请表（本人签字）",
      "本人身份证复印件",
    ]);
  });

  it("asks for the medium on revoke and unlock, and a statement of loss on reissue", () => {
    expect(materialsFor("revoke", "company").map((m) => m.code)).toEqual(
      expect.arrayContaining(["revoke_form", "certificate_media"]),
    );
    expect(materialsFor("unlock", "person").map((m) => m.code)).toEqual(
      expect.arrayContaining(["unlock_form", "certificate_media"]),
    );
    expect(materialsFor("reissue", "company").map((m) => m.code)).toContain("loss_statement");
    expect(materialsFor("vendor_swap", "company").map((m) => m.code)).toContain("vendor_media");
  });

  it("has materials exactly for the businesses that print a receipt, for both subject kinds", () => {
    for (const code of BUSINESS_CODES) {
      for (const kind of ["company", "person"] as const) {
        const list = materialsFor(code, kind);
        expect(list.length > 0, `${code}/${kind}`).toBe(BUSINESS_TYPES[code].receipt);
        expect(new Set(list.map((m) => m.code)).size, `${code}/${kind} duplicates`).toBe(list.length);
        for (const m of list) {
          expect(m.zh).toMatch(/[\u4e00-\u9fff]/);
          expect(m.en).toMatch(/^[A-Z]/);
        }
      }
    }
  });

  it("seals a company's forms and has a person sign them", () => {
    for (const code of BUSINESS_CODES) {
      for (const m of materialsFor(code, "company"))
        if (m.code.endsWith("_form")) expect(m.zh).toContain("加盖公章");
      for (const m of materialsFor(code, "person"))
        if (m.code.endsWith("_form")) expect(m.zh).toContain("本人签字");
    }
  });
});

describe("materialByCode", () => {
  it("finds every code and refuses an unknown one", () => {
    for (const code of MATERIAL_CODES) expect(materialByCode(code, "company")?.code).toBe(code);
    expect(materialByCode("passport", "person")).toBeNull();
  });
});
