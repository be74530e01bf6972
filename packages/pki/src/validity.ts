// Validity of an end-entity certificate (DESIGN §9: nothing is issued with a notAfter in the past or
// beyond the profile; validity is exact). notBefore is backdated a little for relying parties whose
// clocks run behind, but the backdate comes out of the period, never on top of it: `years: 5` gives
// notAfter − notBefore = exactly 5 calendar years, and no period is longer than the profile's maximum.
import { PkiError } from "./errors";

/** Backdating absorbs relying parties' clock skew; clamped to the issuer's own notBefore. */
export const BACKDATE_MS = 5 * 60 * 1000;

/** Adds calendar years in UTC; Feb 29 + 1 year = Feb 28 (DESIGN §4). */
export function addYears(date: Date, years: number): Date {
  const d = new Date(date.getTime());
  const month = d.getUTCMonth();
  d.setUTCFullYear(d.getUTCFullYear() + years);
  if (d.getUTCMonth() !== month) d.setUTCDate(0);
  return d;
}

export const wholeSeconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);

export interface ValidityRequest {
  now: Date;
  /** The issuer's notBefore: a certificate never predates its issuer. */
  issuerNotBefore: Date;
  /** Calendar years of the period when no notAfter is given. */
  years: number;
  /** The profile's longest period, in calendar years. */
  maxYears: number;
  notBefore?: Date;
  notAfter?: Date;
}

const invalid = (message: string, field: "notBefore" | "notAfter") =>
  new PkiError("PKI_BAD_VALIDITY", message, [field]);

/** The exact validity of a new certificate; PKI_BAD_VALIDITY (details: the field) when it cannot be. */
export function resolveValidity(r: ValidityRequest): { notBefore: Date; notAfter: Date } {
  const now = r.now.getTime();
  if (r.notAfter && Number.isNaN(r.notAfter.getTime()))
    throw invalid("证书到期时间（notAfter）无效", "notAfter");
  if (r.notBefore && Number.isNaN(r.notBefore.getTime())) {
    throw invalid("证书生效时间（notBefore）无效", "notBefore");
  }
  const tooLong = () => invalid(`证书有效期（notAfter）超过证书模板允许的 ${r.maxYears} 年`, "notAfter");
  let notBefore: Date;
  if (r.notBefore) notBefore = r.notBefore;
  else {
    // With an explicit notAfter, backdate only as far as the profile's maximum period leaves room.
    const floor = r.notAfter ? addYears(r.notAfter, -r.maxYears).getTime() : -Infinity;
    if (floor > now) throw tooLong();
    notBefore = new Date(Math.max(now - BACKDATE_MS, r.issuerNotBefore.getTime(), floor));
  }
  notBefore = wholeSeconds(notBefore);
  const notAfter = wholeSeconds(r.notAfter ?? addYears(notBefore, r.years));
  if (notAfter.getTime() <= now) {
    throw invalid(
      `证书到期时间（notAfter）${notAfter.toISOString()} 不晚于当前时间，不能签发已过期的证书`,
      "notAfter",
    );
  }
  if (notBefore.getTime() >= notAfter.getTime()) {
    throw invalid("证书生效时间（notBefore）必须早于到期时间（notAfter）", "notBefore");
  }
  if (notAfter.getTime() > addYears(notBefore, r.maxYears).getTime()) throw tooLong();
  return { notBefore, notAfter };
}
