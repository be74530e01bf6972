import {
  allowsStep,
  type BusinessCode,
  type ChangeDetails,
  isBusinessCode,
  type ReissueCause,
  type SubjectChanges,
  type VendorCertificateSummary,
} from "@certhall/domain";
import type { OrderItem, StaffOrderDetail } from "../../api/staff-orders";

/** What the window does with an order's items: issue a certificate, unlock the key, or revoke. */
export type WindowStep = "issue" | "unlock" | "revoke" | "none";

export function windowStep(business: string): WindowStep {
  if (!isBusinessCode(business)) return "none";
  return (["issue", "unlock", "revoke"] as const).find((step) => allowsStep(business, step)) ?? "none";
}

/** Two lists of codes hold the same set (the order of ticking does not matter). */
export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

export interface Blocker {
  itemId: string;
  /** Issuing businesses: no certificate yet / no USB key serial recorded. */
  issue: boolean;
  media: boolean;
  /** 解锁: the key is not unlocked yet. */
  unlock: boolean;
  /** 注销: the window has not revoked it (it may have been revoked elsewhere: the server knows). */
  revoke: boolean;
}

/**
 * What still stands between a processing order and 办结, by the business's rule (the server's complete
 * rule): issuing businesses need every item issued on a recorded key; 解锁 every key unlocked; 注销
 * every certificate revoked. Empty = ready.
 */
export function blockersToComplete(order: Pick<StaffOrderDetail, "business" | "items">): Blocker[] {
  const step = windowStep(order.business);
  return order.items
    .map((i) => ({
      itemId: i.id,
      issue: step === "issue" && !i.certificateSerial,
      media: step === "issue" && !i.mediaSerial,
      unlock: step === "unlock" && !unlockOf(i),
      revoke: step === "revoke" && !revokedAt(i),
    }))
    .filter((b) => b.issue || b.media || b.unlock || b.revoke);
}

/**
 * Whether the blockers disable 办结 in the browser. A 注销 item not revoked here may have been revoked
 * by another way (then the server completes the order), so those leave the decision to the server.
 */
export function completeDisabled(blockers: readonly Blocker[]): boolean {
  return blockers.some((b) => b.issue || b.media || b.unlock);
}

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** When and how the item's key was unlocked (details.unlockedAt / unlockedVia), or null. */
export function unlockOf(item: Pick<OrderItem, "details">): { at: string; via: "online" | "window" } | null {
  const at = str(item.details?.unlockedAt);
  if (!at) return null;
  return { at, via: item.details?.unlockedVia === "window" ? "window" : "online" };
}

/** When the window revoked the item's certificate (details.revokedAt), or null. */
export function revokedAt(item: Pick<OrderItem, "details">): string | null {
  return str(item.details?.revokedAt);
}

/** The facts the window checks before issuing a successor, read from the item's details. */
export interface ItemFacts {
  oldSerial: string | null;
  changes: { field: keyof SubjectChanges; value: string }[];
  reason: string | null;
  cause: ReissueCause | null;
  vendor: VendorCertificateSummary | null;
}

export function itemFacts(business: string, item: Pick<OrderItem, "targetSerial" | "details">): ItemFacts {
  const d = item.details ?? {};
  const target = item.targetSerial ?? null;
  const facts: ItemFacts = {
    oldSerial: target && !target.startsWith("vendor:") ? target : null,
    changes: [],
    reason: null,
    cause: null,
    vendor: null,
  };
  const code = (isBusinessCode(business) ? business : "new") as BusinessCode;
  if (code === "change") {
    const c = d as unknown as Partial<ChangeDetails>;
    for (const field of ["name", "legalRep", "address"] as const) {
      const value = str(c.changes?.[field]);
      if (value) facts.changes.push({ field, value });
    }
    facts.reason = str(c.reason);
  }
  if (code === "reissue" && (d.cause === "lost" || d.cause === "broken")) facts.cause = d.cause;
  if (code === "vendor_swap") {
    const v = d.vendor as Partial<VendorCertificateSummary> | undefined;
    if (v && str(v.serialHex) && str(v.notAfter)) facts.vendor = v as VendorCertificateSummary;
  }
  return facts;
}

export type HandOverInput = { how: "handover" } | { how: "mail"; courier?: string; trackingNo?: string };

/** The body of 办结; courier and tracking number only for mail, trimmed (the server requires both). */
export function completeBody(v: HandOverInput) {
  if (v.how === "handover") return { how: "handover" as const };
  return { how: "mail" as const, courier: (v.courier ?? "").trim(), trackingNo: (v.trackingNo ?? "").trim() };
}

/** A PEM certificate request (PKCS#10), also with the "NEW" label some tools still write. */
export function looksLikeCsr(text: string): boolean {
  return /-----BEGIN (NEW )?CERTIFICATE REQUEST-----[\s\S]+?-----END (NEW )?CERTIFICATE REQUEST-----/.test(
    text,
  );
}

/** A CSR is a few hundred bytes to a few KB; the server takes at most 64 KB. */
export const CSR_MAX_BYTES = 64 * 1024;
