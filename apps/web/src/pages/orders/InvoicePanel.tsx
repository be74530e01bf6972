import { FilePdfOutlined } from "@ant-design/icons";
import { validateUscc } from "@certhall/domain";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Form, Input, List, Radio, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { getOrderInvoice, type InvoiceRequest, invoicePdfUrl, saveOrderInvoice } from "../../api/invoices";
import type { OrderDetail } from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";
import { formatDateTime } from "../../lib/time";

const { Text } = Typography;

/**
 * 电子发票: the applicant gives 抬头, 税号 (a company's 统一社会信用代码, checked as typed), email and
 * 普票/专票, when ordering or afterwards; finance (or the automatic setting) issues after payment; the
 * PDFs are downloaded here (and emailed). Hidden for zero-amount orders and when invoices are off.
 */
export function InvoicePanel({ order }: { order: OrderDetail }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const queryClient = useQueryClient();
  const key = ["orders", order.id, "invoice"];
  const q = useQuery({ queryKey: key, queryFn: () => getOrderInvoice(order.id) });
  const [form] = Form.useForm<InvoiceRequest>();
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const buyerType = Form.useWatch("buyerType", form) ?? "company";
  if (!q.data?.enabled || order.totalFen <= 0 || order.state === "cancelled") return null;
  const { request, invoices } = q.data;
  const blue = invoices.find((i) => i.color === "blue");
  const locked = !!blue && blue.status !== "failed";
  const showForm = !locked && (editing || !request);

  async function save(values: InvoiceRequest) {
    setBusy(true);
    try {
      const res = await saveOrderInvoice(order.id, {
        ...values,
        taxNo: values.buyerType === "company" ? values.taxNo : null,
      });
      queryClient.setQueryData(key, res);
      setEditing(false);
      message.success(t("invoice.saved"));
    } catch (err) {
      onError(err, form);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={t("invoice.title")} style={{ marginBottom: 16 }} data-testid="invoice-panel">
      {request && !showForm ? (
        <Space orientation="vertical" size={4} style={{ width: "100%" }}>
          <Text>
            {t("invoice.titleLabel")}：{request.title}
            {request.taxNo ? `（${t("invoice.taxNo")} ${request.taxNo}）` : ""}
          </Text>
          <Text type="secondary">
            {request.kindLabel} · {request.email}
          </Text>
          {!locked ? (
            <Button
              onClick={() => {
                form.setFieldsValue(request);
                setEditing(true);
              }}
            >
              {t("invoice.edit")}
            </Button>
          ) : null}
          {!blue ? <Text type="secondary">{t("invoice.afterPayment")}</Text> : null}
        </Space>
      ) : null}
      {showForm ? (
        <Form<InvoiceRequest>
          form={form}
          layout="vertical"
          initialValues={request ?? { buyerType: "company", kind: "normal" }}
          onFinish={save}
        >
          <Form.Item name="buyerType" label={t("invoice.buyerType")}>
            <Radio.Group
              optionType="button"
              options={[
                { value: "company", label: t("invoice.company") },
                { value: "person", label: t("invoice.person") },
              ]}
            />
          </Form.Item>
          <Form.Item
            name="title"
            label={t("invoice.titleLabel")}
            rules={[{ required: true, message: t("invoice.titleRequired") }]}
          >
            <Input maxLength={100} />
          </Form.Item>
          {buyerType === "company" ? (
            <Form.Item
              name="taxNo"
              label={t("invoice.taxNo")}
              validateTrigger={["onChange", "onBlur"]}
              rules={[
                {
                  validator: async (_r, v: string | undefined) => {
                    const r = validateUscc(v ?? "");
                    if (!r.ok) throw new Error(`${t("invoice.taxNo")}：${r.reason}`);
                  },
                },
              ]}
            >
              <Input maxLength={18} placeholder="91350100M000100Y43" />
            </Form.Item>
          ) : null}
          <Form.Item
            name="email"
            label={t("invoice.email")}
            rules={[{ required: true, type: "email", message: t("invoice.emailInvalid") }]}
          >
            <Input type="email" maxLength={254} />
          </Form.Item>
          <Form.Item name="kind" label={t("invoice.kind")}>
            <Radio.Group
              options={[
                { value: "normal", label: t("invoice.normal") },
                { value: "special", label: t("invoice.special"), disabled: buyerType === "person" },
              ]}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>
            {t("invoice.save")}
          </Button>
        </Form>
      ) : null}
      {invoices.length > 0 ? (
        <List
          style={{ marginTop: 12 }}
          size="small"
          dataSource={invoices}
          renderItem={(i) => (
            <List.Item
              actions={
                i.hasPdf
                  ? [
                      <a key="pdf" href={invoicePdfUrl(i.id)} download>
                        <Button size="small" icon={<FilePdfOutlined />}>
                          {t("invoice.download")}
                        </Button>
                      </a>,
                    ]
                  : []
              }
            >
              <Space wrap>
                <Tag color={i.color === "red" ? "red" : "blue"}>
                  {i.color === "red" ? t("invoice.red") : t("invoice.blue")}
                </Tag>
                <Text>{i.kindLabel}</Text>
                <Tag>{i.statusLabel}</Tag>
                {i.invoiceNo ? <Text copyable>{i.invoiceNo}</Text> : null}
                {i.issuedAt ? <Text type="secondary">{formatDateTime(i.issuedAt)}</Text> : null}
              </Space>
            </List.Item>
          )}
        />
      ) : null}
    </Card>
  );
}
