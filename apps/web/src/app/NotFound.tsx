import { Button, Result } from "antd";
import { Link, useLocation } from "react-router";
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
