import { type ReactNode, Suspense } from "react";
import { createBrowserRouter, RouterProvider } from "react-router";
import { PageLoading } from "../components/PageLoading";
import { PortalLayout } from "./PortalLayout";
import {
  AccountPage,
  AdminDashboardPage,
  AdminLayout,
  AdminLoginPage,
  AdminPasswordPage,
  ApplyChooserPage,
  ApplyNewPage,
  AssistantPage,
  AuditPage,
  BusinessApplyPage,
  BusinessListPage,
  CatalogPage,
  DevSmsPage,
  EditOrderPage,
  FinancePage,
  HomePage,
  LoginPage,
  NotFound,
  NoticesAdminPage,
  OrderDetailPage,
  OrdersPage,
  ProgressPage,
  ReceiptPage,
  RegisterPage,
  ReportsPage,
  RequireRole,
  ResetPasswordPage,
  ReviewDetailPage,
  ReviewQueuePage,
  StaffPage,
  StatementsPage,
  SubjectsPage,
  VerifyPage,
  WalletPage,
  WindowsAdminPage,
  WindowsPage,
  WorkbenchPage,
} from "./pages";
import { RouteError } from "./RouteError";

/** The back office's frame is itself loaded on first visit: the spinner alone until it arrives. */
function Loading({ page }: { page: ReactNode }) {
  return <Suspense fallback={<PageLoading />}>{page}</Suspense>;
}

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
      { path: "progress", element: <ProgressPage /> },
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
      { path: "assistant", element: <AssistantPage /> },
      { path: "*", element: <NotFound /> },
    ],
  },
  { path: "/admin/login", element: <Loading page={<AdminLoginPage />} />, errorElement: <RouteError /> },
  {
    path: "/admin",
    element: <Loading page={<AdminLayout />} />,
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
          <RequireRole roles={["reviewer", "admin", "auditor"]}>
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
            <ReportsPage />
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
