import { describe, expect, it } from "vitest";
import { auditObject, shortId } from "./audit-view";

describe("audit log display", () => {
  it("shortens a UUID but keeps a date id whole", () => {
    expect(shortId("22d4983e-6e34-442c-9ae8-60358a81a5d9")).toBe("22d4983e");
    expect(shortId("2026-11-26")).toBe("2026-11-26");
  });

  it("names an order by its number and links it to the staff order page", () => {
    const id = "22d4983e-6e34-442c-9ae8-60358a81a5d9";
    expect(auditObject({ objectType: "order", objectId: id, detail: { orderNo: "DD20261203001" } })).toEqual({
      label: "DD20261203001",
      to: `/admin/review/${id}`,
    });
  });

  it("names a certificate by its serial, without a page, and an unknown type by its id", () => {
    expect(auditObject({ objectType: "certificate", objectId: "0a1b2c", detail: {} })).toEqual({
      label: "0A:1B:2C",
      to: null,
    });
    expect(auditObject({ objectType: "staff", objectId: "x", detail: {} })?.to).toBe("/admin/staff");
    expect(auditObject({ objectType: null, objectId: null, detail: {} })).toBeNull();
  });
});
