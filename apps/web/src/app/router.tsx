import { lazy, Suspense } from "react";
import { createBrowserRouter, RouterProvider } from "react-router";
import { PageLoading } from "../components/PageLoading";
import { AdminDashboardPage } from "../pages/admin/AdminDashboardPage";
import { AdminLoginPage } from "../pages/admin/AdminLoginPage";
import { AdminPasswordPage } from "../pages/admin/AdminPasswordPage";
import { AuditPage } from "../pages/admin/AuditPage";
import { CatalogPage } from "../pages/admin/CatalogPage";
import { StaffPage } from "../pages/admin/StaffPage";
import { WindowsAdminPage } from "../pages/admin/WindowsAdminPage";
import { BusinessApplyPage } from "../pages/business/BusinessApplyPage";
import { BusinessListPage } from "../pages/business/BusinessListPage";
import { FinancePage } from "../pages/finance/FinancePage";
import { StatementsPage } from "../pages/finance/StatementsPage";
import { NoticesAdminPage } from "../pages/notices/NoticesAdminPage";
import { ApplyChooserPage, ApplyNewPage } from "../pages/orders/ApplyPage";
import { EditOrderPage } from "../pages/orders/EditOrderPage";
import { OrderDetailPage } from "../pages/orders/OrderDetailPage";
import { OrdersPage } from "../pages/orders/OrdersPage";
import { ReceiptPage } from "../pages/orders/ReceiptPage";
import { AccountPage } from "../pages/portal/AccountPage";
import { DevSmsPage } from "../pages/portal/DevSmsPage";
import { HomePage } from "../pages/portal/HomePage";
import { LoginPage } from "../pages/portal/LoginPage";
import { RegisterPage } from "../pages/portal/RegisterPage";
import { ResetPasswordPage } from "../pages/portal/ResetPasswordPage";
import { WindowsPage } from "../pages/portal/WindowsPage";
import { ReviewDetailPage } from "../pages/review/ReviewDetailPage";
import { ReviewQueuePage } from "../pages/review/ReviewQueuePage";
import { SubjectsPage } from "../pages/subjects/SubjectsPage";
import { VerifyPage } from "../pages/verify/VerifyPage";
import { WalletPage } from "../pages/wallet/WalletPage";
import { WorkbenchPage } from "../pages/workbench/WorkbenchPage";
import { AdminLayout, RequireRole } from "./AdminLayout";
import { NotFound, RouteError } from "./NotFound";
import { PortalLayout } from "./PortalLayout";

// The reports page carries the chart library: it loads on first visit, not with the portal.
const ReportsPage = lazy(() => import("../pages/reports/ReportsPage"));

const router = createBrowserRouter([
  {
    path: "/",
    element: <PortalLayout />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <HomePage /> },
      { path: "register", element: <RegisterPage /> },
      { path: "login", element: <LoginPage /> },
      { path: "reset-password", element: <ResetPasswordPage /> },
      { path: "account", element: <AccountPage /> },
      { path: "windows", element: <WindowsPage /> },
      { path: "dev/sms", element: <DevSmsPage /> },
      { path: "subjects", element: <SubjectsPage /> },
      { path: "apply/new", element: <ApplyChooserPage /> },
      { path: "apply/new/company", element: <ApplyNewPage kind="company" /> },
      { path: "apply/new/person", element: <ApplyNewPage kind="person" /> },
      { path: "business", element: <BusinessListPage /> },
      { path: "business/:code", element: <BusinessApplyPage /> },
      { path: "orders", element: <OrdersPage /> },
      { path: "orders/:id", element: <OrderDetailPage /> },
      { path: "orders/:id/edit", element: <EditOrderPage /> },
      { path: "orders/:id/receipt", element: <ReceiptPage /> },
      { path: "certificates", element: <WalletPage /> },
      { path: "verify/:token", element: <VerifyPage /> },
      { path: "*", element: <NotFound /> },
    ],
  },
  { path: "/admin/login", element: <AdminLoginPage />, errorElement: <RouteError /> },
  {
    path: "/admin",
    element: <AdminLayout />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <AdminDashboardPage /> },
      {
        path: "staff",
        element: (
          <RequireRole roles={["admin"]}>
            <StaffPage />
          </RequireRole>
        ),
      },
      {
        path: "windows",
        element: (
          <RequireRole roles={["admin"]}>
            <WindowsAdminPage />
          </RequireRole>
        ),
      },
      {
        path: "notices",
        element: (
          <RequireRole roles={["admin"]}>
            <NoticesAdminPage />
          </RequireRole>
        ),
      },
      {
        path: "audit",
        element: (
          <RequireRole roles={["admin", "auditor"]}>
            <AuditPage />
          </RequireRole>
        ),
      },
      {
        path: "review",
        element: (
          <RequireRole roles={["reviewer"]}>
            <ReviewQueuePage />
          </RequireRole>
        ),
      },
      {
        path: "review/:id",
        element: (
          <RequireRole roles={["reviewer"]}>
            <ReviewDetailPage />
          </RequireRole>
        ),
      },
      {
        path: "workbench",
        element: (
          <RequireRole roles={["operator"]}>
            <WorkbenchPage />
          </RequireRole>
        ),
      },
      {
        path: "finance",
        element: (
          <RequireRole roles={["finance"]}>
            <FinancePage />
          </RequireRole>
        ),
      },
      {
        path: "statements",
        element: (
          <RequireRole roles={["finance"]}>
            <StatementsPage />
          </RequireRole>
        ),
      },
      {
        path: "reports",
        element: (
          <RequireRole roles={["admin", "auditor", "finance"]}>
            <Suspense fallback={<PageLoading />}>
              <ReportsPage />
            </Suspense>
          </RequireRole>
        ),
      },
      {
        path: "catalog",
        element: (
          <RequireRole roles={["admin"]}>
            <CatalogPage />
          </RequireRole>
        ),
      },
      { path: "password", element: <AdminPasswordPage /> },
      { path: "*", element: <NotFound /> },
    ],
  },
]);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
