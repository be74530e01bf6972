import type { WalletCertificate } from "../../api/orders";

// 延期 may be applied for from `windowDays` days before expiry: the admin-set renewal window (DESIGN
// §4), which the server's public GET /settings reports (renewalWindowDays). The wallet warns from the
// same day on.

/** Within this many days a row is highlighted as urgent (the 30-day reminder). */
export const URGENT_DAYS = 30;

export type Urgency = "revoked" | "expired" | "urgent" | "soon" | "ok";

type Cert = Pick<WalletCertificate, "state" | "expiresInDays">;

/**
 * How close a certificate is to its end. The server's `state` decides revoked/expired (its clock, its
 * rule notAfter <= now); `expiresInDays` (whole days, floored) only grades the good ones.
 */
export function urgency(c: Cert, windowDays: number): Urgency {
  if (c.state === "revoked") return "revoked";
  if (c.state === "expired") return "expired";
  // Outside the window nothing is due yet (a window shorter than URGENT_DAYS included).
  if (c.expiresInDays > windowDays) return "ok";
  return c.expiresInDays <= URGENT_DAYS ? "urgent" : "soon";
}

/** A good certificate inside the renewal window: what the banner counts as 「即将到期」. */
export function expiringSoon(c: Cert, windowDays: number): boolean {
  const u = urgency(c, windowDays);
  return u === "urgent" || u === "soon";
}

/**
 * Whether a row offers 「去延期」: inside the window, or already expired (the domain's
 * `renewalWindowOpen` keeps expired certificates renewable). A revoked one cannot be renewed.
 */
export function renewable(c: Cert, windowDays: number): boolean {
  return expiringSoon(c, windowDays) || c.state === "expired";
}

export interface ExpirySummary {
  /** Good certificates ending within the renewal window. */
  expiringSoon: number;
  /** Certificates past their end (not revoked ones: those cannot be renewed). */
  expired: number;
  /** Days left on the one ending first among expiringSoon, or null when there is none. */
  soonestDays: number | null;
}

export function expirySummary(certs: readonly Cert[], windowDays: number): ExpirySummary {
  let soon = 0;
  let expired = 0;
  let soonestDays: number | null = null;
  for (const c of certs) {
    if (c.state === "expired") expired++;
    else if (expiringSoon(c, windowDays)) {
      soon++;
      const days = Math.max(0, c.expiresInDays);
      soonestDays = soonestDays === null ? days : Math.min(soonestDays, days);
    }
  }
  return { expiringSoon: soon, expired, soonestDays };
}

/** Where 「去延期」 leads: the 延期 page with this certificate preselected. */
export function renewTarget(serialHex: string): string {
  return `/business/renew?serial=${encodeURIComponent(serialHex)}`;
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
