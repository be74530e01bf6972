/**
 * Back-office endpoints around orders (issue 5): the review queue and decisions (reviewer), finance
 * booking (finance), the window workbench (operator) and the CA-type catalog (admin). The shapes follow
 * the zod schemas in apps/server/src/modules/{orders,payments,finance,workbench,catalog}.
 */
import { type CaTypePrices, formatFen, type OrderEvent, parseYuan } from "@certhall/domain";
import { api } from "./client";
import type { MaterialRejection } from "./materials";
import type { CaType, OrderSummary, SubjectKind, TimelineDone } from "./orders";

export type { CaType, SubjectKind, TimelineDone };

// ---- orders (modules/orders/order.schemas.ts) ----

export interface FeeLine {
  code: string;
  labelZh: string;
  amount: number;
}

/** The list row staff see is the same summary the applicant API returns (one server schema). */
export type StaffOrderSummary = OrderSummary;

export interface OrderItem {
  id: string;
  subject: {
    id: string;
    kind: string;
    name: string;
    identity: string;
    legalRep: string | null;
    address: string | null;
  };
  caType: { id: string; name: string };
  years: number;
  eseal: boolean;
  feeLines: FeeLine[];
  amountFen: number;
  certificateSerial: string | null;
  mediaSerial: string | null;
  /** The certificate the item acts on (our serial hex, or "vendor:<fingerprint>"); null for 新证. */
  targetSerial?: string | null;
  /** Per-business details (items.ts in @certhall/domain) plus what the window recorded (unlock, revoke). */
  details?: Record<string, unknown> | null;
}

export interface StaffOrderDetail extends StaffOrderSummary {
  handler: { name: string; idNumber: string; phone: string };
  remittanceCode: string;
  lastNote: string | null;
  delivery: {
    method: "mail" | "window" | null;
    windowId: string | null;
    appointmentDate: string | null;
    returnAddress: Record<string, string> | null;
    courier: string | null;
    trackingNo: string | null;
  };
  items: OrderItem[];
  timeline: {
    done: TimelineDone[];
    current: { state: string; label: string; next: string; nextActor: string | null };
    upcoming: { state: string; label: string; actor: string | null }[];
  };
  actions: OrderEvent[];
}

export function getStaffOrder(id: string) {
  return api.get<StaffOrderDetail>(`/admin/orders/${encodeURIComponent(id)}`);
}

export type ReviewAction = "start-review" | "approve" | "reject";

export function reviewOrder(
  id: string,
  action: ReviewAction,
  body: { version: number; note?: string; materials?: MaterialRejection[] },
) {
  return api.post<StaffOrderDetail>(`/admin/orders/${encodeURIComponent(id)}/${action}`, body);
}

// ---- finance booking (modules/finance, modules/payments) ----

export type PaymentMethod = "online" | "transfer" | "zero";

/** A row of the booking queue (modules/finance/finance.routes.ts zQueueRow). */
export interface StaffPayment {
  id: string;
  method: PaymentMethod;
  methodLabel: string;
  provider: string | null;
  status: string;
  statusLabel: string;
  amountFen: number;
  outTradeNo: string;
  providerTradeNo: string | null;
  /** Same-origin URL of the uploaded voucher (image or PDF), null when none was uploaded. */
  voucherUrl: string | null;
  paidAt: string | null;
  bookedAt: string | null;
  returnReason: string | null;
  order: {
    id: string;
    orderNo: string;
    business: string;
    state: string;
    /** Book/return move the order, so they carry its version (409 when it moved meanwhile). */
    version: number;
    totalFen: number;
    remittanceCode: string;
    handlerName: string;
  };
}

export function listPaymentsAwaitingBooking() {
  return api.get<{ payments: StaffPayment[]; hasMore: boolean }>("/admin/payments", {
    query: { status: "awaiting_booking", limit: 200 },
  });
}

/** Money received for online trades we no longer accept (order cancelled or edited), to be refunded. */
export function listPaymentsRefundDue() {
  return api.get<{ payments: StaffPayment[]; hasMore: boolean }>("/admin/payments", {
    query: { status: "refund_due", limit: 200 },
  });
}

