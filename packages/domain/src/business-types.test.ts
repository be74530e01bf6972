import { describe, expect, it } from "vitest";
import { BUSINESS_CODES, isBusinessCode } from "./business-types";
import { BUSINESS_TYPES, businessType, listBusinessTypes } from "./businesses";

describe("business types", () => {
  it("lists the nine businesses of the seed in menu order, each keyed by its own code", () => {
    expect(listBusinessTypes().map((b) => [b.code, b.name])).toEqual([
      ["new", "新证申请"],
      ["renew", "延期"],
      ["eseal", "电子签章开通"],
      ["change", "变更"],
      ["reissue", "补证"],
      ["unlock", "解锁"],
      ["replace", "换证"],
      ["vendor_swap", "其他厂商介质证书更换"],
      ["revoke", "注销"],
    ]);
    for (const code of BUSINESS_CODES) expect(BUSINESS_TYPES[code].code).toBe(code);
  });

  it("reviews only new certificates before payment", () => {
    expect(
      listBusinessTypes()
        .filter((b) => b.reviewBeforePay)
        .map((b) => b.code),
    ).toEqual(["new"]);
  });

  it("charges nothing for unlock and revoke, and never books them", () => {
    const zero = listBusinessTypes().filter((b) => b.payment === "zero");
    expect(zero.map((b) => b.code)).toEqual(["unlock", "revoke"]);
    for (const b of zero) expect(b.booking).toBe("never");
  });

  it("books every payment of new, replace and vendor_swap, and only transfers of the others that pay", () => {
    const byBooking = (mode: string) =>
      listBusinessTypes()
        .filter((b) => b.booking === mode)
        .map((b) => b.code);
    expect(byBooking("always")).toEqual(["new", "replace", "vendor_swap"]);
    expect(byBooking("transfer_only")).toEqual(["renew", "eseal", "change", "reissue"]);
  });

  it("needs a receipt and materials for everything but renewal and e-seal activation", () => {
    expect(
      listBusinessTypes()
        .filter((b) => !b.receipt)
        .map((b) => b.code),
    ).toEqual(["renew", "eseal"]);
  });

  it("asks for the seed's confirmation boxes on replace and revoke only", () => {
    expect(BUSINESS_TYPES.replace.confirmation).toBe("是否换证");
    expect(BUSINESS_TYPES.revoke.confirmation).toBe("是否注销");
    expect(listBusinessTypes().filter((b) => b.confirmation !== null)).toHaveLength(2);
  });

  it("has an English name and a one-line Chinese description for each business", () => {
    for (const b of listBusinessTypes()) {
      expect(b.nameEn).toMatch(/^[A-Z][\w\s'-]+$/);
      expect(b.description).toMatch(/[\u4e00-\u9fff]/);
      expect(b.description).not.toContain("\n");
    }
  });

  it("recognises codes from untrusted input", () => {
    expect(isBusinessCode("vendor_swap")).toBe(true);
    expect(isBusinessCode("VENDOR_SWAP")).toBe(false);
    expect(isBusinessCode("toString")).toBe(false);
    expect(isBusinessCode(3)).toBe(false);
    expect(businessType("eseal").name).toBe("电子签章开通");
  });
});
