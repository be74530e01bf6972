import { afterEach, describe, expect, it } from "vitest";
import { addShanghaiYears, renewalEnd, renewalWindowOpen, vendorSwapEnd } from "./validity";

/** An instant given as Asia/Shanghai wall time (UTC+8). */
function sh(y: number, m: number, d: number, h = 0, min = 0, s = 0): Date {
  return new Date(Date.UTC(y, m - 1, d, h - 8, min, s));
}

describe("addShanghaiYears", () => {
  it("adds calendar years on Shanghai wall time and keeps the time of day", () => {
    expect(addShanghaiYears(sh(2026, 11, 25, 9, 30, 15), 2)).toEqual(sh(2028, 11, 25, 9, 30, 15));
  });

  it("turns Feb 29 plus one year into Feb 28, and Feb 29 plus four years into Feb 29", () => {
    expect(addShanghaiYears(sh(2028, 2, 29, 8), 1)).toEqual(sh(2029, 2, 28, 8));
    expect(addShanghaiYears(sh(2028, 2, 29, 8), 4)).toEqual(sh(2032, 2, 29, 8));
  });

  it("uses the Shanghai date of a UTC instant that is already the next day in Shanghai", () => {
    // 2028-02-28T16:30Z is 29 February 00:30 in Shanghai; a year later is 28 February 00:30 there,
    // i.e. 2029-02-27T16:30Z. Naive UTC arithmetic would give 2029-02-28T16:30Z, a day too late.
    const end = addShanghaiYears(new Date("2028-02-28T16:30:00Z"), 1);
    expect(end.toISOString()).toBe("2029-02-27T16:30:00.000Z");
  });
});

describe("vendorSwapEnd (其他厂商介质证书更换)", () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it("adds one year to the original end when less than a year remains", () => {
    const r = vendorSwapEnd(sh(2027, 6, 30, 23, 59, 59), sh(2026, 11, 25, 10));
    expect(r).toEqual({ ok: true, end: sh(2028, 6, 30, 23, 59, 59), rule: "plus_one_year" });
  });

  it("gives two years from the processing date when more than a year remains", () => {
    const r = vendorSwapEnd(sh(2028, 3, 1, 12), sh(2026, 11, 25, 14, 30));
    expect(r).toEqual({ ok: true, end: sh(2028, 11, 25, 14, 30), rule: "two_years_from_processing" });
  });

  it("applies the plus-one-year rule when exactly a year remains, which lands on the same day as D + 2 years", () => {
    const d = sh(2026, 11, 25, 9);
    const r = vendorSwapEnd(sh(2027, 11, 25, 18), d);
    expect(r).toEqual({ ok: true, end: sh(2027 + 1, 11, 25, 18), rule: "plus_one_year" });
    if (!r.ok) throw new Error("expected ok");
    expect(r.end.getTime() - addShanghaiYears(d, 2).getTime()).toBe(9 * 60 * 60 * 1000);
  });

  it("switches rules on the day after exactly a year, and not the day before", () => {
    const d = sh(2026, 11, 25, 9);
    expect(vendorSwapEnd(sh(2027, 11, 24, 18), d)).toMatchObject({ ok: true, rule: "plus_one_year" });
    expect(vendorSwapEnd(sh(2027, 11, 26, 0), d)).toEqual({
      ok: true,
      end: sh(2028, 11, 25, 9),
      rule: "two_years_from_processing",
    });
  });

  it("ends on 28 February 2029 when the original ends on 29 February 2028 with under a year left", () => {
    const r = vendorSwapEnd(sh(2028, 2, 29, 12), sh(2027, 9, 1, 10));
    expect(r).toEqual({ ok: true, end: sh(2029, 2, 28, 12), rule: "plus_one_year" });
  });

  it("ends on 28 February two years later when processed on 29 February with over a year left", () => {
    const r = vendorSwapEnd(sh(2029, 6, 30, 23, 59, 59), sh(2028, 2, 29, 9, 30));
    expect(r).toEqual({ ok: true, end: sh(2030, 2, 28, 9, 30), rule: "two_years_from_processing" });
  });

  it("counts a year from a 29 February processing date as 28 February of the next year", () => {
    const d = sh(2028, 2, 29, 9, 30);
    // E on 2029-02-28 is exactly a year (D + 1 year = 2029-02-28): rule 1.
    expect(vendorSwapEnd(sh(2029, 2, 28, 20), d)).toEqual({
      ok: true,
      end: sh(2030, 2, 28, 20),
      rule: "plus_one_year",
    });
    // E on 2029-03-01 is over a year: rule 2.
    expect(vendorSwapEnd(sh(2029, 3, 1, 20), d)).toEqual({
      ok: true,
      end: sh(2030, 2, 28, 9, 30),
      rule: "two_years_from_processing",
    });
  });

  it("refuses an expired original and tells the applicant to apply for a new certificate", () => {
    const r = vendorSwapEnd(sh(2026, 11, 24, 23, 59, 59), sh(2026, 11, 25, 10));
    expect(r.ok).toBe(false);
    if (r.ok) throw new Error("expected refusal");
    expect(r.reason).toContain("2026-11-24");
    expect(r.reason).toContain("过期");
    expect(r.reason).toContain("新证");
  });

  it("refuses an original that expires at the very moment of processing", () => {
    const t = sh(2026, 11, 25, 10);
    expect(vendorSwapEnd(t, t).ok).toBe(false);
  });

  it("decides the rule by Shanghai dates when a UTC instant is already the next day in Shanghai", () => {
    // D = 2026-03-10T15:00Z is 10 March 23:00 in Shanghai; E = 2027-03-10T17:00Z is 11 March 01:00.
    // In Shanghai E is one day past D + 1 year: rule 2. By UTC dates both fall on 10 March and rule 1
    // would wrongly apply.
    const r = vendorSwapEnd(new Date("2027-03-10T17:00:00Z"), new Date("2026-03-10T15:00:00Z"));
    expect(r).toEqual({
      ok: true,
      end: new Date("2028-03-10T15:00:00Z"),
      rule: "two_years_from_processing",
    });
  });

  it("gives the same answer whatever the machine's time zone", () => {
    const args = [new Date("2028-02-28T16:30:00Z"), new Date("2027-09-01T02:00:00Z")] as const;
    process.env.TZ = "America/New_York";
    const newYork = vendorSwapEnd(...args);
    process.env.TZ = "Pacific/Kiritimati";
    const kiritimati = vendorSwapEnd(...args);
    expect(newYork).toEqual(kiritimati);
    expect(newYork).toEqual({
      ok: true,
      end: new Date("2029-02-27T16:30:00Z"),
      rule: "plus_one_year",
    });
  });

  it("rejects an invalid date as a programming error", () => {
    expect(() => vendorSwapEnd(new Date("nope"), sh(2026, 1, 1))).toThrow(RangeError);
  });
});

