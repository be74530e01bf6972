import { useQuery } from "@tanstack/react-query";
import { Card, Empty, List, Result, Space, Tag, Typography } from "antd";
import { getSmsOutbox } from "../../api/portal";
import { useI18n } from "../../app/i18n";
import { queryKeys } from "../../app/queries";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { formatDateTime } from "../../lib/time";

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
              <List
                dataSource={q.data}
                rowKey={(m) => String(m.id)}
                renderItem={(m) => (
                  <List.Item style={{ padding: "12px 16px" }}>
                    <List.Item.Meta
                      title={
                        <Space wrap size={8}>
                          <Typography.Text strong copyable>
                            {m.phone}
                          </Typography.Text>
                          <Typography.Text type="secondary">{formatDateTime(m.createdAt)}</Typography.Text>
                          <Tag color={STATUS_COLORS[m.status] ?? "default"}>{m.status}</Tag>
                        </Space>
                      }
                      description={<span className="sms-text">{m.text}</span>}
                    />
                  </List.Item>
                )}
              />
            )}
          </Card>
        </>
      )}
    </div>
  );
}
