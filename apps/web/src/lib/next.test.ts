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

  it("refuses a tab or newline that the URL parser drops to make //evil.example", () => {
    expect(safeNext("/\t/evil.example", "/account", "/")).toBe("/account");
    expect(safeNext("/\n/evil.example", "/account", "/")).toBe("/account");
    expect(safeNext("/\r\n/evil.example", "/admin", "/admin")).toBe("/admin");
  });

  it("matches the area by whole path segments and spots a login page behind a hash or slash", () => {
    expect(safeNext("/administrator", "/admin", "/admin")).toBe("/admin");
    expect(safeNext("/admin", "/admin/x", "/admin")).toBe("/admin");
    expect(safeNext("/login#x", "/account", "/")).toBe("/account");
    expect(safeNext("/admin/login/", "/admin", "/admin")).toBe("/admin");
  });
});
