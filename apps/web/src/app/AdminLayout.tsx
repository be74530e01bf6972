import {
  AccountBookOutlined,
  AuditOutlined,
  BarChartOutlined,
  DashboardOutlined,
  EnvironmentOutlined,
  FileSearchOutlined,
  KeyOutlined,
  LogoutOutlined,
  MenuOutlined,
  NotificationOutlined,
  ReconciliationOutlined,
  ScanOutlined,
  TagsOutlined,
  TeamOutlined,
} from "@ant-design/icons";
import { Button, Drawer, Grid, Layout, Menu, type MenuProps, Space, Tag } from "antd";
import { type ReactNode, Suspense, useState } from "react";
import { Link, Navigate, Outlet, useLocation, useNavigate } from "react-router";
import { adminLogout } from "../api/admin";
import type { Staff, StaffRole } from "../api/types";
import { LangSwitch } from "../components/LangSwitch";
import { LoadError, PageLoading } from "../components/PageLoading";
import { useI18n } from "./i18n";
import type { MessageKey } from "./messages";
import { Forbidden } from "./NotFound";
import { useAdminMe } from "./queries";
import { useApiError } from "./useApiError";
import { usePageTitle } from "./usePageTitle";

const { Sider, Header, Content } = Layout;

interface MenuEntry {
  path: string;
  label: MessageKey;
  icon: ReactNode;
  roles: readonly StaffRole[] | "all";
}

/** Who sees which menu entry; the server enforces the same rules, this only hides dead ends. */
export const ADMIN_MENU: readonly MenuEntry[] = [
  { path: "/admin", label: "admin.menu.dashboard", icon: <DashboardOutlined />, roles: "all" },
  { path: "/admin/staff", label: "admin.menu.staff", icon: <TeamOutlined />, roles: ["admin"] },
  { path: "/admin/windows", label: "admin.menu.windows", icon: <EnvironmentOutlined />, roles: ["admin"] },
  { path: "/admin/audit", label: "admin.menu.audit", icon: <AuditOutlined />, roles: ["admin", "auditor"] },
  { path: "/admin/review", label: "admin.menu.review", icon: <FileSearchOutlined />, roles: ["reviewer"] },
  { path: "/admin/workbench", label: "admin.menu.workbench", icon: <ScanOutlined />, roles: ["operator"] },
  { path: "/admin/finance", label: "admin.menu.finance", icon: <AccountBookOutlined />, roles: ["finance"] },
  {
    path: "/admin/statements",
    label: "admin.menu.statements",
    icon: <ReconciliationOutlined />,
    roles: ["finance"],
  },
  {
    path: "/admin/reports",
    label: "admin.menu.reports",
    icon: <BarChartOutlined />,
    roles: ["admin", "auditor", "finance"],
  },
  { path: "/admin/catalog", label: "admin.menu.catalog", icon: <TagsOutlined />, roles: ["admin"] },
  { path: "/admin/notices", label: "admin.menu.notices", icon: <NotificationOutlined />, roles: ["admin"] },
  { path: "/admin/password", label: "admin.menu.password", icon: <KeyOutlined />, roles: "all" },
];

export function menuFor(role: StaffRole): MenuEntry[] {
  return ADMIN_MENU.filter((m) => m.roles === "all" || m.roles.includes(role));
}

export const ROLE_COLORS: Record<StaffRole, string> = {
  reviewer: "blue",
  finance: "gold",
  operator: "cyan",
  admin: "red",
  auditor: "purple",
};

