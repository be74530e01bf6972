import { Button, Result } from "antd";
import { Link, useLocation, useRouteError } from "react-router";
import { useI18n } from "./i18n";

export function NotFound() {
  const { t } = useI18n();
  const admin = useLocation().pathname.startsWith("/admin");
  return (
    <Result
      status="404"
      title={t("common.notFound")}
      subTitle={t("common.notFoundDetail")}
      extra={
        <Link to={admin ? "/admin" : "/"}>
          <Button type="primary">{admin ? t("admin.menu.dashboard") : t("common.backHome")}</Button>
        </Link>
      }
    />
  );
}

export function Forbidden() {
  const { t } = useI18n();
  return <Result status="403" title={t("common.noPermission")} subTitle={t("common.noPermissionDetail")} />;
}

/**
 * Shown instead of React Router's developer page when a page throws while rendering: a Chinese
 * sentence and a way on (reload, or back to the start of the area).
 */
export function RouteError() {
  const { t } = useI18n();
  const error = useRouteError();
  const admin = useLocation().pathname.startsWith("/admin");
  if (error) console.error(error);
  return (
    <Result
      status="error"
      title={t("common.pageError")}
      subTitle={t("common.pageErrorDetail")}
      extra={[
        <Button key="reload" type="primary" onClick={() => window.location.reload()}>
          {t("common.reload")}
        </Button>,
        <Link key="home" to={admin ? "/admin" : "/"}>
          <Button>{admin ? t("admin.menu.dashboard") : t("common.backHome")}</Button>
        </Link>,
      ]}
    />
  );
}
