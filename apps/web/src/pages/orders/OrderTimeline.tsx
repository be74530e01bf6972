import { CheckCircleFilled, ClockCircleOutlined } from "@ant-design/icons";
import { Steps, Typography } from "antd";
import type { OrderTimeline as Timeline } from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { formatDateTime } from "../../lib/time";

const { Text } = Typography;

/**
 * The applicant's progress timeline, as the API computes it: what happened (time, who, note), where the
 * order is now with what comes next and who acts, and the steps still ahead (expectedPath).
 */
export function OrderTimeline({ timeline }: { timeline: Timeline }) {
  const { t } = useI18n();
  const { done, current, upcoming } = timeline;
  const items = [
    ...done.map((d) => ({
      status: "finish" as const,
      icon: <CheckCircleFilled />,
      title: d.label,
      content: (
        <div className="timeline-desc">
          <Text type="secondary">
            {formatDateTime(d.at)} · {d.actor}
          </Text>
          {d.note ? <div className="timeline-note">{d.note}</div> : null}
        </div>
      ),
    })),
    {
      status: "process" as const,
      icon: <ClockCircleOutlined />,
      title: (
        <Text strong>
          {t("timeline.now")}：{current.label}
        </Text>
      ),
      content: (
        <div className="timeline-desc">
          <div>{current.next}</div>
          {current.nextActor ? (
            <Text type="secondary">{t("timeline.whoActs", { actor: current.nextActor })}</Text>
          ) : null}
        </div>
      ),
    },
    ...upcoming.map((u) => ({
      status: "wait" as const,
      title: u.label,
      content: u.actor ? <Text type="secondary">{t("timeline.whoActs", { actor: u.actor })}</Text> : null,
    })),
  ];
  return <Steps orientation="vertical" size="small" current={done.length} items={items} />;
}
