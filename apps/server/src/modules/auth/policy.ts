import type { StaffRole } from "../../db/tables";

/**
 * Who may do what, in one place (DESIGN §1). Routes name a permission; only this table maps
 * permissions to roles. Applicants never hold a staff permission: their sessions are another realm.
 */
export const PERMISSIONS = {
  "staff.manage": ["admin"],
  "windows.manage": ["admin"],
  "calendar.manage": ["admin"],
  "catalog.manage": ["admin"],
  "settings.manage": ["admin"],
  "audit.read": ["admin", "auditor"],
  "audit.verify": ["admin", "auditor"],
  "orders.read": ["reviewer", "finance", "operator", "admin", "auditor"],
  "orders.review": ["reviewer"],
  // 记账审核 (booking, returns, vouchers): finance only.
  "payments.book": ["finance"],
  "orders.process": ["operator"],
  // Uploaded materials (licences, ID cards): the reviewer deciding and the window checking originals.
  "materials.read": ["reviewer", "operator"],
  // 报表: figures and exports, no personal data in them.
  "reports.read": ["admin", "auditor", "finance"],
} as const satisfies Record<string, readonly StaffRole[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: StaffRole, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly StaffRole[]).includes(role);
}

export const STAFF_ROLES: readonly StaffRole[] = ["reviewer", "finance", "operator", "admin", "auditor"];

export const ROLE_LABELS: Record<StaffRole, string> = {
  reviewer: "审核员",
  finance: "财务",
  operator: "窗口受理员",
  admin: "管理员",
  auditor: "审计员",
};
