// Service periods (validity end dates) that the RA computes before the CA issues a certificate.
//
// DESIGN §4: the `vendor_swap` rule (其他厂商介质证书更换) and the `renew` rule (延期), both in calendar
// arithmetic on Asia/Shanghai wall time. Shanghai is UTC+8 with no DST since 1991, so the conversion is a
// fixed offset computed by arithmetic and never depends on the machine's TZ. A year added to Feb 29 lands
// on Feb 28 (the last day of February), and the time of day is kept. Pure: browser and server alike.

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

function assertInstant(name: string, d: Date): void {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) {
    throw new RangeError(`${name} must be a valid Date`);
  }
}

function assertWholeNumber(name: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${name} must be an integer ≥ ${min}`);
}

/**
 * `instant` plus `years` calendar years in Asia/Shanghai, keeping the Shanghai time of day.
 * Feb 29 plus a year that is not a leap year gives Feb 28 (clamped to the month's last day).
 */
export function addShanghaiYears(instant: Date, years: number): Date {
  assertInstant("instant", instant);
  if (!Number.isInteger(years)) throw new RangeError("years must be an integer");
  // Shift to Shanghai wall time and read it with the UTC getters, which ignore the machine's TZ.
  const wall = new Date(instant.getTime() + SHANGHAI_OFFSET_MS);
  const year = wall.getUTCFullYear() + years;
  const month = wall.getUTCMonth();
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(wall.getUTCDate(), lastDay);
  // setUTCFullYear keeps hours, minutes, seconds and milliseconds untouched.
  wall.setUTCFullYear(year, month, day);
  return new Date(wall.getTime() - SHANGHAI_OFFSET_MS);
}

/** Days since 1970-01-01 of the Asia/Shanghai calendar date of `instant`. */
function shanghaiDayNumber(instant: Date): number {
  return Math.floor((instant.getTime() + SHANGHAI_OFFSET_MS) / DAY_MS);
}

/** The Asia/Shanghai calendar date of `instant` as "YYYY-MM-DD", for Chinese messages. */
function shanghaiDateLabel(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

export type VendorSwapRule = "plus_one_year" | "two_years_from_processing";

export type VendorSwapResult = { ok: true; end: Date; rule: VendorSwapRule } | { ok: false; reason: string };

/**
 * New service end for 其他厂商介质证书更换 (`vendor_swap`), with E = the other vendor's certificate
 * notAfter and D = the processing date (办理日). Seed, 服务时间规则:
 *   "1、原介质证书有效结束时间小于一年的，服务时间在原有时间上加一年。" → E − D < 1 year: E + 1 year.
 *   "2、原介质证书有效结束时间大于一年的，服务时间为办理日加两年。"   → E − D > 1 year: D + 2 years.
 *
 * "1 year" is measured in Shanghai calendar days: E's Shanghai date is compared with the Shanghai date
 * of D + 1 calendar year. A person reads 有效结束时间 as a date, so the hour of E against the hour of D
 * does not decide the rule; without this, "exactly a year" would only ever happen to the millisecond.
 *
 * Exactly one year (E falls on the date of D + 1 year): the seed names neither case, so we apply rule 1
 * (plus_one_year, E + 1 year). On that date both rules give the same calendar day (E + 1 year =
 * D + 2 years), so the applicant loses nothing either way; rule 1 keeps E's time of day and so
 * continues the original certificate's service without a gap or overlap.
 *
 * An already expired original (E ≤ D) is refused: DESIGN §4 sends the applicant to 新证申请.
 */
export function vendorSwapEnd(originalNotAfter: Date, processingDate: Date): VendorSwapResult {
  assertInstant("originalNotAfter", originalNotAfter);
  assertInstant("processingDate", processingDate);
  if (originalNotAfter.getTime() <= processingDate.getTime()) {
    return {
      ok: false,
      reason: `原厂商证书已于 ${shanghaiDateLabel(originalNotAfter)} 过期，不能办理其他厂商介质证书更换，请改为申请新证（新证申请）。`,
    };
  }
  const e = shanghaiDayNumber(originalNotAfter);
  const oneYearAfterD = shanghaiDayNumber(addShanghaiYears(processingDate, 1));
  if (e <= oneYearAfterD) {
    return { ok: true, end: addShanghaiYears(originalNotAfter, 1), rule: "plus_one_year" };
  }
  return { ok: true, end: addShanghaiYears(processingDate, 2), rule: "two_years_from_processing" };
}

export type RenewalEndResult =
  | { ok: true; end: Date; basis: "old_end" | "update_date" }
  | { ok: false; needsReview: true; reason: string };

export interface RenewalEndOptions {
  /** Days after expiry beyond which a renewal goes to review instead (DESIGN §4: "more than a year"). */
  reviewAfterExpiredDays?: number;
}

/**
 * New end for 延期 (`renew`), DESIGN §4: not yet expired → old end + the years bought (the renewal
 * continues the paid period, nothing is lost by renewing early); expired → from the update date + the
 * years bought (no back-dated period); expired more than `reviewAfterExpiredDays` (default 365)
 * Shanghai calendar days → goes to review, no end date is computed here.
 */
export function renewalEnd(
  oldNotAfter: Date,
  updateDate: Date,
  yearsBought: number,
  opts: RenewalEndOptions = {},
): RenewalEndResult {
  assertInstant("oldNotAfter", oldNotAfter);
  assertInstant("updateDate", updateDate);
  assertWholeNumber("yearsBought", yearsBought, 1);
  const reviewAfter = opts.reviewAfterExpiredDays ?? 365;
  assertWholeNumber("reviewAfterExpiredDays", reviewAfter, 0);

  if (oldNotAfter.getTime() > updateDate.getTime()) {
    return { ok: true, end: addShanghaiYears(oldNotAfter, yearsBought), basis: "old_end" };
  }
  const daysExpired = shanghaiDayNumber(updateDate) - shanghaiDayNumber(oldNotAfter);
  if (daysExpired > reviewAfter) {
    return {
      ok: false,
      needsReview: true,
      reason: `证书已于 ${shanghaiDateLabel(oldNotAfter)} 过期，已超过 ${reviewAfter} 天（${daysExpired} 天），延期需经审核后办理。`,
    };
  }
  return { ok: true, end: addShanghaiYears(updateDate, yearsBought), basis: "update_date" };
}

/**
 * Whether 延期 may be applied for at `now` (DESIGN §4: from `windowDays` days before expiry, the
 * admin-set window; 90 by default).
 * Counted in Shanghai calendar days, so the window opens at Shanghai midnight of the day that is
 * `windowDays` days before the expiry date: the 90-day reminder SMS sent that morning links to a
 * renewal that is already open, whatever the certificate's hour of expiry. Expired certificates stay
 * renewable (renewalEnd decides whether they need review).
 */
export function renewalWindowOpen(notAfter: Date, now: Date, windowDays: number): boolean {
  assertInstant("notAfter", notAfter);
  assertInstant("now", now);
  assertWholeNumber("windowDays", windowDays, 0);
  return shanghaiDayNumber(notAfter) - shanghaiDayNumber(now) <= windowDays;
}

/**
 * Bounds of the admin-set renewal window (days before expiry 延期 opens). Its value is a platform
 * setting stored in the database (server modules/settings), read by the order rules and the wallet.
 */
export const RENEWAL_WINDOW_LIMITS = { min: 1, max: 365 } as const;
