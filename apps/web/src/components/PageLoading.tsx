import { Button, Spin } from "antd";
import { errorDetail } from "../api/client";
import { useI18n } from "../app/i18n";
import { Notice } from "./Notice";

export function PageLoading() {
  const { t } = useI18n();
  return (
    <div style={{ display: "flex", justifyContent: "center", padding: 64 }}>
      <Spin description={t("common.loading")}>
        <div style={{ width: 120, height: 40 }} />
      </Spin>
    </div>
  );
}

/** A failed page load: the server's Chinese sentence and a retry button (never a blank page). */
export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  const detail = error ? errorDetail(error) : "";
  return (
    <Notice
      status="warning"
      title={t("common.loadFailed")}
      subTitle={detail}
      extra={onRetry ? <Button onClick={onRetry}>{t("common.retry")}</Button> : undefined}
    />
  );
}
