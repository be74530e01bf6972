import type { Generated, Selectable } from "kysely";

/** Issue 5's tables (subjects, catalog, orders, payments). Same portability rules as tables.ts. */
export interface SubjectsTable {
  id: string;
  account_id: string;
  kind: "company" | "person";
  name: string;
  identity_key: string;
  legal_rep: string | null;
  address: string | null;
  archived: number;
  created_at: string;
  updated_at: string;
}

export interface HandlersTable {
  id: string;
  account_id: string;
  name: string;
  id_number: string;
  phone: string;
  last_used_at: string;
}

export interface CaTypesTable {
  id: string;
  code: string;
  name: string;
  description: string;
  subject_kind: "company" | "person";
  profile: string;
  cert_fee: number;
  media_fee: number;
  annual_fee: number;
  eseal_fee: number;
  change_fee: number;
  reissue_fee: number;
  replace_fee: number;
  demo_prices: number;
  active: number;
  sort_order: number;
  updated_at: string;
}

export interface OrdersTable {
  id: string;
  order_no: string;
  account_id: string;
  business: string;
  subject_kind: "company" | "person";
  state: string;
  version: number;
  handler_name: string;
  handler_id_number: string;
  handler_phone: string;
  total_fen: number;
  remittance_code: string;
  delivery_method: "mail" | "window" | null;
  window_id: string | null;
  appointment_date: string | null;
  return_address: string | null;
  courier: string | null;
  tracking_no: string | null;
  last_note: string | null;
  reviewer_id: string | null;
  client_token: string | null;
  needs_review: Generated<number>;
  confirmed: Generated<number>;
  submitted_at: string | null;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface OrderItemsTable {
  id: string;
  order_id: string;
  position: number;
  subject_id: string;
  ca_type_id: string;
  years: number;
  eseal: number;
  fee_lines: string;
  amount_fen: number;
  /** The subject version the item was filed with (migration 0016); null only before it. */
  subject_version_id: string | null;
  target_serial: string | null;
  certificate_serial: string | null;
  media_serial: string | null;
  details: string | null;
}

export interface OrderEventsTable {
  id: string;
  order_id: string;
  version: number;
  at: string;
  actor_type: string;
  actor_id: string | null;
  event: string;
  from_state: string;
  to_state: string;
  note: string | null;
}

export interface PaymentsTable {
  id: string;
  order_id: string;
  method: "online" | "transfer" | "zero";
  provider: string | null;
  amount_fen: number;
  /** closed: an unpaid online trade closed because its order was cancelled or edited; refund_due: money
   * the provider reported for a trade we no longer accept (closed, order cancelled or changed), to give back. */
  status: "created" | "paid" | "declared" | "booked" | "returned" | "refunded" | "closed" | "refund_due";
  out_trade_no: string;
  provider_trade_no: string | null;
  voucher_upload_id: string | null;
  paid_at: string | null;
  booked_by: string | null;
  booked_at: string | null;
  return_reason: string | null;
  notify_payload: string | null;
  /** The bank-statement line a transfer was booked from (reconciliation), else null. */
  statement_line_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface UploadsTable {
  id: string;
  account_id: string;
  order_id: string | null;
  purpose: string;
  filename: string;
  mime: string;
  size: number;
  sha256: string;
  data: string;
  created_at: string;
}

export interface OrderMaterialsTable {
  order_id: string;
  code: string;
  received_by: string;
  received_at: string;
}

export interface CertificateHoldsTable {
  serial_hex: string;
  order_id: string;
  created_at: string;
  /** The lineage the order holds (unique: one open order per lineage); null for a vendor certificate. */
  lineage_id: string | null;
}

export interface ItemAuthorisationsTable {
  id: string;
  order_id: string;
  item_id: string;
  purpose: "online_update" | "unlock";
  code_hash: string;
  created_by: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  done_at: string | null;
  /** Uses of the live code that were refused (bad request, wrong key or token): too many void it. */
  refused_uses: Generated<number>;
}

export interface EsealsTable {
  id: string;
  certificate_serial: string;
  account_id: string;
  order_id: string;
  item_id: string;
  seal_name: string;
  seal_kind: string;
  image_upload_id: string;
  enabled_at: string;
  downloaded_at: string | null;
}

export interface OrderTables {
  subjects: SubjectsTable;
  handlers: HandlersTable;
  ca_types: CaTypesTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  order_events: OrderEventsTable;
  payments: PaymentsTable;
  uploads: UploadsTable;
  order_materials: OrderMaterialsTable;
  certificate_holds: CertificateHoldsTable;
  item_authorisations: ItemAuthorisationsTable;
  eseals: EsealsTable;
}

export type Subject = Selectable<SubjectsTable>;
export type CaType = Selectable<CaTypesTable>;
export type Order = Selectable<OrdersTable>;
export type OrderItem = Selectable<OrderItemsTable>;
export type Payment = Selectable<PaymentsTable>;
