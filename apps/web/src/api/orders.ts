import type { BusinessCode, CaTypePrices, OrderEvent, OrderState } from "@certhall/domain";
import { API_BASE, ApiError, api, toProblem } from "./client";

/**
 * The applicant's side of 新证 (issue 5): subjects, handlers, catalog, orders, payment, receipt,
 * delivery, public verification and the certificate wallet. Shapes follow the server's zod schemas
 * (apps/server/src/modules/<module>/*.routes.ts), which are the contract.
 */

export type SubjectKind = "company" | "person";

export interface SubjectSummary {
  id: string;
  kind: SubjectKind;
  name: string;
  uscc: string | null;
  idNumberMasked: string | null;
  legalRep: string | null;
  archived: boolean;
  updatedAt: string;
}

export interface Subject {
  id: string;
  kind: SubjectKind;
  name: string;
  uscc: string | null;
  idNumber: string | null;
  legalRep: string | null;
  address: string | null;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
}

export type SubjectInput =
  | { kind: "company"; name: string; uscc: string; legalRep: string; address: string }
  | { kind: "person"; name: string; idNumber: string };

export interface HandlerSummary {
  id: string;
  name: string;
  idNumberMasked: string;
  phoneMasked: string;
  lastUsedAt: string;
}

export interface HandlerInput {
  name: string;
  idNumber: string;
  phone: string;
}

export interface CaType {
  id: string;
  code: string;
  name: string;
  description: string;
  subjectKind: SubjectKind;
  profile: string;
  profileName: string;
  prices: CaTypePrices;
  demoPrices: boolean;
  priceNotice: string | null;
  active: boolean;
  sortOrder: number;
  updatedAt: string;
}

export interface OrderItemInput {
  subjectId: string;
  caTypeId: string;
  years: number;
  eseal: boolean;
}

export interface OrderInput {
  business: BusinessCode;
  subjectKind: SubjectKind;
  handler: HandlerInput;
  items: OrderItemInput[];
}

