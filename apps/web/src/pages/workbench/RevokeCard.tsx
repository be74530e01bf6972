import { stepAllowed } from "@certhall/domain";
import { App, Button, Popconfirm, Space, Typography } from "antd";
import { useState } from "react";
import { type OrderItem, revokeItem } from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";
import { formatDateTime } from "../../lib/time";
import { ItemCard, PerItemCard, type StepProps } from "./ItemCardShell";
import { revokedAt } from "./workbench-rules";

/** 注销: per item, 「确认注销」 after a confirmation; the server refuses a second time, saying why. */
export function RevokeCard({ order, onDone, onError }: StepProps) {
  const { t } = useI18n();
  return (
    <PerItemCard
      order={order}
      title={t("wb.revokeSection")}
      renderItem={(item, index) => (
        <RevokeItem key={item.id} index={index} order={order} item={item} onDone={onDone} onError={onError} />
      )}
    />
  );
}

function RevokeItem({ index, order, item, onDone, onError }: StepProps & { index: number; item: OrderItem }) {
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
    <ItemCard index={index} item={item} done={at ? t("wb.revokedAt", { at: formatDateTime(at) }) : null}>
      <Space wrap align="center">
        <span>{t("wb.oldSerial")}：</span>
        <Typography.Text code copyable>
          {serial}
        </Typography.Text>
        {!at && stepAllowed(order, "revoke") ? (
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
    </ItemCard>
  );
}
