import { describe, expect, it } from "vitest";
import { expiringSoon, expirySummary, remaining, renewable, renewTarget, urgency } from "./expiry";

const good = (expiresInDays: number) => ({ state: "good" as const, expiresInDays });

/** The default renewal window (the server's platform setting, 90 days unless the admin changed it). */
const WINDOW = 90;

describe("urgency", () => {
  it("grades a good certificate by its days left: urgent up to 30, soon up to 90, ok beyond", () => {
    expect(urgency(good(0), WINDOW)).toBe("urgent");
    expect(urgency(good(30), WINDOW)).toBe("urgent");
    expect(urgency(good(31), WINDOW)).toBe("soon");
    expect(urgency(good(90), WINDOW)).toBe("soon");
    expect(urgency(good(91), WINDOW)).toBe("ok");
  });

  it("trusts the server's state over the day count for revoked and expired certificates", () => {
    expect(urgency({ state: "revoked", expiresInDays: 10 }, WINDOW)).toBe("revoked");
    expect(urgency({ state: "expired", expiresInDays: 0 }, WINDOW)).toBe("expired");
  });
});

describe("expiringSoon and renewable", () => {
  it("counts only good certificates inside the 90-day window as expiring soon", () => {
    expect(expiringSoon(good(45), WINDOW)).toBe(true);
    expect(expiringSoon(good(120), WINDOW)).toBe(false);
    expect(expiringSoon({ state: "expired", expiresInDays: -3 }, WINDOW)).toBe(false);
  });

  it("offers renewal inside the window and after expiry, never for a revoked certificate", () => {
    expect(renewable(good(45), WINDOW)).toBe(true);
    expect(renewable(good(120), WINDOW)).toBe(false);
    expect(renewable({ state: "expired", expiresInDays: -3 }, WINDOW)).toBe(true);
    expect(renewable({ state: "revoked", expiresInDays: 5 }, WINDOW)).toBe(false);
  });
});

describe("an admin-set window", () => {
  it("grades and offers renewal by the window the server reports, not a fixed 90 days", () => {
    expect(urgency(good(100), 120)).toBe("soon");
    expect(renewable(good(100), 120)).toBe(true);
    expect(urgency(good(100), 90)).toBe("ok");
    expect(urgency(good(60), 45)).toBe("ok");
    expect(expiringSoon(good(60), 45)).toBe(false);
    // A window shorter than the 30 urgent days: nothing is due before it opens.
    expect(urgency(good(20), 10)).toBe("ok");
    expect(urgency(good(8), 10)).toBe("urgent");
    expect(expirySummary([good(100), good(200)], 120)).toEqual({
      expiringSoon: 1,
      expired: 0,
      soonestDays: 100,
    });
  });
});

describe("expirySummary", () => {
  it("counts expiring and expired certificates apart and ignores revoked and distant ones", () => {
    const s = expirySummary(
      [
        good(200),
        good(80),
        good(12),
        { state: "expired", expiresInDays: -5 },
        { state: "revoked", expiresInDays: 20 },
      ],
      WINDOW,
    );
    expect(s).toEqual({ expiringSoon: 2, expired: 1, soonestDays: 12 });
  });

  it("has nothing to warn about for an empty wallet", () => {
    expect(expirySummary([], WINDOW)).toEqual({ expiringSoon: 0, expired: 0, soonestDays: null });
  });
});

describe("renewTarget", () => {
  it("opens the 延期 page with the certificate preselected", () => {
    expect(renewTarget("0a1b")).toBe("/business/renew?serial=0a1b");
    expect(renewTarget("a&b")).toBe("/business/renew?serial=a%26b");
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
