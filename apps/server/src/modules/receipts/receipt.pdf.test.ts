import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findCjkFont, shanghaiDateTime } from "./receipt.pdf";

describe("findCjkFont", () => {
  it("finds an installed Simplified Chinese font, naming the face inside a collection", () => {
    const font = findCjkFont();
    expect(existsSync(font.path)).toBe(true);
    if (font.path.endsWith(".ttc")) expect(font.family).toMatch(/SC|sc/);
  });
});

describe("shanghaiDateTime", () => {
  it("prints an instant as Asia/Shanghai wall time, across midnight", () => {
    expect(shanghaiDateTime("2026-11-25T02:00:00.000Z")).toBe("2026-11-25 10:00");
    expect(shanghaiDateTime("2026-12-31T16:30:00.000Z")).toBe("2027-01-01 00:30");
    expect(shanghaiDateTime(null)).toBe("—");
  });
});
