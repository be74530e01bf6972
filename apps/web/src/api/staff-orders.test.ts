import { describe, expect, it } from "vitest";
import { fenToYuanText, pricesFromYuan, pricesToYuan, profileOptions } from "./staff-orders";

const prices = {
  certFee: 30000,
  mediaFee: 5050,
  annualFee: 100_000_000,
  esealFee: 0,
  changeFee: 1,
  reissueFee: 10,
  replaceFee: 12345,
};

describe("catalog prices in yuan", () => {
  it("shows fen as plain yuan with two decimals and no separators", () => {
    expect(fenToYuanText(30000)).toBe("300.00");
    expect(fenToYuanText(100_000_000)).toBe("1000000.00");
    expect(fenToYuanText(1)).toBe("0.01");
  });

  it("round-trips every fee between fen and the yuan the admin types", () => {
    const y = pricesToYuan(prices);
    expect(y.mediaFee).toBe("50.50");
    expect(pricesFromYuan(y)).toEqual({ ok: true, prices });
  });

  it("names the first fee that is not an amount", () => {
    const y = { ...pricesToYuan(prices), annualFee: "12.345" };
    expect(pricesFromYuan(y)).toEqual({ ok: false, bad: "annualFee" });
    expect(pricesFromYuan({ ...pricesToYuan(prices), certFee: "-1" })).toEqual({ ok: false, bad: "certFee" });
  });
});

describe("profile choices", () => {
  const listed = [
    { id: "trading-platform", name: "公共资源交易平台证书" },
    { id: "enterprise-sign", name: "企业签名证书" },
  ];

  it("labels each profile the server lists with its name and id", () => {
    expect(profileOptions(listed)).toEqual([
      { value: "trading-platform", label: "公共资源交易平台证书（trading-platform）" },
      { value: "enterprise-sign", label: "企业签名证书（enterprise-sign）" },
    ]);
  });

  it("keeps the profile a type already uses even when the list no longer offers it", () => {
    expect(profileOptions(listed, "legacy-sign").map((o) => o.value)).toEqual([
      "trading-platform",
      "enterprise-sign",
      "legacy-sign",
    ]);
    expect(profileOptions(listed, "enterprise-sign")).toHaveLength(2);
  });
});
