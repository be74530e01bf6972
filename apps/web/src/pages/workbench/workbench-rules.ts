import type { StaffOrderDetail } from "../../api/staff-orders";

/** Two lists of codes hold the same set (the order of ticking does not matter). */
export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/**
 * What still stands between a processing order and 办结 (the server's complete rule, issue 5 item 10):
 * every item issued and its USB key serial recorded. Empty = ready.
 */
export function blockersToComplete(
  order: Pick<StaffOrderDetail, "items">,
): { itemId: string; issue: boolean; media: boolean }[] {
  return order.items
    .map((i) => ({ itemId: i.id, issue: !i.certificateSerial, media: !i.mediaSerial }))
    .filter((b) => b.issue || b.media);
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
