import { useEffect } from "react";
import { useLocation } from "react-router";
import { useI18n } from "./i18n";
import type { MessageKey } from "./messages";

const TITLES: Record<string, MessageKey> = {
  "/register": "register.title",
  "/login": "login.title",
  "/reset-password": "reset.title",
  "/account": "account.title",
  "/windows": "windows.title",
  "/progress": "progress.title",
  "/dev/sms": "devSms.title",
  "/assistant": "assistant.title",
  "/admin": "admin.menu.dashboard",
  "/admin/login": "admin.login.title",
  "/admin/staff": "staff.title",
  "/admin/windows": "win.title",
  "/admin/audit": "audit.title",
  "/admin/password": "pw.title",
};

/** The browser tab says where one is (history, bookmarks, screen readers announce it on navigation). */
export function usePageTitle() {
  const { t } = useI18n();
  const { pathname } = useLocation();
  useEffect(() => {
    const key = TITLES[pathname.replace(/\/+$/, "") || "/"];
    const site = pathname.startsWith("/admin") ? `${t("app.admin")} · ${t("app.name")}` : t("app.name");
    document.title = key ? `${t(key)} · ${site}` : site;
  }, [pathname, t]);
}
