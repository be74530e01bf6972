import { describe, expect, it } from "vitest";
import { safeNext } from "./next";

describe("safeNext", () => {
  it("follows a path inside the area", () => {
    expect(safeNext("/admin/audit?x=1", "/admin", "/admin")).toBe("/admin/audit?x=1");
  });

  it("refuses protocol-relative and absolute addresses (no open redirect)", () => {
    expect(safeNext("//evil.example/x", "/account", "/")).toBe("/account");
    expect(safeNext("https://evil.example", "/account", "/")).toBe("/account");
    expect(safeNext("/\\evil.example", "/account", "/")).toBe("/account");
  });

  it("refuses a path outside the area and a login page", () => {
    expect(safeNext("/account", "/admin", "/admin")).toBe("/admin");
    expect(safeNext("/admin/login", "/admin", "/admin")).toBe("/admin");
    expect(safeNext("/login?next=/x", "/account", "/")).toBe("/account");
  });
});
