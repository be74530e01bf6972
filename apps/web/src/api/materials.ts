// Materials online, forms and the public progress query (server: modules/materials, modules/progress).
import { API_BASE, api } from "./client";
import type { OrderTimeline } from "./orders";

export interface MaterialUpload {
  id: string;
  filename: string;
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  pages: number | null;
  uploadedAt: string;
  reviewStatus: "pending" | "accepted" | "rejected";
  reviewReason: string | null;
  reviewedBy: string | null;
  reviewedAt: string | null;
  originalResult: "match" | "mismatch" | null;
  originalNote: string | null;
  originalBy: string | null;
  originalAt: string | null;
}

export interface MaterialSlot {
  code: string;
  part: "" | "front" | "back";
  label: string;
  upload: MaterialUpload | null;
}

export interface OrderMaterials {
  orderId: string;
  state: string;
  uploadable: boolean;
  subjects: { subjectId: string; subjectName: string; materials: MaterialSlot[] }[];
}

export interface MaterialRejection {
  subjectId: string;
  code: string;
  part: string;
  reason: string;
}

/** The server's limits (material-file.ts), checked here first so a person hears at once. */
export const MATERIAL_MAX_BYTES = 10 * 1024 * 1024;
export const MATERIAL_ACCEPT = ".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf";

const enc = encodeURIComponent;
export const slotKey = (s: { subjectId: string; code: string; part: string }) =>
  `${s.subjectId}|${s.code}|${s.part}`;

export function getMyMaterials(orderId: string) {
  return api.get<OrderMaterials>(`/orders/${enc(orderId)}/material-files`);
}

export function uploadMaterial(
  orderId: string,
  slot: { subjectId: string; code: string; part: string },
  file: File,
) {
  const form = new FormData();
  form.set("subjectId", slot.subjectId);
  form.set("code", slot.code);
  form.set("part", slot.part);
  form.set("file", file, file.name);
  return api.post<OrderMaterials>(`/orders/${enc(orderId)}/material-files`, form);
}

export const myMaterialFileUrl = (orderId: string, uploadId: string) =>
  `${API_BASE}/orders/${enc(orderId)}/material-files/${enc(uploadId)}/file`;

export function getStaffMaterials(orderId: string) {
  return api.get<OrderMaterials>(`/admin/orders/${enc(orderId)}/material-files`);
}

export const staffMaterialFileUrl = (orderId: string, uploadId: string) =>
  `${API_BASE}/admin/orders/${enc(orderId)}/material-files/${enc(uploadId)}/file`;

export function checkOriginal(
  orderId: string,
  uploadId: string,
  result: "match" | "mismatch",
  note?: string,
) {
  return api.post<OrderMaterials>(`/admin/orders/${enc(orderId)}/material-files/${enc(uploadId)}/original`, {
    result,
    note,
  });
}

export type FormKind = "application" | "authorization" | "eseal";

export const orderFormUrl = (orderId: string, kind: FormKind) =>
  `${API_BASE}/orders/${enc(orderId)}/forms/${kind}`;
export const blankFormUrl = (
  kind: FormKind,
  business = "new",
  subjectKind: "company" | "person" = "company",
) => `${API_BASE}/forms/${kind}?business=${enc(business)}&subjectKind=${subjectKind}`;

// ---- progress without login ----

export interface PublicProgress {
  orderNo: string;
  businessName: string;
  state: string;
  stateLabel: string;
  subjects: string[];
  handlerName: string;
  handlerPhone: string;
  submittedAt: string | null;
  timeline: OrderTimeline;
}

export function requestProgressCode(orderNo: string, phone: string) {
  return api.post<{ retryAfterSeconds: number }>("/progress/sms-codes", { orderNo, phone });
}

export function queryProgress(orderNo: string, phone: string, code: string) {
  return api.post<PublicProgress>("/progress", { orderNo, phone, code });
}
