import { CheckCircleTwoTone } from "@ant-design/icons";
import { App, Button, Card, Popconfirm, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { type OrderItem, revokeItem, type StaffOrderDetail } from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";
import { formatDateTime } from "../../lib/time";
import { revokedAt } from "./workbench-rules";

interface StepProps {
  order: StaffOrderDetail;
  onDone: () => Promise<void>;
  onError: (err: unknown) => Promise<void>;
}

/** 注销: per item, 「确认注销」 after a confirmation; the server refuses a second time, saying why. */
export function RevokeCard({ order, onDone, onError }: StepProps) {
  const { t } = useI18n();
  if (order.state !== "processing" && order.state !== "completed") return null;
  return (
    <Card size="small" title={t("wb.revokeSection")}>
      <Space orientation="vertical" size={12} style={{ width: "100%" }}>
        {order.items.map((item, i) => (
          <RevokeItem
            key={item.id}
            index={i + 1}
            order={order}
            item={item}
            onDone={onDone}
            onError={onError}
          />
        ))}
      </Space>
    </Card>
  );
}

function RevokeItem({
  index,
  order,
  item,
  onDone,
  onError,
}: {
  index: number;
  order: StaffOrderDetail;
  item: OrderItem;
  onDone: () => Promise<void>;
  onError: (err: unknown) => Promise<void>;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const at = revokedAt(item);
  const serial = item.targetSerial ?? "";

  async function revoke() {
    setBusy(true);
    try {
      await revokeItem(order.id, item.id);
      message.success(t("wb.revokeDone"));
      await onDone();
    } catch (err) {
      await onError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card
      type="inner"
      size="small"
      title={
        <Space wrap size={4}>
          <span>#{index}</span>
          <span>{item.caType.name}</span>
          <Typography.Text type="secondary">{item.subject.name}</Typography.Text>
        </Space>
      }
      extra={
        at ? (
          <Tag icon={<CheckCircleTwoTone twoToneColor="#52c41a" />} color="success">
            {t("wb.revokedAt", { at: formatDateTime(at) })}
          </Tag>
        ) : null
      }
    >
      <Space wrap align="center">
        <span>{t("wb.oldSerial")}：</span>
        <Typography.Text code copyable>
          {serial}
        </Typography.Text>
        {!at && order.state === "processing" ? (
          <Popconfirm
            title={t("wb.revokeConfirm", { serial })}
            okText={t("wb.revokeButton")}
            okButtonProps={{ danger: true }}
            cancelText={t("common.cancel")}
            onConfirm={revoke}
          >
            <Button danger loading={busy}>
              {t("wb.revokeButton")}
            </Button>
          </Popconfirm>
        ) : null}
      </Space>
    </Card>
  );
}
