import { FilePdfOutlined, PictureOutlined } from "@ant-design/icons";
import { formatFen } from "@certhall/domain";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Grid,
  Image,
  Input,
  Modal,
  Popconfirm,
  Space,
  Table,
  Tag,
  Typography,
} from "antd";
import { useEffect, useState } from "react";
import { ApiError, errorDetail } from "../../api/client";
import {
  bookPayment,
  fetchVoucher,
  listPaymentsAwaitingBooking,
  returnPayment,
  type StaffPayment,
} from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";
import { LoadError } from "../../components/PageLoading";
import { sameOriginPath } from "../../lib/safe-url";
import { formatDateTime } from "../../lib/time";
import { InvoiceCard } from "./InvoiceCard";
import { RefundDueCard } from "./RefundDueCard";

const QUEUE_KEY = ["admin", "payments", "awaiting_booking"] as const;

/**
 * 记账审核: finance checks each payment against the bank statement / the provider's trade number and
 * books it (新证: every payment is booked before the receipt), or sends it back with a reason. Below
 * it, money to refund (online payments that arrived after their trade was closed), when there is any.
 */
export function FinancePage() {
  const { t } = useI18n();
  const screens = Grid.useBreakpoint();
  const { message } = App.useApp();
  const onError = useApiError();
  const queryClient = useQueryClient();
  const q = useQuery({ queryKey: QUEUE_KEY, queryFn: listPaymentsAwaitingBooking });
  const [busy, setBusy] = useState<string | null>(null);
  const [returning, setReturning] = useState<StaffPayment | null>(null);
  const [expanded, setExpanded] = useState<string[]>([]);
  const [form] = Form.useForm<{ note: string }>();

  async function run(p: StaffPayment, step: () => Promise<unknown>, done: string) {
    setBusy(p.id);
    try {
      await step();
      message.success(done);
      setReturning(null);
      form.resetFields();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        // Another finance colleague (or the applicant) moved the order: say so and show the queue as it is.
        message.warning(err.detail);
        setReturning(null);
      } else onError(err, returning ? form : undefined);
    } finally {
      setBusy(null);
      await queryClient.invalidateQueries({ queryKey: QUEUE_KEY });
    }
  }

  if (q.isError) return <LoadError error={q.error} onRetry={() => q.refetch()} />;
  const toggle = (id: string) =>
    setExpanded((e) => (e.includes(id) ? e.filter((x) => x !== id) : [...e, id]));

  return (
    <>
      <Card
        title={t("finance.title")}
        extra={<Button onClick={() => q.refetch()}>{t("common.refresh")}</Button>}
        styles={{ body: { padding: screens.md ? 24 : 8 } }}
      >
        <Table<StaffPayment>
          rowKey="id"
          loading={q.isFetching}
          dataSource={q.data?.payments}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 980 }}
          size={screens.md ? "middle" : "small"}
          locale={{ emptyText: t("finance.empty") }}
          expandable={{
            expandedRowKeys: expanded,
            showExpandColumn: false,
            rowExpandable: (p) => p.voucherUrl !== null,
            expandedRowRender: (p) => {
              // The server names its own voucher endpoint; anything off this origin is not fetched or linked.
              const url = sameOriginPath(p.voucherUrl, window.location.origin);
              return url ? <VoucherPreview url={url} /> : null;
            },
          }}
          columns={[
            {
              title: t("sorder.no"),
              key: "orderNo",
              render: (_: unknown, p) => (
                <Space orientation="vertical" size={0}>
                  <Typography.Text copyable strong style={{ whiteSpace: "nowrap" }}>
                    {p.order.orderNo}
                  </Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {p.order.handlerName}
                  </Typography.Text>
                  {screens.md ? null : (
                    // On a phone the other columns sit behind a sideways scroll, next to the fixed 记账 button:
                    // the amount and how it was paid must be in view when booking.
                    <Typography.Text style={{ whiteSpace: "nowrap" }}>
                      {formatFen(p.amountFen)} · {t(`finance.m.${p.method}`)}
                    </Typography.Text>
                  )}
                </Space>
              ),
            },
            {
              title: t("finance.amount"),
              dataIndex: "amountFen",
              align: "right",
              render: (v: number, p) => (
                <Space orientation="vertical" size={0} style={{ alignItems: "flex-end" }}>
                  <Typography.Text strong>{formatFen(v)}</Typography.Text>
                  {v !== p.order.totalFen ? (
                    <Typography.Text type="danger" style={{ fontSize: 12 }}>
                      {t("sorder.total")} {formatFen(p.order.totalFen)}
                    </Typography.Text>
                  ) : null}
                </Space>
              ),
            },
            {
              title: t("sorder.remittanceCode"),
              key: "remit",
              render: (_: unknown, p) => <Typography.Text copyable>{p.order.remittanceCode}</Typography.Text>,
            },
            {
              title: t("finance.method"),
              dataIndex: "method",
              render: (m: StaffPayment["method"], p) => (
                <Space orientation="vertical" size={0}>
                  <Tag color={m === "online" ? "blue" : m === "transfer" ? "gold" : "default"}>
                    {t(`finance.m.${m}`)}
                  </Tag>
                  {p.providerTradeNo ? (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }} copyable>
                      {t("finance.tradeNo", { no: p.providerTradeNo })}
                    </Typography.Text>
                  ) : null}
                </Space>
              ),
            },
            {
              title: t("finance.time"),
              dataIndex: "paidAt",
              render: (v: string | null) => <span style={{ whiteSpace: "nowrap" }}>{formatDateTime(v)}</span>,
            },
            {
              title: t("finance.voucher"),
              key: "voucher",
              render: (_: unknown, p) =>
                p.voucherUrl ? (
                  <Button size="small" icon={<PictureOutlined />} onClick={() => toggle(p.id)}>
                    {t("finance.openVoucher")}
                  </Button>
                ) : (
                  <Typography.Text type="secondary">{t("finance.noVoucher")}</Typography.Text>
                ),
            },
            {
              title: t("common.actions"),
              key: "actions",
              fixed: "right",
              render: (_: unknown, p) => (
                <Space wrap>
                  <Popconfirm
                    title={t("finance.bookConfirm")}
                    onConfirm={() => run(p, () => bookPayment(p.id, p.order.version), t("finance.booked"))}
                  >
                    <Button size="small" type="primary" loading={busy === p.id && !returning}>
                      {t("finance.book")}
                    </Button>
                  </Popconfirm>
                  <Button size="small" danger onClick={() => setReturning(p)}>
                    {t("finance.return")}
                  </Button>
                </Space>
              ),
            },
          ]}
        />
        <Modal
          open={returning !== null}
          title={returning ? t("finance.returnTitle", { no: returning.order.orderNo }) : ""}
          onCancel={() => setReturning(null)}
          onOk={() => form.submit()}
          okText={t("finance.return")}
          okButtonProps={{ danger: true }}
          confirmLoading={returning !== null && busy === returning.id}
          forceRender
        >
          <Form<{ note: string }>
            form={form}
            layout="vertical"
            requiredMark={false}
            onFinish={(v) =>
              returning &&
              run(
                returning,
                () => returnPayment(returning.id, returning.order.version, v.note.trim()),
                t("finance.returned"),
              )
            }
          >
            <Form.Item
              name="note"
              label={t("finance.reason")}
              rules={[
                { required: true, whitespace: true, message: t("review.reasonRequired") },
                { max: 500, message: t("review.reasonTooLong") },
              ]}
            >
              <Input.TextArea
                rows={3}
                maxLength={500}
                showCount
                placeholder={t("finance.reasonPlaceholder")}
              />
            </Form.Item>
          </Form>
        </Modal>
      </Card>
      <RefundDueCard />
      <InvoiceCard />
    </>
  );
}

/** The voucher as uploaded: an image inline (zoomable), a PDF as a link (the API forbids framing). */
function VoucherPreview({ url }: { url: string }) {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: ["admin", "voucher", url],
    queryFn: () => fetchVoucher(url),
    staleTime: Infinity,
  });
  const [objectUrl, setObjectUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!q.data) return;
    const u = URL.createObjectURL(q.data);
    setObjectUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [q.data]);

  if (q.isError) return <Alert type="error" title={errorDetail(q.error)} />;
  if (!q.data || !objectUrl) return <Typography.Text type="secondary">{t("common.loading")}</Typography.Text>;
  if (q.data.type.startsWith("image/")) {
    return <Image src={objectUrl} alt={t("finance.voucher")} style={{ maxHeight: 360, maxWidth: "100%" }} />;
  }
  return (
    <a href={url} target="_blank" rel="noopener noreferrer">
      <Space>
        <FilePdfOutlined />
        {t("finance.openVoucher")}
      </Space>
    </a>
  );
}
