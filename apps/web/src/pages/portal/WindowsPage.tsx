import { ClockCircleOutlined, EnvironmentOutlined, PhoneOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Badge, Card, Col, Empty, Row, Space, Tag, Typography } from "antd";
import { getWindows } from "../../api/portal";
import type { ServiceWindow } from "../../api/types";
import { useI18n } from "../../app/i18n";
import { queryKeys } from "../../app/queries";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { formatCalendarDate } from "../../lib/time";

const { Title, Text, Paragraph } = Typography;

/** Today's state of a window, in the seed's words: 营业中 / 今日休息 (with why) / open today but not now. */
export function windowState(w: ServiceWindow): "open_now" | "open_today" | "closed_today" {
  if (!w.today.open) return "closed_today";
  return w.openNow ? "open_now" : "open_today";
}

function WindowCard({ w }: { w: ServiceWindow }) {
  const { t, lang } = useI18n();
  const state = windowState(w);
  const status =
    state === "open_now" ? (
      <Badge status="success" text={<Text strong>{t("windows.openNow")}</Text>} />
    ) : state === "open_today" ? (
      <Badge status="processing" color="gold" text={t("windows.openTodayClosedNow")} />
    ) : (
      <Badge status="default" text={<Text type="secondary">{t("windows.closedToday")}</Text>} />
    );
  // Label only when it tells something beyond open/closed: a holiday, a weekend, a make-up workday.
  const showLabel = w.today.reason !== "weekday" && w.today.label;
  const telHref = `tel:${w.phone.replace(/[^\d+]/g, "")}`;

  return (
    <Card title={`【${w.city}】`} extra={status} style={{ height: "100%" }}>
      <Space orientation="vertical" size={12} style={{ width: "100%" }}>
        <Text strong>{w.name}</Text>
        <Space wrap>
          {showLabel ? (
            <Tag
              color={
                w.today.reason === "holiday"
                  ? "red"
                  : w.today.reason === "makeup_workday"
                    ? "blue"
                    : "default"
              }
            >
              {w.today.label}
            </Tag>
          ) : null}
        </Space>
        {!w.today.open && w.nextOpenDate ? (
          <Text>{t("windows.nextOpen", { date: formatCalendarDate(w.nextOpenDate, lang) })}</Text>
        ) : null}
        <div>
          <Text type="secondary">
            <ClockCircleOutlined /> {t("windows.hours")}
          </Text>
          <Paragraph style={{ margin: 0 }}>{w.hoursText}</Paragraph>
        </div>
        <div>
          <Text type="secondary">
            <EnvironmentOutlined /> {t("windows.address")}
          </Text>
          <Paragraph style={{ margin: 0 }}>{w.address}</Paragraph>
        </div>
        <div>
          <Text type="secondary">
            <PhoneOutlined /> {t("windows.phone")}
          </Text>
          <Paragraph style={{ margin: 0 }}>
            <a href={telHref} aria-label={`${t("windows.call")} ${w.phone}`}>
              {w.phone}
            </a>
          </Paragraph>
        </div>
      </Space>
    </Card>
  );
}

export function WindowsPage() {
  const { t, lang } = useI18n();
  // Refresh every minute so 营业中 flips at 12:00 / 17:00 without a reload.
  const q = useQuery({ queryKey: queryKeys.windows, queryFn: getWindows, refetchInterval: 60_000 });

  return (
    <div className="page">
      <Title level={3} style={{ marginTop: 0 }}>
        {t("windows.title")}
      </Title>
      {q.isPending ? (
        <PageLoading />
      ) : q.isError ? (
        <LoadError error={q.error} onRetry={() => q.refetch()} />
      ) : (
        <>
          <Paragraph type="secondary">
            {t("windows.subtitle", { date: formatCalendarDate(q.data.today, lang) })}
          </Paragraph>
          {q.data.windows.length === 0 ? (
            <Empty description={t("windows.empty")} />
          ) : (
            <Row gutter={[16, 16]}>
              {q.data.windows.map((w) => (
                <Col key={w.id} xs={24} md={12} xl={8}>
                  <WindowCard w={w} />
                </Col>
              ))}
            </Row>
          )}
        </>
      )}
    </div>
  );
}
