import { describe, expect, it } from "vitest";
import { auditActionName } from "../../lib/audit-actions";
import { detailText, shortId } from "./AuditPage";

describe("audit log display", () => {
  it("shortens a UUID but keeps a date id whole", () => {
    expect(shortId("22d4983e-6e34-442c-9ae8-60358a81a5d9")).toBe("22d4983e");
    expect(shortId("2026-11-26")).toBe("2026-11-26");
  });

  it("shows no detail for an empty object and compact JSON otherwise", () => {
    expect(detailText({})).toBe("");
    expect(detailText({ username: "admin" })).toBe('{"username":"admin"}');
  });

  it("names known actions in Chinese and leaves unknown ones to their code", () => {
    expect(auditActionName("staff.login", "zh")).toBe("工作人员登录");
    expect(auditActionName("order.future_thing", "zh")).toBeNull();
  });
});
