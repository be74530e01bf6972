import { type ComponentType, lazy } from "react";

/**
 * Route-level code splitting: every page group is its own chunk, fetched the first time one of its
 * pages opens, so the login page downloads the portal frame and the sign-in pages, not the back office,
 * the order forms or the chart library. The layouts hold the Suspense boundary (the spinner inside the
 * frame while a chunk arrives); a chunk that fails to load (a deployment replaced it) reaches the
 * route's RouteError, which offers a reload.
 */
// biome-ignore lint/suspicious/noExplicitAny: a page's props are whatever it declares.
function page<M extends Record<K, ComponentType<any>>, K extends keyof M & string>(
  load: () => Promise<M>,
  name: K,
): M[K] {
  return lazy(async () => ({ default: (await load())[name] })) as unknown as M[K];
}

// The page issue 14 holds to 300 KB of JavaScript (bench/web-weight.ts): alone in its chunk.
export const LoginPage = page(() => import("../pages/portal/LoginPage"), "LoginPage");

const auth = () => import("../pages/portal/auth-routes");
export const RegisterPage = page(auth, "RegisterPage");
export const ResetPasswordPage = page(auth, "ResetPasswordPage");

const portal = () => import("../pages/portal/routes");
export const HomePage = page(portal, "HomePage");
export const AccountPage = page(portal, "AccountPage");
export const WindowsPage = page(portal, "WindowsPage");
export const DevSmsPage = page(portal, "DevSmsPage");
export const VerifyPage = page(portal, "VerifyPage");

// The public progress query (订单号 + 手机号 + SMS code) and the 证书助手 self-check: chunks of their own.
export const ProgressPage = page(() => import("../pages/materials/ProgressPage"), "ProgressPage");
export const AssistantPage = page(() => import("../pages/assistant/AssistantPage"), "default");

const orders = () => import("../pages/orders/routes");
export const SubjectsPage = page(orders, "SubjectsPage");
export const ApplyChooserPage = page(orders, "ApplyChooserPage");
export const ApplyNewPage = page(orders, "ApplyNewPage");
export const OrdersPage = page(orders, "OrdersPage");
export const OrderDetailPage = page(orders, "OrderDetailPage");
export const EditOrderPage = page(orders, "EditOrderPage");
export const ReceiptPage = page(orders, "ReceiptPage");

const business = () => import("../pages/business/routes");
export const BusinessListPage = page(business, "BusinessListPage");
export const BusinessApplyPage = page(business, "BusinessApplyPage");

export const WalletPage = page(() => import("../pages/wallet/WalletPage"), "WalletPage");

// The staff sign-in is its own chunk: the back office loads after it.
export const AdminLoginPage = page(() => import("../pages/admin/AdminLoginPage"), "AdminLoginPage");

const admin = () => import("../pages/admin/routes");
export const AdminLayout = page(admin, "AdminLayout");
export const RequireRole = page(admin, "RequireRole");
export const AdminDashboardPage = page(admin, "AdminDashboardPage");
export const AdminPasswordPage = page(admin, "AdminPasswordPage");
export const StaffPage = page(admin, "StaffPage");
export const WindowsAdminPage = page(admin, "WindowsAdminPage");
export const AuditPage = page(admin, "AuditPage");
export const CatalogPage = page(admin, "CatalogPage");
export const NoticesAdminPage = page(admin, "NoticesAdminPage");

const review = () => import("../pages/review/routes");
export const ReviewQueuePage = page(review, "ReviewQueuePage");
export const ReviewDetailPage = page(review, "ReviewDetailPage");

export const WorkbenchPage = page(() => import("../pages/workbench/WorkbenchPage"), "WorkbenchPage");

const finance = () => import("../pages/finance/routes");
export const FinancePage = page(finance, "FinancePage");
export const StatementsPage = page(finance, "StatementsPage");

// 404 with antd Result's illustration: shown rarely, loaded when it is.
export const NotFound = page(() => import("./NotFound"), "NotFound");

// The chart library comes only with the reports page.
export const ReportsPage = page(() => import("../pages/reports/ReportsPage"), "ReportsPage");
