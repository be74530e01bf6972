import { MenuOutlined, UserOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Dropdown, Grid, Layout, Menu, type MenuProps, Space } from "antd";
import { Suspense } from "react";
import { Link, Outlet, useLocation, useNavigate } from "react-router";
import { getSmsOutbox } from "../api/portal";
import { LangSwitch } from "../components/LangSwitch";
import { PageLoading } from "../components/PageLoading";
import { useI18n } from "./i18n";
import { queryKeys, useMe } from "./queries";
import { usePageTitle } from "./usePageTitle";

const { Header, Content, Footer } = Layout;

export function PortalLayout() {
  const { t } = useI18n();
  const screens = Grid.useBreakpoint();
  const location = useLocation();
  const navigate = useNavigate();
  usePageTitle();
  const me = useMe();
  const account = me.data ?? null;
  const wide = screens.md ?? true;
  // The dev SMS outbox exists only when the server runs in development (404 otherwise); link to it
  // only then, so production shows no dead link.
  const outbox = useQuery({
    queryKey: queryKeys.smsOutbox,
    queryFn: getSmsOutbox,
    staleTime: Infinity,
    retry: false,
  });

  const nav: MenuProps["items"] = [
    { key: "/", label: <Link to="/">{t("nav.home")}</Link> },
    { key: "/business", label: <Link to="/business">{t("nav.business")}</Link> },
    { key: "/windows", label: <Link to="/windows">{t("nav.windows")}</Link> },
    // The applicant's own pages, once logged in.
    ...(account
      ? [
          { key: "/orders", label: <Link to="/orders">{t("nav.orders")}</Link> },
          { key: "/subjects", label: <Link to="/subjects">{t("nav.subjects")}</Link> },
          { key: "/certificates", label: <Link to="/certificates">{t("nav.certificates")}</Link> },
        ]
      : []),
  ];
  const selected = location.pathname === "/" ? "/" : `/${location.pathname.split("/")[1]}`;

  const accountItems: MenuProps["items"] = account
    ? [
        { key: "/orders", label: t("nav.orders") },
        { key: "/subjects", label: t("nav.subjects") },
        { key: "/certificates", label: t("nav.certificates") },
        { key: "/account", label: t("nav.account") },
      ]
    : [
        { key: "/login", label: t("nav.login") },
        { key: "/register", label: t("nav.register") },
      ];

  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Header
        style={{
          background: "#fff",
          borderBottom: "1px solid #f0f0f0",
          display: "flex",
          alignItems: "center",
          gap: 16,
          padding: wide ? "0 24px" : "0 12px",
          position: "sticky",
          top: 0,
          zIndex: 10,
        }}
      >
        <Link to="/" className="brand">
          <img src="/favicon.svg" alt="" />
          <span>{wide ? t("app.name") : t("app.shortName")}</span>
        </Link>
        {wide ? (
          <Menu
            mode="horizontal"
            selectedKeys={[selected]}
            items={nav}
            style={{ flex: 1, minWidth: 0, borderBottom: "none" }}
          />
        ) : (
          <div style={{ flex: 1 }} />
        )}
        <Space size={wide ? 8 : 4}>
          <LangSwitch />
          {wide ? (
            account ? (
              <Link to="/account">
                <Button icon={<UserOutlined />}>{account.name ?? account.phoneMasked}</Button>
              </Link>
            ) : (
              <>
                <Link to="/login">
                  <Button>{t("nav.login")}</Button>
                </Link>
                <Link to="/register">
                  <Button type="primary">{t("nav.register")}</Button>
                </Link>
              </>
            )
          ) : (
            <Dropdown
              trigger={["click"]}
              menu={{
                items: [
                  { key: "/", label: t("nav.home") },
                  { key: "/business", label: t("nav.business") },
                  { key: "/windows", label: t("nav.windows") },
                  { type: "divider" },
                  ...(accountItems ?? []),
                ],
                selectedKeys: [selected],
                onClick: ({ key }) => navigate(key),
              }}
            >
              <Button icon={<MenuOutlined />} aria-label={t("nav.menu")} />
            </Dropdown>
          )}
        </Space>
      </Header>
      <Content>
        {/* The pages are loaded on first visit (app/pages.tsx): the frame stays while one arrives. */}
        <Suspense fallback={<PageLoading />}>
          <Outlet />
        </Suspense>
      </Content>
      <Footer className="portal-footer">
        <Space separator="·" wrap style={{ justifyContent: "center" }}>
          <span>certhall</span>
          <Link to="/windows">{t("nav.windows")}</Link>
          <Link to="/admin">{t("app.admin")}</Link>
          {outbox.data ? <Link to="/dev/sms">{t("nav.devSms")}</Link> : null}
        </Space>
      </Footer>
    </Layout>
  );
}
