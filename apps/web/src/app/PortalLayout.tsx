import { UserOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Grid, Space } from "antd";
import { Suspense } from "react";
import { Link, Outlet } from "react-router";
import { getSmsOutbox } from "../api/portal";
import { LangSwitch } from "../components/LangSwitch";
import { PageLoading } from "../components/PageLoading";
import { useI18n } from "./i18n";
import { type NavEntry, PortalNav, PortalNavSheet } from "./PortalNav";
import { queryKeys, useMe } from "./queries";
import { usePageTitle } from "./usePageTitle";

export function PortalLayout() {
  const { t } = useI18n();
  const screens = Grid.useBreakpoint();
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

  const nav: NavEntry[] = [
    { path: "/", label: t("nav.home") },
    { path: "/business", label: t("nav.business") },
    { path: "/windows", label: t("nav.windows") },
    // The applicant's own pages, once logged in.
    ...(account
      ? [
          { path: "/orders", label: t("nav.orders") },
          { path: "/subjects", label: t("nav.subjects") },
          { path: "/certificates", label: t("nav.certificates") },
        ]
      : []),
  ];
  const accountItems: NavEntry[] = account
    ? [...nav.slice(3), { path: "/account", label: t("nav.account") }]
    : [
        { path: "/login", label: t("nav.login") },
        { path: "/register", label: t("nav.register") },
      ];

  return (
    // Plain header/main/footer (styled in portal-nav.css as antd's Layout draws them): the frame comes
    // with every first page, antd's Layout would bring its Sider along.
    <div className="portal-frame">
      <header className="portal-header" style={{ padding: wide ? "0 24px" : "0 12px" }}>
        <Link to="/" className="brand">
          <img src="/favicon.svg" alt="" />
          <span>{wide ? t("app.name") : t("app.shortName")}</span>
        </Link>
        {wide ? <PortalNav entries={nav} /> : <div style={{ flex: 1 }} />}
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
            <PortalNavSheet
              entries={[...nav.slice(0, 3), "divider", ...accountItems]}
              label={t("nav.menu")}
            />
          )}
        </Space>
      </header>
      <main>
        {/* The pages are loaded on first visit (app/pages.tsx): the frame stays while one arrives. */}
        <Suspense fallback={<PageLoading />}>
          <Outlet />
        </Suspense>
      </main>
      <footer className="portal-footer">
        <Space separator="·" wrap style={{ justifyContent: "center" }}>
          <span>certhall</span>
          <Link to="/windows">{t("nav.windows")}</Link>
          <Link to="/admin">{t("app.admin")}</Link>
          {outbox.data ? <Link to="/dev/sms">{t("nav.devSms")}</Link> : null}
        </Space>
      </footer>
    </div>
  );
}
