import type { InvoiceBuyerType, InvoiceKind } from "../../db/tables.invoices";

/** One invoice as we ask a provider for it (amounts in fen, the red one positive: the provider negates). */
export interface InvoiceToIssue {
  /** Our invoice id: the provider's idempotency key where it has one. */
  id: string;
  /** Unique per invoice at the provider: the order number and B (blue) or R (red). */
  providerOrderNo: string;
  orderNo: string;
  color: "blue" | "red";
  buyer: { type: InvoiceBuyerType; title: string; taxNo: string | null; email: string };
  kind: InvoiceKind;
  amountFen: number;
  issuedAt: Date;
  /** Red: the blue invoice it reverses. */
  original?: { invoiceCode: string | null; invoiceNo: string; issuedAt: string | null };
}

/** The provider's answer: issued now (with the PDF), taken for asynchronous issuing, or refused. */
export type InvoiceOutcome =
  | { state: "issued"; invoiceCode: string | null; invoiceNo: string; pdf: Buffer }
  | { state: "submitted"; serial: string }
  | { state: "failed"; reason: string };

export interface InvoiceProvider {
  readonly name: "dev" | "nuonuo";
  issue(invoice: InvoiceToIssue): Promise<InvoiceOutcome>;
  /** Asks about a submitted invoice; "submitted" again means: still being issued, ask later. */
  query(serial: string, invoice: InvoiceToIssue): Promise<InvoiceOutcome>;
}

export const INVOICE_KIND_LABELS: Record<InvoiceKind, string> = {
  normal: "增值税电子普通发票",
  special: "增值税电子专用发票",
};

/** Fen → yuan text with two decimals, negative for a red invoice's amounts. */
export function yuanText(fen: number, negative = false): string {
  const s = `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
  return negative ? `-${s}` : s;
}
