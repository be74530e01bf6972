import { FilePdfOutlined } from "@ant-design/icons";
import { formatFen } from "@certhall/domain";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Checkbox, Space, Switch, Table, Tag, Typography } from "antd";
import { useState } from "react";
import {
  type FinanceInvoiceItem,
  getInvoiceSettings,
  issueInvoice,
  listFinanceInvoices,
  setInvoiceAutoIssue,
  staffInvoicePdfUrl,
} from "../../api/invoices";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";

/** 电子发票 for finance: the applicants' requests, 开具 after payment, the PDFs, and the automatic setting. */
export function InvoiceCard() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const queryClient = useQueryClient();
  const [pendingOnly, setPendingOnly] = useState(true);
  const list = useQuery({
    queryKey: ["admin", "invoices", pendingOnly],
    queryFn: () => listFinanceInvoices(pendingOnly),
  });
  const settings = useQuery({ queryKey: ["admin", "invoice-settings"], queryFn: getInvoiceSettings });
  const [busy, setBusy] = useState<string | null>(null);
  if (settings.data?.provider === "none") return null;

  async function act(id: string, step: () => Promise<unknown>, done: string) {
    setBusy(id);
    try {
      await step();
      message.success(done);
    } catch (err) {
      onError(err);
    } finally {
      setBusy(null);
      void queryClient.invalidateQueries({ queryKey: ["admin", "invoices"] });
      void queryClient.invalidateQueries({ queryKey: ["admin", "invoice-settings"] });
    }
  }

  return (
    <Card
      title={t("invoice.finance.title")}
      style={{ marginTop: 16 }}
      extra={
        <Space wrap>
          <Checkbox checked={pendingOnly} onChange={(e) => setPendingOnly(e.target.checked)}>
            {t("invoice.finance.pendingOnly")}
          </Checkbox>
          <Space size={4}>
            <Switch
              size="small"
              checked={settings.data?.autoIssue ?? false}
              loading={busy === "auto"}
              onChange={(on) => act("auto", () => setInvoiceAutoIssue(on), t("invoice.saved"))}
              aria-label={t("invoice.finance.auto")}
            />
            <Typography.Text>{t("invoice.finance.auto")}</Typography.Text>
          </Space>
        </Space>
      }
    >
      <Table<FinanceInvoiceItem>
        rowKey="orderId"
        size="small"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        scroll={{ x: 720 }}
        columns={[
          {
            title: t("sorder.no"),
            dataIndex: "orderNo",
            render: (v: string) => <Typography.Text copyable>{v}</Typography.Text>,
          },
          {
            title: t("invoice.titleLabel"),
            key: "title",
            render: (_: unknown, r) => (
              <Space orientation="vertical" size={0}>
                <Typography.Text>{r.request.title}</Typography.Text>
                <Typography.Text type="secondary">
                  {r.request.taxNo ?? t("invoice.person")} · {r.request.kindLabel} · {r.request.email}
                </Typography.Text>
              </Space>
            ),
          },
          {
            title: t("finance.amount"),
            dataIndex: "totalFen",
            align: "right",
            render: (v: number) => formatFen(v),
          },
          {
            title: t("invoice.title"),
            key: "invoices",
            render: (_: unknown, r) => (
              <Space wrap>
                {!r.paid ? <Tag>{t("invoice.finance.notPaid")}</Tag> : null}
                {r.invoices.map((i) => (
                  <Space key={i.id} size={4}>
                    <Tag
                      color={i.color === "red" ? "red" : "blue"}
                    >{`${i.color === "red" ? t("invoice.red") : t("invoice.blue")} ${i.statusLabel}`}</Tag>
                    {i.hasPdf ? (
                      <a
                        href={staffInvoicePdfUrl(i.id)}
                        download
                        aria-label={`${t("invoice.download")} ${i.invoiceNo ?? ""}`}
                      >
                        <FilePdfOutlined />
                      </a>
                    ) : null}
                    {i.lastError ? <Typography.Text type="danger">{i.lastError}</Typography.Text> : null}
                  </Space>
                ))}
              </Space>
            ),
          },
          {
            title: "",
            key: "act",
            render: (_: unknown, r) => {
              const blue = r.invoices.find((i) => i.color === "blue");
              if (!r.paid || (blue && blue.status !== "failed")) return null;
              return (
                <Button
                  size="small"
                  type="primary"
                  loading={busy === r.orderId}
                  onClick={() => act(r.orderId, () => issueInvoice(r.orderId), t("invoice.finance.issued"))}
                >
                  {t("invoice.finance.issue")}
                </Button>
              );
            },
          },
        ]}
      />
    </Card>
  );
}
