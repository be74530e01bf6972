import { API_BASE, ApiError, api } from "./client";
import type {
  AdminWindow,
  AuditEntry,
  AuditFilter,
  AuditVerifyResult,
  CalendarDay,
  CalendarKind,
  Staff,
  StaffListItem,
  StaffRole,
  WeeklyHours,
} from "./types";

/** Back-office endpoints (certhall_staff_sid), all under /api/v1/admin. */

export function adminLogin(input: { username: string; password: string }) {
  return api.post<{ staff: Staff }>("/admin/auth/login", input);
}

export function adminLogout() {
  return api.post<void>("/admin/auth/logout");
}

/** The logged-in staff member, or null when the staff session is missing or expired. */
export async function getAdminMe(): Promise<Staff | null> {
  try {
    const { staff } = await api.get<{ staff: Staff }>("/admin/me");
    return staff;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export function changeAdminPassword(input: { currentPassword: string; newPassword: string }) {
  return api.post<void>("/admin/me/password", input);
}

export async function listStaff() {
  return (await api.get<{ staff: StaffListItem[] }>("/admin/staff")).staff;
}

export interface NewStaffInput {
  username: string;
  name: string;
  role: StaffRole;
  password: string;
  /** The person's own mobile and ID number (separation of duties). */
  phone?: string;
  idNumber?: string;
}

export function createStaff(input: NewStaffInput) {
  return api.post<{ staff: StaffListItem }>("/admin/staff", input);
}

export function setStaffDisabled(id: string, disabled: boolean) {
  return api.post<unknown>(`/admin/staff/${encodeURIComponent(id)}/${disabled ? "disable" : "enable"}`);
}

export async function listAdminWindows() {
  return (await api.get<{ windows: AdminWindow[] }>("/admin/windows")).windows;
}

export function updateAdminWindow(
  id: string,
  input: { city: string; name: string; address: string; phone: string; hours: WeeklyHours },
) {
  return api.put<{ window: AdminWindow }>(`/admin/windows/${encodeURIComponent(id)}`, input);
}

export async function listCalendar(year: number) {
  return (await api.get<{ days: CalendarDay[] }>("/admin/calendar", { query: { year } })).days;
}

export function putCalendarDay(date: string, input: { kind: CalendarKind; name: string }) {
  return api.put<{ day: CalendarDay }>(`/admin/calendar/${encodeURIComponent(date)}`, input);
}

export function deleteCalendarDay(date: string) {
  return api.delete<void>(`/admin/calendar/${encodeURIComponent(date)}`);
}

export async function listAudit(params: AuditFilter & { limit: number; before?: number }) {
  return (await api.get<{ entries: AuditEntry[] }>("/admin/audit", { query: { ...params } })).entries;
}

/** Same-origin download of the filtered log (the staff cookie goes along; a GET needs no CSRF token). */
export function auditExportUrl(filter: AuditFilter, format: "xlsx" | "csv"): string {
  const params = new URLSearchParams({ format });
  for (const [k, v] of Object.entries(filter)) if (v) params.set(k, v);
  return `${API_BASE}/admin/audit/export?${params}`;
}

export function verifyAudit() {
  return api.post<AuditVerifyResult>("/admin/audit/verify");
}