describe("renewalEnd (延期)", () => {
  it("adds the years bought to the old end when the certificate has not yet expired", () => {
    const r = renewalEnd(sh(2027, 1, 15, 23, 59, 59), sh(2026, 12, 1, 10), 2);
    expect(r).toEqual({ ok: true, end: sh(2029, 1, 15, 23, 59, 59), basis: "old_end" });
  });

  it("counts from the update date when the certificate has already expired", () => {
    const r = renewalEnd(sh(2026, 10, 1, 12), sh(2026, 11, 25, 10, 15), 1);
    expect(r).toEqual({ ok: true, end: sh(2027, 11, 25, 10, 15), basis: "update_date" });
  });

  it("turns an old end of 29 February into 28 February of a non-leap year", () => {
    const r = renewalEnd(sh(2028, 2, 29, 8), sh(2028, 1, 10, 8), 3);
    expect(r).toEqual({ ok: true, end: sh(2031, 2, 28, 8), basis: "old_end" });
  });

  it("still renews from the update date when expired exactly 365 days ago", () => {
    const r = renewalEnd(sh(2025, 11, 25, 23), sh(2026, 11, 25, 9), 1);
    expect(r).toEqual({ ok: true, end: sh(2027, 11, 25, 9), basis: "update_date" });
  });

  it("sends a certificate expired more than a year ago to review", () => {
    const r = renewalEnd(sh(2025, 11, 24, 23), sh(2026, 11, 25, 9), 1);
    expect(r.ok).toBe(false);
    if (r.ok) throw new Error("expected review");
    expect(r.needsReview).toBe(true);
    expect(r.reason).toContain("2025-11-24");
    expect(r.reason).toContain("审核");
  });

  it("honours an admin-set review threshold", () => {
    const old = sh(2026, 10, 1, 12);
    expect(renewalEnd(old, sh(2026, 10, 31, 9), 1, { reviewAfterExpiredDays: 30 }).ok).toBe(true);
    expect(renewalEnd(old, sh(2026, 11, 1, 9), 1, { reviewAfterExpiredDays: 30 })).toMatchObject({
      ok: false,
      needsReview: true,
    });
  });

  it("rejects zero, negative or fractional years bought as a programming error", () => {
    for (const years of [0, -1, 1.5]) {
      expect(() => renewalEnd(sh(2027, 1, 1), sh(2026, 12, 1), years)).toThrow(RangeError);
    }
  });
});

describe("renewalWindowOpen", () => {
  const notAfter = sh(2027, 3, 31, 23, 59, 59);
  // 90 days: the window the migration sets by default (DESIGN §4).

  it("opens 90 days before expiry, from Shanghai midnight of that day", () => {
    // 2026-12-31 is 90 calendar days before 2027-03-31.
    expect(renewalWindowOpen(notAfter, sh(2026, 12, 31, 0), 90)).toBe(true);
  });

  it("is closed 91 days before expiry, even one second before that midnight", () => {
    expect(renewalWindowOpen(notAfter, sh(2026, 12, 30, 23, 59, 59), 90)).toBe(false);
    expect(renewalWindowOpen(notAfter, sh(2026, 12, 30, 9), 90)).toBe(false);
  });

  it("stays open up to and after expiry", () => {
    expect(renewalWindowOpen(notAfter, sh(2027, 3, 31, 23, 59, 58), 90)).toBe(true);
    expect(renewalWindowOpen(notAfter, sh(2027, 6, 1), 90)).toBe(true);
  });

  it("counts days by Shanghai dates for a UTC instant that is already the next day in Shanghai", () => {
    // 2026-12-30T16:00Z is 31 December 00:00 in Shanghai: day 90, open.
    expect(renewalWindowOpen(notAfter, new Date("2026-12-30T16:00:00Z"), 90)).toBe(true);
    expect(renewalWindowOpen(notAfter, new Date("2026-12-30T15:59:59Z"), 90)).toBe(false);
  });

  it("honours an admin-set window", () => {
    expect(renewalWindowOpen(notAfter, sh(2027, 3, 1), 30)).toBe(true);
    expect(renewalWindowOpen(notAfter, sh(2027, 2, 28), 30)).toBe(false);
  });
});
