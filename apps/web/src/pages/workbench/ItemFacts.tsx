import { useQuery } from "@tanstack/react-query";
import { Alert, Descriptions, type DescriptionsProps, Space, Typography } from "antd";
import { ApiError } from "../../api/client";
import { getSuccessorValidity, type OrderItem, type StaffOrderDetail } from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";
import type { MessageKey } from "../../app/messages";
import { formatDateTime } from "../../lib/time";
import { itemFacts } from "./workbench-rules";

/**
 * What the window checks before issuing a successor (变更, 补证, 换证, 其他厂商介质证书更换): the old
 * certificate, the changes, the cause, the other vendor's certificate, and the end date issuing now
 * would give (asked from the server, which applies the same rule when it issues).
 */
export function ItemFacts({ order, item }: { order: StaffOrderDetail; item: OrderItem }) {
  const { t } = useI18n();
  const facts = itemFacts(order.business, item);
  const pending = order.business !== "new" && order.state === "processing" && !item.certificateSerial;
  const validity = useQuery({
    queryKey: ["admin", "validity", order.id, item.id],
    queryFn: () => getSuccessorValidity(order.id, item.id),
    enabled: pending,
    retry: false,
  });
  const rows: NonNullable<DescriptionsProps["items"]> = [];
  if (facts.oldSerial) {
    rows.push({
      key: "old",
      label: t("wb.oldSerial"),
      children: (
        <Typography.Text code copyable>
          {facts.oldSerial}
        </Typography.Text>
      ),
    });
  }
  if (facts.changes.length > 0) {
    rows.push({
      key: "changes",
      label: t("wb.changes"),
      children: (
        <Space orientation="vertical" size={0}>
          {facts.changes.map((c) => (
            <span key={c.field}>
              {t(`wb.change.${c.field}` as MessageKey)}：<Typography.Text strong>{c.value}</Typography.Text>
            </span>
          ))}
        </Space>
      ),
    });
  }
  if (facts.reason) rows.push({ key: "reason", label: t("wb.changeReason"), children: facts.reason });
  if (facts.cause) {
    rows.push({ key: "cause", label: t("wb.cause"), children: t(`wb.cause.${facts.cause}` as MessageKey) });
  }
  if (facts.vendor) {
    const v = facts.vendor;
    rows.push({
      key: "vendor",
      label: t("wb.vendor"),
      children: (
        <Space orientation="vertical" size={0}>
          <span>{v.subject}</span>
          <Typography.Text type="secondary">
            {t("wb.vendorIssuer")}：{v.issuer}
          </Typography.Text>
          <Typography.Text type="secondary">
            {t("wb.vendorSerial")}：<Typography.Text code>{v.serialHex}</Typography.Text>
          </Typography.Text>
          <Typography.Text type="secondary">
            {t("wb.vendorEnd")}：{formatDateTime(v.notAfter)}
          </Typography.Text>
        </Space>
      ),
    });
  }
  if (pending && validity.data) {
    const v = validity.data;
    rows.push({
      key: "end",
      label: t("wb.newEnd"),
      children: (
        <span>
          <Typography.Text strong>{formatDateTime(v.notAfter)}</Typography.Text>
          <Typography.Text type="secondary">（{t(`wb.basis.${v.basis}` as MessageKey)}）</Typography.Text>
        </span>
      ),
    });
  }
  if (rows.length === 0 && !validity.error) return null;
  return (
    <Space orientation="vertical" size={8} style={{ width: "100%", marginBottom: 12 }}>
      {rows.length > 0 ? (
        <Descriptions size="small" column={1} bordered title={t("wb.facts")} items={rows} />
      ) : null}
      {pending && validity.error ? (
        <Alert
          type="warning"
          showIcon
          title={validity.error instanceof ApiError ? validity.error.detail : t("common.loadFailed")}
        />
      ) : null}
      {pending && facts.oldSerial ? (
        <Typography.Text type="warning">{t("wb.supersedes", { serial: facts.oldSerial })}</Typography.Text>
      ) : null}
    </Space>
  );
}
