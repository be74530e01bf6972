import type { Selectable } from "kysely";

/** Issue 6 item 9's table (expiry reminders sent). Same portability rules as tables.ts. */
export interface CertificateRemindersTable {
  serial_hex: string;
  /** The threshold this reminder stands for: 90, 30 or 7 days before notAfter. */
  threshold_days: number;
  account_id: string;
  phone: string;
  /** Asia/Shanghai calendar days left when the reminder was queued (what the SMS said). */
  days_left: number;
  /** The sms_outbox row queued with it. */
  sms_id: string;
  created_at: string;
}

export interface ReminderTables {
  certificate_reminders: CertificateRemindersTable;
}

export type CertificateReminder = Selectable<CertificateRemindersTable>;
