import { useQuery } from "@tanstack/react-query";
import { Card, Empty, Result, Space, Tag, Typography } from "antd";
import { getSmsOutbox } from "../../api/portal";
import { useI18n } from "../../app/i18n";
import { queryKeys } from "../../app/queries";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { formatDateTime } from "../../lib/time";

/** The 6-digit code of a verification SMS, shown apart so a developer can copy it in one click. */
export function verificationCode(text: string): string | null {
  return /验证码\D{0,4}(\d{6})/.exec(text)?.[1] ?? null;
}

const STATUS_COLORS: Record<string, string> = {
  sent: "green",
  pending: "gold",
  failed: "red",
  queued: "gold",
};

export function DevSmsPage() {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: queryKeys.smsOutbox,
    queryFn: getSmsOutbox,
    // Only poll while the outbox exists; a 404 (not a dev server) answers null and stops the polling.
    refetchInterval: (query) => (query.state.data === null ? false : 3000),
    staleTime: 0,
    retry: false,
  });

  return (
    <div className="page" style={{ maxWidth: 880 }}>
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t("devSms.title")}
      </Typography.Title>
      {q.isPending ? (
        <PageLoading />
      ) : q.isError ? (
        <LoadError error={q.error} onRetry={() => q.refetch()} />
      ) : q.data === null ? (
        <Result status="info" title={t("devSms.disabled")} subTitle={t("devSms.disabledDetail")} />
      ) : (
        <>
          <Typography.Paragraph type="secondary">{t("devSms.subtitle")}</Typography.Paragraph>
          <Card styles={{ body: { padding: 0 } }}>
            {q.data.length === 0 ? (
              <Empty style={{ padding: 32 }} description={t("devSms.empty")} />
            ) : (
              // Plain markup: antd 6.6 deprecates List, and a list of messages needs nothing from it.
              <ul className="sms-list">
                {q.data.map((m) => (
                  <li key={String(m.id)}>
                    <Space wrap size={8}>
                      <Typography.Text strong copyable>
                        {m.phone}
                      </Typography.Text>
                      <Typography.Text type="secondary">{formatDateTime(m.createdAt)}</Typography.Text>
                      <Tag color={STATUS_COLORS[m.status] ?? "default"}>{m.status}</Tag>
                      {verificationCode(m.text) ? (
                        <Typography.Text code copyable>
                          {verificationCode(m.text)}
                        </Typography.Text>
                      ) : null}
                    </Space>
                    <div className="sms-text">{m.text}</div>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </>
      )}
    </div>
  );
}
