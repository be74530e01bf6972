import type { AuditEntry } from "../../api/types";
import { formatSerial } from "../../lib/serial";

/** UUIDs are cut to their first 8 characters (copy gives the whole); readable ids such as dates stay whole. */
export function shortId(id: string): string {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(id) ? id.slice(0, 8) : id;
}

/** The back-office page an object is looked at on (staff routes in app/router.tsx), if any. */
const OBJECT_PAGES: Record<string, (id: string) => string> = {
  order: (id) => `/admin/review/${encodeURIComponent(id)}`,
  staff: () => "/admin/staff",
  service_window: () => "/admin/windows",
  calendar_day: () => "/admin/windows",
  ca_type: () => "/admin/catalog",
  platform_settings: () => "/admin/catalog",
  setting: () => "/admin/catalog",
  notices: () => "/admin/notices",
  bank_statement: () => "/admin/statements",
  statement_line: () => "/admin/statements",
};

/**
 * What an entry acted on, as people name it: an order by its number, a certificate by its serial in
 * byte pairs, other objects by their (shortened) id; with the page to open it on where one exists.
 */
export function auditObject(e: Pick<AuditEntry, "objectType" | "objectId" | "detail">): {
  label: string;
  to: string | null;
} | null {
  if (!e.objectType) return null;
  const id = e.objectId ?? "";
  const orderNo = typeof e.detail.orderNo === "string" ? e.detail.orderNo : null;
  const label =
    e.objectType === "order" && orderNo
      ? orderNo
      : e.objectType === "certificate" && /^[0-9a-f]+$/i.test(id)
        ? formatSerial(id)
        : shortId(id);
  const page = OBJECT_PAGES[e.objectType];
  return { label, to: page && id ? page(id) : null };
}