export function bookPayment(id: string, version: number) {
  return api.post<unknown>(`/admin/payments/${encodeURIComponent(id)}/book`, { version });
}

export function returnPayment(id: string, version: number, note: string) {
  return api.post<unknown>(`/admin/payments/${encodeURIComponent(id)}/return`, { version, note });
}

/** Fetches a voucher to see what it is: images are shown inline, a PDF is opened in a new tab. */
export async function fetchVoucher(url: string): Promise<Blob> {
  const res = await fetch(url, { credentials: "same-origin" });
  if (!res.ok) throw new Error(res.status === 404 ? "凭证不存在" : `凭证加载失败（${res.status}）`);
  return res.blob();
}

// ---- window workbench (modules/workbench) ----

export interface MaterialRow {
  code: string;
  labelZh: string;
  received: boolean;
  receivedAt: string | null;
  receivedBy: string | null;
}

/** The materials of an order with the order's version (ticking bumps it, so `receive` sends the new one). */
export interface MaterialsState {
  orderId: string;
  orderNo: string;
  state: string;
  version: number;
  materials: MaterialRow[];
  complete: boolean;
  missing: string[];
}

export function findOrderForWorkbench(q: string) {
  return api.get<StaffOrderDetail>("/admin/workbench/find", { query: { q: q.trim() } });
}

export function getMaterials(orderId: string) {
  return api.get<MaterialsState>(`/admin/orders/${encodeURIComponent(orderId)}/materials`);
}

export function saveMaterials(orderId: string, version: number, received: string[]) {
  return api.post<MaterialsState>(`/admin/orders/${encodeURIComponent(orderId)}/materials`, {
    version,
    received,
  });
}

export function receiveMaterials(orderId: string, version: number) {
  return api.post<StaffOrderDetail>(`/admin/orders/${encodeURIComponent(orderId)}/receive`, { version });
}

export function recordMedia(orderId: string, itemId: string, mediaSerial: string) {
  return api.post<{ itemId: string; mediaSerial: string }>(
    `/admin/orders/${encodeURIComponent(orderId)}/items/${encodeURIComponent(itemId)}/media`,
    { mediaSerial },
  );
}

export interface IssuedCertificate {
  serialHex: string;
  subject: string;
  profile: string;
  notBefore: string;
  notAfter: string;
  certificatePem: string;
  chainPem: string;
}

export function issueItem(orderId: string, itemId: string, csrPem: string) {
  return api.post<{ certificate: IssuedCertificate; order: StaffOrderDetail }>(
    `/admin/orders/${encodeURIComponent(orderId)}/items/${encodeURIComponent(itemId)}/issue`,
    { csrPem },
  );
}

/** What issuing an item now would give (GET .../items/:itemId/validity). */
export interface SuccessorValidity {
  itemId: string;
  basis: "years" | "old_end" | "plus_one_year" | "two_years_from_processing";
  notAfter: string;
  oldSerial: string | null;
  oldNotAfter: string | null;
}

const itemPath = (orderId: string, itemId: string, rest: string) =>
  `/admin/orders/${encodeURIComponent(orderId)}/items/${encodeURIComponent(itemId)}/${rest}`;

export function getSuccessorValidity(orderId: string, itemId: string) {
  return api.get<SuccessorValidity>(itemPath(orderId, itemId, "validity"));
}

export interface Revocation {
  itemId: string;
  serialHex: string;
  reason: string;
  revokedAt: string;
}

/** 注销: revokes the item's certificate and its lineage with the applicant's reason. */
export function revokeItem(orderId: string, itemId: string) {
  return api.post<{ revocation: Revocation; order: StaffOrderDetail }>(
    itemPath(orderId, itemId, "revoke"),
    {},
  );
}

/** 发放解锁授权码: shown once here, also sent by SMS; a new code ends the previous one. */
export function createUnlockCode(orderId: string, itemId: string) {
  return api.post<{ code: string; expiresAt: string }>(itemPath(orderId, itemId, "unlock-code"), {});
}

export function markUnlockedAtWindow(orderId: string, itemId: string) {
  return api.post<{
    unlock: { itemId: string; mediaSerial: string; unlockedAt: string; unlockedVia: string };
    order: StaffOrderDetail;
  }>(itemPath(orderId, itemId, "unlocked-at-window"), {});
}

