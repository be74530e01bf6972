import { BUSINESS_TYPES } from "@certhall/domain";
import type { WalletCertificate } from "../../api/orders";

/**
 * 延期 may be applied for from 90 days before expiry (DESIGN §4, `renewalWindowOpen` in the domain
 * package), and the first reminder SMS goes out at 90 days: the wallet warns from the same day on.
 */
export const RENEWAL_WINDOW_DAYS = 90;

/** Within this many days a row is highlighted as urgent (the 30-day reminder). */
export const URGENT_DAYS = 30;

export type Urgency = "revoked" | "expired" | "urgent" | "soon" | "ok";

type Cert = Pick<WalletCertificate, "state" | "expiresInDays">;

/**
 * How close a certificate is to its end. The server's `state` decides revoked/expired (its clock, its
 * rule notAfter <= now); `expiresInDays` (whole days, floored) only grades the good ones.
 */
export function urgency(c: Cert): Urgency {
  if (c.state === "revoked") return "revoked";
  if (c.state === "expired") return "expired";
  if (c.expiresInDays <= URGENT_DAYS) return "urgent";
  if (c.expiresInDays <= RENEWAL_WINDOW_DAYS) return "soon";
  return "ok";
}

/** A good certificate inside the 90-day window: what the banner counts as 「即将到期」. */
export function expiringSoon(c: Cert): boolean {
  const u = urgency(c);
  return u === "urgent" || u === "soon";
}

/**
 * Whether a row offers 「去延期」: inside the window, or already expired (the domain's
 * `renewalWindowOpen` keeps expired certificates renewable). A revoked one cannot be renewed.
 */
export function renewable(c: Cert): boolean {
  return expiringSoon(c) || c.state === "expired";
}

export interface ExpirySummary {
  /** Good certificates ending within RENEWAL_WINDOW_DAYS. */
  expiringSoon: number;
  /** Certificates past their end (not revoked ones: those cannot be renewed). */
  expired: number;
  /** Days left on the one ending first among expiringSoon, or null when there is none. */
  soonestDays: number | null;
}

export function expirySummary(certs: readonly Cert[]): ExpirySummary {
  let soon = 0;
  let expired = 0;
  let soonestDays: number | null = null;
  for (const c of certs) {
    if (c.state === "expired") expired++;
    else if (expiringSoon(c)) {
      soon++;
      const days = Math.max(0, c.expiresInDays);
      soonestDays = soonestDays === null ? days : Math.min(soonestDays, days);
    }
  }
  return { expiringSoon: soon, expired, soonestDays };
}

/**
 * Where 「去延期」 leads: the 延期 page with this certificate preselected. While 延期 is not open
 * (BUSINESS_TYPES.renew.available) it points at the home page's 延期 card and the button is shown
 * disabled, so nothing pretends the business works.
 */
export function renewTarget(
  serialHex: string,
  available = BUSINESS_TYPES.renew.available,
): { to: string; enabled: boolean } {
  if (!available) return { to: "/#business-renew", enabled: false };
  return { to: `/business/renew?serial=${encodeURIComponent(serialHex)}`, enabled: true };
}

export type Remaining =
  | { kind: "left"; days: number }
  | { kind: "lessThanDay" }
  | { kind: "expired"; days: number }
  | { kind: "revoked" };

/**
 * The 「剩余天数」 cell. `expiresInDays` is floored by the server, so 0 on a good certificate means less
 * than a day, and an expired one is into its first day past the end at -1: it reads 「已过期 1 天」.
 */
export function remaining(c: Cert): Remaining {
  if (c.state === "revoked") return { kind: "revoked" };
  if (c.state === "expired") return { kind: "expired", days: Math.max(1, -c.expiresInDays) };
  if (c.expiresInDays < 1) return { kind: "lessThanDay" };
  return { kind: "left", days: c.expiresInDays };
}
