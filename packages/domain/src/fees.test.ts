import { describe, expect, it } from "vitest";
import { VENDOR_SWAP_FEE } from "./businesses";
import { formatFen, itemFeeLines, orderTotal, parseYuan, sumLines } from "./fees";

const prices = {
  certFee: 30000,
  mediaFee: 8000,
  annualFee: 20000,
  esealFee: 20000,
  changeFee: 5000,
  reissueFee: 10000,
  replaceFee: 10000,
};

describe("fees", () => {
  it("prices a new certificate as certificate + media + annual fee per year + optional e-seal", () => {
    expect(sumLines(itemFeeLines("new", prices, { years: 2, eseal: false }))).toBe(30000 + 8000 + 40000);
    expect(sumLines(itemFeeLines("new", prices, { years: 1, eseal: true }))).toBe(
      30000 + 8000 + 20000 + 20000,
    );
  });

  it("adds up several items of one order", () => {
    const items = [
      { prices, options: { years: 1, eseal: false } },
      { prices, options: { years: 3, eseal: true } },
    ];
    expect(orderTotal("new", items)).toBe(58000 + 30000 + 8000 + 60000 + 20000);
  });

  it("charges 200 yuan for a vendor swap whatever the catalog says, and nothing for unlock or revoke", () => {
    expect(sumLines(itemFeeLines("vendor_swap", prices, { years: 3, eseal: true }))).toBe(VENDOR_SWAP_FEE);
    expect(VENDOR_SWAP_FEE).toBe(20000);
    expect(itemFeeLines("unlock", prices, { years: 1, eseal: false })).toEqual([]);
    expect(itemFeeLines("revoke", prices, { years: 1, eseal: false })).toEqual([]);
  });

  it("clamps years to 1..5", () => {
    expect(sumLines(itemFeeLines("renew", prices, { years: 9, eseal: false }))).toBe(100000);
    expect(sumLines(itemFeeLines("renew", prices, { years: 0, eseal: false }))).toBe(20000);
  });

  it("formats and parses yuan amounts exactly", () => {
    expect(formatFen(1234567)).toBe("¥12,345.67");
    expect(formatFen(5)).toBe("¥0.05");
    expect(parseYuan("123.4")).toBe(12340);
    expect(parseYuan("0.05")).toBe(5);
    expect(parseYuan("1.234")).toBeNull();
    expect(parseYuan("-1")).toBeNull();
  });
});
