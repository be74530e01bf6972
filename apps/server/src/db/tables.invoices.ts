/** E-invoices and the email outbox (migration 0020). Same portability rules as tables.ts. */

export type InvoiceBuyerType = "company" | "person";
/** 普票 (增值税电子普通发票) or 专票 (增值税电子专用发票). */
export type InvoiceKind = "normal" | "special";

/** What the applicant asked for on one order; editable until the blue invoice is issued. */
export interface InvoiceRequestsTable {
  order_id: string;
  account_id: string;
  buyer_type: InvoiceBuyerType;
  title: string;
  /** The company's 统一社会信用代码 (checked); null for a person's 普票. */
  tax_no: string | null;
  email: string;
  kind: InvoiceKind;
  created_at: string;
  updated_at: string;
}

/**
 * pending: to send to the provider; submitted: the provider took it and issues asynchronously (Nuonuo);
 * issued: invoice number and PDF known; failed: the provider refused it (finance sees why, may retry).
 */
export type InvoiceStatus = "pending" | "submitted" | "issued" | "failed";

export interface InvoicesTable {
  id: string;
  order_id: string;
  /** blue: the invoice; red: its red-letter reversal (红冲) after a refund. */
  color: "blue" | "red";
  /** A red invoice's blue one. */
  original_id: string | null;
  status: InvoiceStatus;
  provider: string;
  provider_serial: string | null;
  invoice_code: string | null;
  invoice_no: string | null;
  amount_fen: number;
  buyer_type: InvoiceBuyerType;
  title: string;
  tax_no: string | null;
  email: string;
  kind: InvoiceKind;
  /** The PDF, base64. */
  pdf: string | null;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  last_error: string | null;
  /** The finance staff who issued it; null when automatic (the setting, or a refund's 红冲). */
  requested_by: string | null;
  created_at: string;
  issued_at: string | null;
}

export interface EmailOutboxTable {
  id: string;
  to_addr: string;
  subject: string;
  text: string;
  attachment_name: string | null;
  /** base64 */
  attachment: string | null;
  ref_type: string | null;
  ref_id: string | null;
  status: "pending" | "sending" | "sent" | "failed";
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  last_error: string | null;
  provider: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface InvoiceTables {
  invoice_requests: InvoiceRequestsTable;
  invoices: InvoicesTable;
  email_outbox: EmailOutboxTable;
}

export type Invoice = InvoicesTable;
export type InvoiceRequest = InvoiceRequestsTable;
