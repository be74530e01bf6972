import { describe, expect, it } from "vitest";
import { en, format, zh } from "./messages";

describe("UI dictionary", () => {
  it("translates every Chinese key into English with a non-empty text", () => {
    for (const key of Object.keys(zh) as (keyof typeof zh)[]) {
      expect(en[key]?.trim(), key).toBeTruthy();
    }
  });

  it("uses the same placeholders in both languages", () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(zh) as (keyof typeof zh)[]) {
      expect(names(en[key]), key).toEqual(names(zh[key]));
    }
  });
});

describe("format", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(format("{s} 秒后重新获取", { s: 42 })).toBe("42 秒后重新获取");
    expect(format("第 {n} 页 {x}", { n: 2 })).toBe("第 2 页 {x}");
  });
});
