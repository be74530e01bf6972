import { API_BASE, api } from "./client";

export interface InvoiceRow {
  id: string;
  color: "blue" | "red";
  status: "pending" | "submitted" | "issued" | "failed";
  statusLabel: string;
  kindLabel: string;
  invoiceCode: string | null;
  invoiceNo: string | null;
  amountFen: number;
  title: string;
  issuedAt: string | null;
  lastError: string | null;
  hasPdf: boolean;
}

export interface InvoiceRequest {
  buyerType: "company" | "person";
  title: string;
  taxNo: string | null;
  email: string;
  kind: "normal" | "special";
  kindLabel?: string;
  updatedAt?: string;
}

export interface OrderInvoice {
  enabled: boolean;
  request: InvoiceRequest | null;
  invoices: InvoiceRow[];
}

const orderPath = (id: string) => `/orders/${encodeURIComponent(id)}/invoice`;

export const getOrderInvoice = (orderId: string) => api.get<OrderInvoice>(orderPath(orderId));
export const saveOrderInvoice = (orderId: string, body: InvoiceRequest) =>
  api.put<OrderInvoice>(orderPath(orderId), body);
export const invoicePdfUrl = (id: string) => `${API_BASE}/invoices/${encodeURIComponent(id)}/pdf`;

// ---- finance ----

export interface FinanceInvoiceItem {
  orderId: string;
  orderNo: string;
  orderState: string;
  totalFen: number;
  paid: boolean;
  request: InvoiceRequest;
  invoices: InvoiceRow[];
}

export const listFinanceInvoices = (pending: boolean) =>
  api.get<{ items: FinanceInvoiceItem[] }>(`/admin/invoices${pending ? "?pending=true" : ""}`);
export const issueInvoice = (orderId: string) =>
  api.post<InvoiceRow>(`/admin/invoices/orders/${encodeURIComponent(orderId)}/issue`);
export const staffInvoicePdfUrl = (id: string) => `${API_BASE}/admin/invoices/${encodeURIComponent(id)}/pdf`;
export const getInvoiceSettings = () =>
  api.get<{ autoIssue: boolean; provider: string }>("/admin/invoice-settings");
export const setInvoiceAutoIssue = (autoIssue: boolean) =>
  api.put<{ autoIssue: boolean }>("/admin/invoice-settings", { autoIssue });