export function AdminLayout() {
  const { t } = useI18n();
  usePageTitle();
  const me = useAdminMe();
  const location = useLocation();

  if (me.isPending) return <PageLoading />;
  if (me.isError) return <LoadError error={me.error} onRetry={() => me.refetch()} />;
  const staff = me.data;
  if (!staff) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/admin/login?next=${next}`} replace />;
  }
  // Until the initial password is changed, the password page is the only page (seeded accounts and
  // accounts created by an admin start with a password someone else knows).
  if (staff.mustChangePassword && location.pathname !== "/admin/password") {
    return <Navigate to="/admin/password" replace />;
  }
  return <AdminShell staff={staff} title={t("app.admin")} />;
}

function AdminShell({ staff, title }: { staff: Staff; title: string }) {
  const { t } = useI18n();
  const screens = Grid.useBreakpoint();
  const wide = screens.lg ?? true;
  const [collapsed, setCollapsed] = useState(false);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const location = useLocation();
  const navigate = useNavigate();
  const onError = useApiError();

  const entries = staff.mustChangePassword
    ? menuFor(staff.role).filter((m) => m.path === "/admin/password")
    : menuFor(staff.role);
  const items: MenuProps["items"] = [
    ...entries.map((m) => ({ key: m.path, icon: m.icon, label: t(m.label) })),
    { key: "logout", icon: <LogoutOutlined />, label: t("admin.menu.logout") },
  ];
  const selected =
    entries
      .map((m) => m.path)
      .filter((p) => location.pathname === p || location.pathname.startsWith(`${p}/`))
      .sort((a, b) => b.length - a.length)[0] ?? "/admin";

  async function logout() {
    try {
      await adminLogout();
    } catch (err) {
      onError(err);
      return;
    }
    // A full page load: nothing the previous staff member saw (staff lists, audit pages) stays in memory
    // for whoever uses this browser next, and no route guard races the cleared session.
    window.location.replace("/admin/login");
  }

  const brand = (showTitle: boolean) => (
    <div
      style={{
        color: "#fff",
        height: 56,
        display: "flex",
        alignItems: "center",
        gap: 8,
        padding: "0 20px",
        fontWeight: 600,
        whiteSpace: "nowrap",
        overflow: "hidden",
      }}
    >
      <img src="/favicon.svg" alt="" width={24} height={24} />
      {showTitle ? <span>{title}</span> : null}
    </div>
  );
  const menu = (
    <Menu
      theme="dark"
      mode="inline"
      selectedKeys={[selected]}
      items={items}
      onClick={({ key }) => {
        setDrawerOpen(false);
        if (key === "logout") void logout();
        else navigate(key);
      }}
    />
  );

  return (
    <Layout style={{ minHeight: "100vh" }}>
      {wide ? (
        <Sider collapsible collapsed={collapsed} onCollapse={setCollapsed} width={208}>
          {brand(!collapsed)}
          {menu}
        </Sider>
      ) : (
        // On a phone the menu is a drawer opened from the header, so nothing floats over the content.
        <Drawer
          open={drawerOpen}
          onClose={() => setDrawerOpen(false)}
          placement="left"
          size={240}
          closable={false}
          styles={{ body: { padding: 0, background: "#001529" } }}
        >
          {brand(true)}
          {menu}
        </Drawer>
      )}
      <Layout>
        <Header
          style={{
            background: "#fff",
            padding: wide ? "0 24px" : "0 12px",
            display: "flex",
            alignItems: "center",
            justifyContent: "space-between",
            gap: 8,
            borderBottom: "1px solid #f0f0f0",
          }}
        >
          {wide ? (
            <span />
          ) : (
            <Button icon={<MenuOutlined />} onClick={() => setDrawerOpen(true)} aria-label={t("nav.menu")} />
          )}
          <Space size={8} align="center" wrap={false} style={{ overflow: "hidden", lineHeight: 1 }}>
            <span
              style={{
                fontWeight: 600,
                maxWidth: wide ? 240 : 96,
                overflow: "hidden",
                textOverflow: "ellipsis",
                whiteSpace: "nowrap",
                display: "inline-block",
                verticalAlign: "middle",
              }}
              title={staff.name}
            >
              {staff.name}
            </span>
            <Tag color={ROLE_COLORS[staff.role]}>{t(`role.${staff.role}`)}</Tag>
            <LangSwitch />
            {wide ? (
              <Link to="/">
                <Button type="link" size="small">
                  {t("admin.toPortal")}
                </Button>
              </Link>
            ) : null}
          </Space>
        </Header>
        <Content style={{ padding: wide ? 24 : 12 }}>
          <Suspense fallback={<PageLoading />}>
            <Outlet context={staff} />
          </Suspense>
        </Content>
      </Layout>
    </Layout>
  );
}

/** Wraps a back-office page that only some roles may open. */
export function RequireRole({ roles, children }: { roles: readonly StaffRole[]; children: ReactNode }) {
  const me = useAdminMe();
  if (!me.data) return null;
  if (!roles.includes(me.data.role)) return <Forbidden />;
  return <>{children}</>;
}
