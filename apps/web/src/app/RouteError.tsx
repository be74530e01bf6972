import { Button } from "antd";
import { Link, useLocation, useRouteError } from "react-router";
import { Notice } from "../components/Notice";
import { useI18n } from "./i18n";

/**
 * Shown instead of React Router's developer page when a page throws while rendering: a Chinese
 * sentence and a way on (reload, or back to the start of the area). Also what a page chunk that failed
 * to load ends in (app/pages.tsx), so it is part of the frame, not loaded on demand.
 */
export function RouteError() {
  const { t } = useI18n();
  const error = useRouteError();
  const admin = useLocation().pathname.startsWith("/admin");
  if (error) console.error(error);
  return (
    <Notice
      status="error"
      title={t("common.pageError")}
      subTitle={t("common.pageErrorDetail")}
      extra={
        <>
          <Button type="primary" onClick={() => window.location.reload()}>
            {t("common.reload")}
          </Button>
          <Link to={admin ? "/admin" : "/"}>
            <Button>{admin ? t("admin.menu.dashboard") : t("common.backHome")}</Button>
          </Link>
        </>
      }
    />
  );
}
