/** Bank-statement reconciliation (migration 0014). Same portability rules as tables.ts. */
export interface BankStatementsTable {
  id: string;
  /** The format code of modules/reconciliation/statement.formats.ts. */
  bank: string;
  filename: string;
  sha256: string;
  credit_count: number;
  imported_by: string;
  imported_at: string;
}

/**
 * How a credit stands: matched exactly and waiting for finance's confirmation, booked, or one a person
 * decides (a wrong amount, money for an order already settled or paid twice, no order found, an order
 * that cannot take a transfer now), or a repeat of a line imported before.
 */
export type StatementLineStatus =
  | "exact"
  | "amount_mismatch"
  | "duplicate"
  | "unknown"
  | "not_payable"
  | "already_imported"
  | "booked"
  | "resolved";

export interface StatementLinesTable {
  id: string;
  statement_id: string;
  line_no: number;
  tx_date: string;
  amount_fen: number;
  payer_name: string;
  payer_account: string;
  remark: string;
  reference: string;
  /** Unique; null on an already_imported repeat. */
  fingerprint: string | null;
  status: StatementLineStatus;
  order_id: string | null;
  payment_id: string | null;
  note: string | null;
  decided_by: string | null;
  decided_at: string | null;
}

export interface StatementTables {
  bank_statements: BankStatementsTable;
  statement_lines: StatementLinesTable;
}
