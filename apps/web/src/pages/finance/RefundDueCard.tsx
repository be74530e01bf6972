import { formatFen } from "@certhall/domain";
import { useQuery } from "@tanstack/react-query";
import { Alert, Card, Table, Typography } from "antd";
import { listPaymentsRefundDue, type StaffPayment } from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";
import { formatDateTime } from "../../lib/time";

/**
 * 待退款: online payments the provider reported after their trade was closed (the order cancelled or
 * edited). The platform did not accept them; finance refunds each payer. Shown only when there is one.
 */
export function RefundDueCard() {
  const { t } = useI18n();
  const q = useQuery({ queryKey: ["admin", "payments", "refund_due"], queryFn: listPaymentsRefundDue });
  const rows = q.data?.payments ?? [];
  if (rows.length === 0) return null;
  return (
    <Card title={t("finance.refundDue.title", { n: rows.length })} style={{ marginTop: 16 }}>
      <Alert type="warning" showIcon title={t("finance.refundDue.notice")} style={{ marginBottom: 16 }} />
      <Table<StaffPayment>
        rowKey="id"
        dataSource={rows}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 640 }}
        size="small"
        columns={[
          {
            title: t("sorder.no"),
            key: "orderNo",
            render: (_: unknown, p) => <Typography.Text copyable>{p.order.orderNo}</Typography.Text>,
          },
          {
            title: t("finance.amount"),
            dataIndex: "amountFen",
            align: "right",
            render: (v: number) => <Typography.Text strong>{formatFen(v)}</Typography.Text>,
          },
          {
            title: t("finance.method"),
            key: "trade",
            render: (_: unknown, p) => (
              <Typography.Text copyable={p.providerTradeNo ? { text: p.providerTradeNo } : false}>
                {p.provider ?? t(`finance.m.${p.method}`)}{" "}
                {p.providerTradeNo ? t("finance.tradeNo", { no: p.providerTradeNo }) : null}
              </Typography.Text>
            ),
          },
          {
            title: t("finance.time"),
            dataIndex: "paidAt",
            render: (v: string | null) => (v ? formatDateTime(v) : "—"),
          },
        ]}
      />
    </Card>
  );
}
