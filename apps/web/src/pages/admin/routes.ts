// The back office's frame and admin pages: one chunk, never loaded by the applicant portal (app/pages.tsx).
export { AdminLayout, RequireRole } from "../../app/AdminLayout";
export { NoticesAdminPage } from "../notices/NoticesAdminPage";
export { AdminDashboardPage } from "./AdminDashboardPage";
export { AdminPasswordPage } from "./AdminPasswordPage";
export { AuditPage } from "./AuditPage";
export { CatalogPage } from "./CatalogPage";
export { StaffPage } from "./StaffPage";
export { WindowsAdminPage } from "./WindowsAdminPage";