export interface OrderSummary {
  id: string;
  orderNo: string;
  business: string;
  businessName: string;
  subjectKind: string;
  state: OrderState;
  stateLabel: string;
  version: number;
  totalFen: number;
  handlerName: string;
  handlerPhoneMasked: string;
  submittedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface FeeLineView {
  code: string;
  labelZh: string;
  amount: number;
}

export interface OrderDelivery {
  method: "mail" | "window" | null;
  windowId: string | null;
  appointmentDate: string | null;
  returnAddress: Record<string, string> | null;
  courier: string | null;
  trackingNo: string | null;
}

export interface OrderItemView {
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
  feeLines: FeeLineView[];
  amountFen: number;
  certificateSerial: string | null;
  mediaSerial: string | null;
  /** The certificate the item acts on (our serial hex, or "vendor:<fingerprint>"); null for 新证. */
  targetSerial?: string | null;
  /** Per-business details (items.ts in @certhall/domain); a vendor certificate's DER is not included. */
  details?: Record<string, unknown> | null;
  /** 解锁: when the window last sent this item an unlock code by SMS; null before it did. */
  unlockCodeSentAt?: string | null;
}

export interface TimelineDone {
  at: string;
  event: string;
  label: string;
  actor: string;
  note: string | null;
  state: string;
}

export interface OrderTimeline {
  done: TimelineDone[];
  current: { state: string; label: string; next: string; nextActor: string | null };
  upcoming: { state: string; label: string; actor: string | null }[];
}

export interface OrderDetail extends OrderSummary {
  handler: { name: string; idNumber: string; phone: string };
  remittanceCode: string;
  lastNote: string | null;
  delivery: OrderDelivery;
  items: OrderItemView[];
  timeline: OrderTimeline;
  actions: OrderEvent[];
  /** Goes to a reviewer although its business does not (a 延期 of a certificate expired over a year). */
  needsReview?: boolean;
  /** 【是否换证】/【是否注销】 ticked. */
  confirmed?: boolean;
}

// ---- subjects & handlers ----

export function listSubjects(query: { kind?: SubjectKind; q?: string; archived?: boolean } = {}) {
  return api.get<{ subjects: SubjectSummary[] }>("/subjects", {
    query: {
      kind: query.kind,
      q: query.q || undefined,
      archived: query.archived === undefined ? undefined : String(query.archived),
      limit: 500,
    },
  });
}

export function getSubject(id: string) {
  return api.get<{ subject: Subject }>(`/subjects/${encodeURIComponent(id)}`);
}

export function createSubject(input: SubjectInput) {
  return api.post<{ subject: Subject }>("/subjects", input);
}

export function updateSubject(id: string, input: SubjectInput) {
  return api.put<{ subject: Subject }>(`/subjects/${encodeURIComponent(id)}`, input);
}

export function archiveSubject(id: string) {
  return api.post<{ subject: Subject }>(`/subjects/${encodeURIComponent(id)}/archive`);
}

export function restoreSubject(id: string) {
  return api.post<{ subject: Subject }>(`/subjects/${encodeURIComponent(id)}/restore`);
}

export function listHandlers() {
  return api.get<{ handlers: HandlerSummary[] }>("/handlers");
}

export function getHandler(id: string) {
  return api.get<{ handler: HandlerInput & { id: string; lastUsedAt: string } }>(
    `/handlers/${encodeURIComponent(id)}`,
  );
}

export function listCaTypes(kind?: SubjectKind) {
  return api.get<{ caTypes: CaType[] }>("/catalog/ca-types", { query: { kind } });
}

// ---- orders ----

/** 「我的订单」: a keyset page (`after` is the previous answer's `next`). */
export function listOrders(query: {
  state?: readonly OrderState[];
  q?: string;
  after?: string;
  limit?: number;
}) {
  return api.get<{ orders: OrderSummary[]; hasMore: boolean; next: string | null }>("/orders", {
    query: {
      state: query.state && query.state.length > 0 ? query.state.join(",") : undefined,
      q: query.q || undefined,
      limit: query.limit ?? 20,
      after: query.after,
    },
  });
}

export function getOrder(id: string) {
  return api.get<OrderDetail>(`/orders/${encodeURIComponent(id)}`);
}

export function createOrder(
  input: (OrderInput | BusinessOrderInput) & { clientToken: string; submit: boolean },
) {
  return api.post<OrderDetail>("/orders", input);
}

export function updateOrder(id: string, input: (OrderInput | BusinessOrderInput) & { version: number }) {
  return api.put<OrderDetail>(`/orders/${encodeURIComponent(id)}`, input);
}

export function orderStep(id: string, event: "submit" | "cancel", body: { version: number; note?: string }) {
  return api.post<OrderDetail>(`/orders/${encodeURIComponent(id)}/${event}`, body);
}

// ---- payment (modules/payments/payment.routes.ts) ----

export interface PaymentInfo {
  bank: { accountName: string; bankName: string; accountNo: string; demo: boolean };
  remittanceHint: string;
  online: "sandbox" | "alipay" | "none";
  /** The online channels on offer: 支付宝 and/or 微信支付. */
  channels: PayChannel[];
  voucher: { maxBytes: number; types: string[] };
}

export function getPaymentInfo() {
  return api.get<PaymentInfo>("/payment-info");
}

export type PayChannel = "alipay" | "wechat";

export interface OnlineCheckout {
  paymentId: string;
  /** A cashier page to open, or (kind "qr", WeChat Native) the code_url to show as a QR code. */
  redirectUrl: string;
  kind: "redirect" | "qr";
  channel: PayChannel;
}

/**
 * POST /orders/:id/payments/online → the cashier (支付宝, or 微信支付 H5 on a phone) or a WeChat Native
 * QR code. The server starts or continues the one open payment of the order, so a double click pays once.
 */
export async function startOnlinePayment(
  id: string,
  how: { channel: PayChannel; scene?: "native" | "h5" } = { channel: "alipay" },
): Promise<OnlineCheckout> {
  const res = await api.post<OnlineCheckout>(`/orders/${encodeURIComponent(id)}/payments/online`, how);
  if (!res.redirectUrl) {
    throw new ApiError({ status: 502, code: "no_cashier_url", detail: "支付服务未返回收银台地址" });
  }
  return res;
}

/** The voucher rule the server enforces too (payments/voucher.ts): JPEG, PNG or PDF, at most 5 MB. */
export const VOUCHER_MAX_BYTES = 5 * 1024 * 1024;
export const VOUCHER_TYPES = ["image/jpeg", "image/png", "application/pdf"] as const;

export function checkVoucher(file: { size: number; type: string }): "too_big" | "bad_type" | null {
  if (file.size > VOUCHER_MAX_BYTES) return "too_big";
  if (!(VOUCHER_TYPES as readonly string[]).includes(file.type)) return "bad_type";
  return null;
}

/**
 * POST /orders/:id/payments/transfer as multipart/form-data (the JSON client cannot send files): the
 * order version and an optional `voucher`. CSRF as everywhere else: the double-submit cookie.
 */
export async function declareTransfer(id: string, input: { version: number; voucher?: File | null }) {
  const form = new FormData();
  form.set("version", String(input.version));
  if (input.voucher) form.set("voucher", input.voucher, input.voucher.name);
  return api.post<unknown>(`/orders/${encodeURIComponent(id)}/payments/transfer`, form);
}

// ---- receipt, delivery, verification (modules/receipts/receipt.schemas.ts) ----

export interface Receipt {
  title: string;
  issuer: string;
  orderId: string;
  orderNo: string;
  version: number;
  business: string;
  businessName: string;
  subjectKind: SubjectKind;
  subjectKindLabel: string;
  state: string;
  stateLabel: string;
  issuedAt: string;
  printedAt: string;
  subjects: {
    kind: SubjectKind;
    name: string;
    identity: string;
    identityLabel: string;
    legalRep: string | null;
    address: string | null;
  }[];
  items: {
    position: number;
    subjectName: string;
    caTypeName: string;
    years: number;
    eseal: boolean;
    feeLines: FeeLineView[];
    amountFen: number;
    /** The certificate the item acts on, and one line saying what it does (null for 新证). */
    targetSerial: string | null;
    what: string | null;
  }[];
  totalFen: number;
  payments: {
    method: string;
    methodLabel: string;
    status: string;
    statusLabel: string;
    amountFen: number;
    tradeNo: string;
    paidAt: string | null;
    bookedAt: string | null;
  }[];
  paidFen: number;
  handler: { name: string; idNumberMasked: string; phoneMasked: string };
  materials: { code: string; zh: string; en: string }[];
  windows: {
    id: string;
    code: string;
    city: string;
    name: string;
    address: string;
    phone: string;
    hoursText: string;
  }[];
  mailing: MailingAddress;
  delivery: {
    method: "mail" | "window" | null;
    window: { id: string; city: string; name: string } | null;
    appointmentDate: string | null;
    returnAddress: { name: string; phone: string; address: string } | null;
    courier: string | null;
    trackingNo: string | null;
    changeable: boolean;
  };
  verification: { token: string; url: string; qrDataUrl: string };
  notes: string[];
}

export interface MailingAddress {
  recipient: string;
  phone: string;
  address: string;
}

export function getReceipt(id: string) {
  return api.get<Receipt>(`/orders/${encodeURIComponent(id)}/receipt`);
}

export function receiptPdfUrl(id: string) {
  return `${API_BASE}/orders/${encodeURIComponent(id)}/receipt.pdf`;
}

export type DeliveryInput =
  | { method: "mail"; version: number; returnAddress: { name: string; phone: string; address: string } }
  | { method: "window"; version: number; windowId: string; date: string };

/** POST /orders/:id/delivery answers the updated receipt (changeable until the materials are received). */
export function chooseDelivery(id: string, input: DeliveryInput) {
  return api.post<Receipt>(`/orders/${encodeURIComponent(id)}/delivery`, input);
}

/** Public verification result: only what is safe to show (masked names, no ID numbers or phones). */
export interface Verification {
  valid: true;
  orderNo: string;
  businessName: string;
  state: string;
  stateLabel: string;
  issuedDate: string;
  subjects: string[];
  itemCount: number;
  issuer: string;
}

export function verifyToken(token: string) {
  return api.get<Verification>(`/verify/${encodeURIComponent(token)}`);
}

// ---- wallet (modules/certificates/certificate.routes.ts) ----

export interface WalletCertificate {
  serialHex: string;
  subject: { kind: string | null; name: string; identity: string | null };
  dn: string;
  caType: string | null;
  profile: string;
  orderNo: string | null;
  notBefore: string;
  notAfter: string;
  state: "good" | "revoked" | "expired";
  revokedAt: string | null;
  expiresInDays: number;
  /** 电子签章 on this certificate (when the server reports it). */
  eseal?: { enabled: boolean; sealName: string } | null;
  /** An open order acting on this certificate (certificate_holds), when the server reports it. */
  openOrder?: { orderNo: string; business: string } | null;
  /** The business that made it (新证, 延期…), null when issued outside an order. */
  business?: string | null;
  /** The lineage's earlier certificates, newest first (DESIGN §8): the wallet shows one row per lineage. */
  history?: WalletHistoryEntry[];
}

export interface WalletHistoryEntry {
  serialHex: string;
  business: string;
  orderNo: string | null;
  notBefore: string;
  notAfter: string;
  state: "good" | "revoked" | "expired";
  revokedAt: string | null;
  revocationReason: string | null;
}

export function listCertificates() {
  return api.get<{ certificates: WalletCertificate[] }>("/certificates");
}

/** PEM with the chain is one file of PEM blocks; DER with the chain is a certs-only PKCS#7 (.p7b). */
export function certificateDownloadUrl(serialHex: string, format: "pem" | "der", chain: boolean) {
  return `${API_BASE}/certificates/${encodeURIComponent(serialHex)}?format=${format}&chain=${chain}`;
}

// ---- the businesses that act on certificates (issue 6; modules/orders, renewal, eseal) ----

/** 【添加其他证书】: one of my certificates and whether this business may act on it now. */
export interface CandidateCertificate {
  serialHex: string;
  subjectDn: string;
  notBefore: string;
  notAfter: string;
  status: "good" | "revoked";
  subject: {
    id: string;
    kind: string;
    name: string;
    identity: string;
    legalRep: string | null;
    address: string | null;
  };
  caType: { id: string; name: string };
  mediaSerial: string | null;
  eligible: boolean;
  /** Why not, in Chinese (expired, held by another order, outside the renewal window, ...). */
  problem: string | null;
  heldBy: string | null;
}

export function listCandidates(business: BusinessCode, q?: string) {
  return api.get<{ certificates: CandidateCertificate[] }>("/orders/candidates", {
    query: { business, q: q?.trim() || undefined },
  });
}

/** One item of any business; each business reads only its own fields (order.service.ts). */
export interface BusinessItemInput {
  subjectId?: string;
  caTypeId?: string;
  years?: number;
  eseal?: boolean;
  certificateSerial?: string;
  /** base64 of the other vendor's certificate file. */
  vendorCertificate?: string;
  keepKey?: boolean;
  seal?: { name: string; kind: string; uploadId: string };
  changes?: { name?: string; legalRep?: string; address?: string };
  reason?: string;
  cause?: "lost" | "broken";
}

export interface BusinessOrderInput {
  business: BusinessCode;
  subjectKind: SubjectKind;
  handler: HandlerInput;
  items: BusinessItemInput[];
  confirmed?: boolean;
}

/** What the server read from another vendor's certificate, and the service end its rule gives today. */
export interface VendorPreview {
  subject: string;
  issuer: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  subjectFields: { cn?: string; o?: string; serialNumber?: string; uscc?: string };
  estimatedEnd: string;
  rule: "plus_one_year" | "two_years_from_processing";
}

export function previewVendorCertificate(certificateBase64: string) {
  return api.post<VendorPreview>("/orders/vendor-certificate", { certificate: certificateBase64 });
}

/** 支付（不扣款）: the zero-amount payment of 解锁 and 注销. */
export function payZero(id: string, version: number) {
  return api.post<{ id: string; status: string }>(`/orders/${encodeURIComponent(id)}/payments/zero`, {
    version,
  });
}

export interface OnlineUpdateResult {
  certificatePem: string;
  chainPem: string;
  serialHex: string;
  notAfter: string;
}

/** 证书在线更新 in the browser: the CSR of the kept or new key → the renewed certificate. */
export function onlineUpdate(orderId: string, itemId: string, csrPem: string) {
  return api.post<OnlineUpdateResult>(
    `/orders/${encodeURIComponent(orderId)}/items/${encodeURIComponent(itemId)}/online-update`,
    { csrPem },
  );
}

/** A one-time code for the USB Key client (`certhall token renew --code`); a new code voids the old. */
export function requestUpdateCode(orderId: string, itemId: string) {
  return api.post<{ code: string; expiresAt: string }>(
    `/orders/${encodeURIComponent(orderId)}/items/${encodeURIComponent(itemId)}/update-code`,
  );
}

export interface SealUpload {
  uploadId: string;
  width: number;
  height: number;
  sha256: string;
}

/** POST /uploads/seal (multipart field sealImage): the server checks PNG and transparent background. */
export async function uploadSealImage(file: File): Promise<SealUpload> {
  const form = new FormData();
  form.set("sealImage", file, file.name);
  return api.post<SealUpload>("/uploads/seal", form);
}

/** The e-seal package for a signing client. */
export interface EsealPackage {
  certificatePem: string;
  chainPem?: string;
  sealName: string;
  sealKind: string;
  imagePngBase64: string;
  enabledAt: string;
}

export function getEseal(serialHex: string) {
  return api.get<EsealPackage>(`/certificates/${encodeURIComponent(serialHex)}/eseal`);
}

export function esealPngUrl(serialHex: string) {
  return `${API_BASE}/certificates/${encodeURIComponent(serialHex)}/eseal.png`;
}

/** The certificate itself as PEM (no chain), e.g. to find its key in this browser's key store. */
export async function fetchCertificatePem(serialHex: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(certificateDownloadUrl(serialHex, "pem", false), { credentials: "same-origin" });
  } catch {
    throw new ApiError({ status: 0, code: "network_error", detail: "网络连接失败，请检查网络后重试" });
  }
  const text = await res.text();
  if (!res.ok) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    throw new ApiError(toProblem(res.status, body));
  }
  return text;
}
