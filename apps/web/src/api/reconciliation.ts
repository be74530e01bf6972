/**
 * 银行对账 (apps/server/src/modules/reconciliation/reconciliation.routes.ts): finance imports the bank's
 * statement, sees how each credit matched, confirms the exact matches in one step and decides the rest.
 */
import { api } from "./client";

export type StatementLineStatus =
  | "exact"
  | "amount_mismatch"
  | "duplicate"
  | "unknown"
  | "not_payable"
  | "already_imported"
  | "booked"
  | "resolved";

export interface StatementSummary {
  id: string;
  bank: string;
  bankName: string;
  filename: string;
  creditCount: number;
  importedAt: string;
}

export interface StatementLine {
  id: string;
  lineNo: number;
  date: string;
  amountFen: number;
  payerName: string;
  payerAccountTail: string;
  remark: string;
  reference: string;
  status: StatementLineStatus;
  statusLabel: string;
  note: string | null;
  order: { id: string; orderNo: string; totalFen: number; state: string } | null;
  paymentId: string | null;
}

export interface StatementDetail {
  statement: StatementSummary;
  counts: Partial<Record<StatementLineStatus, number>>;
  lines: StatementLine[];
}

export const listStatementFormats = () =>
  api.get<{ formats: { code: string; name: string }[] }>("/admin/statement-formats");

export const listStatements = (before?: string) =>
  api.get<{ statements: StatementSummary[]; hasMore: boolean }>("/admin/statements", {
    query: { limit: 20, before },
  });

export const getStatement = (id: string) =>
  api.get<StatementDetail>(`/admin/statements/${encodeURIComponent(id)}`);

/** POST /admin/statements as multipart: the bank's format code and the file (CSV or XLSX). */
export function importStatement(bank: string, file: File) {
  const form = new FormData();
  form.set("bank", bank);
  form.set("file", file, file.name);
  return api.post<{ id: string }>("/admin/statements", form);
}

export const bookStatement = (id: string) =>
  api.post<{ booked: number; moved: number; ownSkipped: number }>(
    `/admin/statements/${encodeURIComponent(id)}/book`,
    {},
  );

export const resolveStatementLine = (id: string, note: string) =>
  api.post<void>(`/admin/statement-lines/${encodeURIComponent(id)}/resolve`, { note });
