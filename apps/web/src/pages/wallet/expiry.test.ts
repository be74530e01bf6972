import { describe, expect, it } from "vitest";
import { expiringSoon, expirySummary, remaining, renewable, renewTarget, urgency } from "./expiry";

const good = (expiresInDays: number) => ({ state: "good" as const, expiresInDays });

describe("urgency", () => {
  it("grades a good certificate by its days left: urgent up to 30, soon up to 90, ok beyond", () => {
    expect(urgency(good(0))).toBe("urgent");
    expect(urgency(good(30))).toBe("urgent");
    expect(urgency(good(31))).toBe("soon");
    expect(urgency(good(90))).toBe("soon");
    expect(urgency(good(91))).toBe("ok");
  });

  it("trusts the server's state over the day count for revoked and expired certificates", () => {
    expect(urgency({ state: "revoked", expiresInDays: 10 })).toBe("revoked");
    expect(urgency({ state: "expired", expiresInDays: 0 })).toBe("expired");
  });
});

describe("expiringSoon and renewable", () => {
  it("counts only good certificates inside the 90-day window as expiring soon", () => {
    expect(expiringSoon(good(45))).toBe(true);
    expect(expiringSoon(good(120))).toBe(false);
    expect(expiringSoon({ state: "expired", expiresInDays: -3 })).toBe(false);
  });

  it("offers renewal inside the window and after expiry, never for a revoked certificate", () => {
    expect(renewable(good(45))).toBe(true);
    expect(renewable(good(120))).toBe(false);
    expect(renewable({ state: "expired", expiresInDays: -3 })).toBe(true);
    expect(renewable({ state: "revoked", expiresInDays: 5 })).toBe(false);
  });
});

describe("expirySummary", () => {
  it("counts expiring and expired certificates apart and ignores revoked and distant ones", () => {
    const s = expirySummary([
      good(200),
      good(80),
      good(12),
      { state: "expired", expiresInDays: -5 },
      { state: "revoked", expiresInDays: 20 },
    ]);
    expect(s).toEqual({ expiringSoon: 2, expired: 1, soonestDays: 12 });
  });

  it("has nothing to warn about for an empty wallet", () => {
    expect(expirySummary([])).toEqual({ expiringSoon: 0, expired: 0, soonestDays: null });
  });
});

describe("renewTarget", () => {
  it("points at the home page's 延期 card and is disabled while the business is not open", () => {
    expect(renewTarget("0a1b", false)).toEqual({ to: "/#business-renew", enabled: false });
  });

  it("opens the 延期 page with the certificate preselected once the business is open", () => {
    expect(renewTarget("0a1b", true)).toEqual({ to: "/business/renew?serial=0a1b", enabled: true });
    expect(renewTarget("a&b", true).to).toBe("/business/renew?serial=a%26b");
  });
});

describe("remaining", () => {
  it("shows whole days left, and less than a day when the floored count is 0", () => {
    expect(remaining(good(42))).toEqual({ kind: "left", days: 42 });
    expect(remaining(good(0))).toEqual({ kind: "lessThanDay" });
  });

  it("counts an expired certificate's days past its end from 1, and has no count for a revoked one", () => {
    expect(remaining({ state: "expired", expiresInDays: -1 })).toEqual({ kind: "expired", days: 1 });
    expect(remaining({ state: "expired", expiresInDays: 0 })).toEqual({ kind: "expired", days: 1 });
    expect(remaining({ state: "expired", expiresInDays: -17 })).toEqual({ kind: "expired", days: 17 });
    expect(remaining({ state: "revoked", expiresInDays: 100 })).toEqual({ kind: "revoked" });
  });
});
