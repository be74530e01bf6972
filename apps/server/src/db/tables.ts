import type { Insertable, Selectable, Updateable } from "kysely";
import type { AuthTables } from "./tables.auth";
import type { InvoiceTables } from "./tables.invoices";
import type { LineageTables } from "./tables.lineage";
import type { MaterialTables } from "./tables.materials";
import type { OrderTables } from "./tables.orders";
import type { QueueTables } from "./tables.queues";
import type { ReminderTables } from "./tables.reminders";
import type { SettingsTables } from "./tables.settings";
import type { StatementTables } from "./tables.statements";

/**
 * Table types. Portable across SQLite and PostgreSQL on purpose: timestamps are ISO-8601 UTC
 * strings (`2026-11-25T10:00:00.000Z`, sortable as text), booleans are 0/1 integers, ids are UUID
 * text, JSON is text. Both drivers then hand back the same JavaScript values.
 */
export interface AccountsTable {
  id: string;
  phone: string;
  password_hash: string;
  name: string | null;
  created_at: string;
  updated_at: string;
}

export type StaffRole = "reviewer" | "finance" | "operator" | "admin" | "auditor";

export interface StaffTable {
  id: string;
  username: string;
  name: string;
  role: StaffRole;
  password_hash: string;
  disabled: number;
  must_change_password: number;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
  /** The member's own mobile and ID number: he may not act on an order they appear in (9e). */
  phone: string | null;
  id_number: string | null;
  /** Keyed hash of the browser (device cookie) the admin created the account in; it may not act there. */
  created_in_device: string | null;
}

export type SessionRealm = "applicant" | "staff";

export interface SessionsTable {
  /** sha256 of the cookie token: a leaked database does not yield usable cookies. */
  id: string;
  realm: SessionRealm;
  subject_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  ip: string | null;
  user_agent: string | null;
}

export type SmsPurpose = "register" | "reset_password" | "progress";

export interface SmsCodesTable {
  id: string;
  phone: string;
  purpose: SmsPurpose;
  code_hash: string;
  ip: string | null;
  attempts: number;
  created_at: string;
  expires_at: string;
  consumed_at: string | null;
}

export type SmsStatus = "pending" | "sending" | "sent" | "failed";

export interface SmsOutboxTable {
  id: string;
  phone: string;
  template: string;
  params: string;
  text: string;
  status: SmsStatus;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  last_error: string | null;
  provider: string | null;
  provider_message_id: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  actor_type: "applicant" | "staff" | "system";
  actor_id: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  detail: string;
  ip: string | null;
  prev_hash: string;
  hash: string;
  /** 1: plain SHA-256 (entries written before the chain was keyed); 2: HMAC-SHA-256 under AUDIT_KEY. */
  hash_version: number;
}

/** One row (id = 1): the newest entry of the chain, so deleting the tail is detected too. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface ServiceWindowsTable {
  id: string;
  code: string;
  city: string;
  name: string;
  address: string;
  phone: string;
  hours: string;
  sort_order: number;
  updated_at: string;
}

export interface CalendarDaysTable {
  date: string;
  kind: "holiday" | "workday";
  name: string;
  source: "chinese-days" | "admin";
  updated_at: string;
}

export interface PkiCasTable {
  id: string;
  slug: string;
  role: "root" | "issuing";
  algorithm: string;
  subject: string;
  serial_hex: string;
  cert_pem: string;
  /** base64 of the sealed PKCS#8 envelope; null when the key is not held here. */
  key_sealed: string | null;
  parent_id: string | null;
  not_before: string;
  not_after: string;
  active: number;
  imported: number;
  crl_number: number;
  created_at: string;
}

export interface PkiCertificatesTable {
  serial_hex: string;
  ca_id: string;
  subject: string;
  profile: string;
  key_name: string;
  subject_key_id: string;
  not_before: string;
  not_after: string;
  /** base64 DER */
  cert_der: string;
  status: "good" | "revoked";
  revoked_at: string | null;
  revocation_reason: string | null;
  invalidity_date: string | null;
  account_id: string | null;
  order_id: string | null;
  created_at: string;
  /** Hex SHA-256 of the certified SubjectPublicKeyInfo (modules/pki/key-policy.ts). */
  spki_sha256: string | null;
  /** Whom the key was certified for: the subject's serialNumber, else the subject name. */
  holder: string | null;
  /** Last revocation, release of a hold or change of reason. */
  status_changed_at: string | null;
}

/** Keys revoked for keyCompromise, refused for ever (issue 12 item 5). */
export interface PkiBlockedKeysTable {
  spki_sha256: string;
  serial_hex: string;
  reason: string;
  blocked_at: string;
}

export interface PkiCrlsTable {
  id: string;
  ca_id: string;
  crl_number: number;
  this_update: string;
  next_update: string;
  entries: number;
  der: string;
  created_at: string;
}

export interface PkiOcspResponsesTable {
  ca_id: string;
  serial_hex: string;
  hash_alg: "sha1" | "sha256";
  status: "good" | "revoked";
  der: string;
  this_update: string;
  next_update: string;
}

export interface Database
  extends AuthTables,
    InvoiceTables,
    LineageTables,
    MaterialTables,
    OrderTables,
    QueueTables,
    ReminderTables,
    SettingsTables,
    StatementTables {
  accounts: AccountsTable;
  staff: StaffTable;
  sessions: SessionsTable;
  sms_codes: SmsCodesTable;
  sms_outbox: SmsOutboxTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  service_windows: ServiceWindowsTable;
  calendar_days: CalendarDaysTable;
  pki_cas: PkiCasTable;
  pki_certificates: PkiCertificatesTable;
  pki_crls: PkiCrlsTable;
  pki_ocsp_responses: PkiOcspResponsesTable;
  pki_blocked_keys: PkiBlockedKeysTable;
}

export type Account = Selectable<AccountsTable>;
export type Staff = Selectable<StaffTable>;
export type NewStaff = Insertable<StaffTable>;
export type StaffUpdate = Updateable<StaffTable>;
export type ServiceWindow = Selectable<ServiceWindowsTable>;
export type AuditEntry = Selectable<AuditLogTable>;
