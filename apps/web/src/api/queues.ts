/**
 * The back office's work queues (apps/server/src/modules/queues): keyset pages oldest first, 领取下一单,
 * the window's appointments and mail, batch 材料已收齐, saved filters, and the applicant's waybill.
 */
import { api } from "./client";

export interface QueueRow {
  id: string;
  orderNo: string;
  business: string;
  businessName: string;
  state: string;
  stateLabel: string;
  version: number;
  totalFen: number;
  subjectName: string;
  subjectIdentity: string;
  otherSubjects: number;
  caTypes: string[];
  handlerName: string;
  handlerPhoneMasked: string;
  remittanceCode: string;
  delivery: string | null;
  windowId: string | null;
  appointmentDate: string | null;
  mail: { courier: string; waybill: string; receivedAt: string | null } | null;
  claimedBy: string | null;
  submittedAt: string;
  waitedMinutes: number;
}

export interface QueueAnswer {
  rows: QueueRow[];
  next: string | null;
}

export type QueueName = "review" | "appointments" | "mail";

/** The filters as the URL and the API carry them (all strings; empty ones are dropped). */
export const FILTER_KEYS = [
  "state",
  "business",
  "caType",
  "window",
  "date",
  "from",
  "to",
  "minFen",
  "maxFen",
  "q",
  "mail",
] as const;
export type QueueFilters = Partial<Record<(typeof FILTER_KEYS)[number], string>>;

export function filtersFrom(params: URLSearchParams): QueueFilters {
  const out: QueueFilters = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k)?.trim();
    if (v) out[k] = v.slice(0, 100);
  }
  return out;
}

export function filtersToQuery(f: QueueFilters): string {
  const p = new URLSearchParams();
  for (const k of FILTER_KEYS) if (f[k]) p.set(k, f[k]!);
  return p.toString();
}

export function listQueue(queue: QueueName, filters: QueueFilters, after: string | undefined, limit = 20) {
  return api.get<QueueAnswer>(`/admin/queues/${queue}`, { query: { ...filters, after, limit } });
}

export function claimNext() {
  return api.post<{ id: string; orderNo: string; version: number }>("/admin/queues/review/claim", {});
}

export function receiveMail(waybill: string) {
  return api.post<{ orderId: string; orderNo: string; alreadyReceived: boolean }>("/admin/mail/receive", {
    waybill: waybill.trim(),
  });
}

export function receiveBatch(orders: { id: string; version: number }[]) {
  return api.post<{ results: { id: string; orderNo: string | null; ok: boolean; error: string | null }[] }>(
    "/admin/queues/receive-batch",
    { orders },
  );
}

export interface SavedFilter {
  id: string;
  name: string;
  query: string;
}

export async function listSavedFilters(queue: QueueName) {
  return (await api.get<{ filters: SavedFilter[] }>(`/admin/saved-filters/${queue}`)).filters;
}

export function saveFilter(queue: QueueName, name: string, query: string) {
  return api.post<SavedFilter>(`/admin/saved-filters/${queue}`, { name, query });
}

export function deleteSavedFilter(queue: QueueName, id: string) {
  return api.delete<null>(`/admin/saved-filters/${queue}/${encodeURIComponent(id)}`);
}

export interface InboundMail {
  courier: string;
  waybill: string;
  declaredAt: string;
  receivedAt: string | null;
}

export async function getInboundMail(orderId: string) {
  return (await api.get<{ mail: InboundMail | null }>(`/orders/${encodeURIComponent(orderId)}/mail`)).mail;
}

export async function declareInboundMail(orderId: string, courier: string, waybill: string) {
  return (
    await api.put<{ mail: InboundMail }>(`/orders/${encodeURIComponent(orderId)}/mail`, {
      courier: courier.trim(),
      waybill: waybill.trim(),
    })
  ).mail;
}

/** "3 天 2 小时" / "45 分钟": how long an order has waited, as a person says it. */
export function formatWaited(minutes: number, en = false): string {
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (en) return d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : `${m} min`;
  return d > 0 ? `${d} 天 ${h} 小时` : h > 0 ? `${h} 小时 ${m} 分钟` : `${m} 分钟`;
}