/** The SO PIN of the item's key, for unlocking it at the window (the server audits every look). */
export function getSoPin(orderId: string, itemId: string) {
  return api.get<{ mediaSerial: string; soPin: string }>(itemPath(orderId, itemId, "so-pin"));
}

export type HandOver = { how: "handover" } | { how: "mail"; courier: string; trackingNo: string };

export function completeOrder(orderId: string, version: number, how: HandOver) {
  return api.post<StaffOrderDetail>(`/admin/orders/${encodeURIComponent(orderId)}/complete`, {
    version,
    ...how,
  });
}

/** A media (USB key) serial as the server accepts it: 4–64 of [A-Za-z0-9-]. */
export const MEDIA_SERIAL = /^[A-Za-z0-9-]{4,64}$/;

// ---- CA-type catalog (modules/catalog/catalog.routes.ts) ----

export interface CaTypeFields {
  name: string;
  description: string;
  subjectKind: SubjectKind;
  profile: string;
  prices: CaTypePrices;
  demoPrices: boolean;
  active: boolean;
  sortOrder: number;
}

export async function listAllCaTypes() {
  return (await api.get<{ caTypes: CaType[] }>("/admin/catalog/ca-types")).caTypes;
}

export function createCaType(input: CaTypeFields & { code: string }) {
  return api.post<{ caType: CaType }>("/admin/catalog/ca-types", input);
}

export function updateCaType(id: string, input: CaTypeFields) {
  return api.put<{ caType: CaType }>(`/admin/catalog/ca-types/${encodeURIComponent(id)}`, input);
}

export const PRICE_KEYS = [
  "certFee",
  "mediaFee",
  "annualFee",
  "esealFee",
  "changeFee",
  "reissueFee",
  "replaceFee",
] as const satisfies readonly (keyof CaTypePrices)[];

export type YuanPrices = Record<keyof CaTypePrices, string>;

/** Fen → the yuan text the admin edits ("300.00"), without the currency sign or thousands separators. */
export function fenToYuanText(fen: number): string {
  return formatFen(fen).replace(/[¥,]/g, "");
}

export function pricesToYuan(p: CaTypePrices): YuanPrices {
  return Object.fromEntries(PRICE_KEYS.map((k) => [k, fenToYuanText(p[k])])) as YuanPrices;
}

/** Yuan texts → fen; the first field that is not an amount comes back as `bad` (for the form). */
export function pricesFromYuan(
  y: YuanPrices,
): { ok: true; prices: CaTypePrices } | { ok: false; bad: string } {
  const out: Partial<CaTypePrices> = {};
  for (const k of PRICE_KEYS) {
    const fen = parseYuan(String(y[k] ?? ""));
    if (fen === null) return { ok: false, bad: k };
    out[k] = fen;
  }
  return { ok: true, prices: out as CaTypePrices };
}

export interface CaProfile {
  id: string;
  name: string;
}

/** The packages/pki profiles a CA type of this subject kind may use (the server refuses any other). */
export async function listCaProfiles(kind: SubjectKind) {
  return (await api.get<{ profiles: CaProfile[] }>(`/admin/catalog/profiles?kind=${kind}`)).profiles;
}

/**
 * Select options for the profile field. A profile the type already uses but the server no longer
 * lists for its kind is kept (marked by its id only), so opening an old type does not blank its field.
 */
export function profileOptions(profiles: readonly CaProfile[], current?: string) {
  const options = profiles.map((p) => ({ value: p.id, label: `${p.name}（${p.id}）` }));
  if (current && !profiles.some((p) => p.id === current)) options.push({ value: current, label: current });
  return options;
}

/** Platform settings the admin edits (the renewal window; the public GET /settings reports it too). */
export interface PlatformSettings {
  renewalWindowDays: number;
  /** A 延期 keeps the certificate it renews valid until it expires (default false: revoked superseded). */
  renewalKeepsPredecessor: boolean;
}

export function getAdminSettings() {
  return api.get<PlatformSettings>("/admin/settings");
}

export function updateAdminSettings(input: PlatformSettings) {
  return api.put<PlatformSettings>("/admin/settings", input);
}
