/** Shapes of the JSON the server answers (API contract of issue 3). */
import type { CalendarDay, DayStatusReason, WeeklyHours } from "@certhall/domain";

export type { CalendarDay, WeeklyHours };

export interface Account {
  id: string;
  phoneMasked: string;
  name: string | null;
  createdAt: string;
}

export type SmsPurpose = "register" | "reset_password" | "progress";

export interface ServiceWindow {
  id: string;
  code: string;
  city: string;
  name: string;
  address: string;
  phone: string;
  hours: WeeklyHours;
  hoursText: string;
  today: { open: boolean; reason: DayStatusReason; label: string };
  openNow: boolean;
  nextOpenDate: string | null;
}

export interface WindowsResponse {
  /** The server's clock (ISO instant). */
  now: string;
  today: string;
  /** Holidays and make-up workdays from today on. */
  calendar: CalendarDay[];
  windows: ServiceWindow[];
}

export interface SmsOutboxMessage {
  id: string | number;
  phone: string;
  text: string;
  createdAt: string;
  status: string;
}

export const STAFF_ROLES = ["reviewer", "finance", "operator", "admin", "auditor"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface Staff {
  id: string;
  username: string;
  name: string;
  role: StaffRole;
  mustChangePassword: boolean;
}

export interface StaffListItem {
  id: string;
  username: string;
  name: string;
  role: StaffRole;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface AdminWindow {
  id: string;
  code: string;
  city: string;
  name: string;
  address: string;
  phone: string;
  hours: WeeklyHours;
  hoursText?: string;
}

export type CalendarKind = CalendarDay["kind"];

/** Who did it. The server answers an object; a plain string is accepted too (older contract text). */
export interface AuditActor {
  type: "staff" | "applicant" | "system" | string;
  id: string | null;
  /** Staff: 姓名（用户名）; applicant: the masked mobile. */
  name: string | null;
  role: string | null;
  roleName: string | null;
}

export interface AuditChange {
  field: string;
  before: string;
  after: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: AuditActor;
  action: string;
  actionName: string | null;
  objectType: string | null;
  objectId: string | null;
  detail: Record<string, unknown>;
  changes: AuditChange[];
  ip: string | null;
  hash: string;
  prevHash: string;
}

/** The audit log's filters (GET /admin/audit and its export); dates are Asia/Shanghai days. */
export interface AuditFilter {
  group?: string;
  actorType?: string;
  actor?: string;
  object?: string;
  from?: string;
  to?: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  head: { seq: number; hash: string };
  /** altered entry, gap, history rewritten (anchor mismatch), tail cut, wrong key, bad anchor file */
  firstBad?: {
    seq: number;
    kind: "altered" | "missing" | "rewritten" | "cut" | "key" | "anchor";
    problem: string;
  };
  /** The signed checkpoint the chain was checked against; null before the first one. */
  anchor: { seq: number; at: string } | null;
}

export interface Health {
  status: string;
  db: "sqlite" | "postgres";
}
