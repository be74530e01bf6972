import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Form, Input, Space } from "antd";
import { useState } from "react";
import type { OrderDetail } from "../../api/orders";
import { declareInboundMail, getInboundMail } from "../../api/queues";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";
import { formatDateTime } from "../../lib/time";

interface Values {
  courier: string;
  waybill: string;
}

/**
 * 邮寄材料: the applicant gives the courier and waybill number of the envelope they sent, so the window
 * knows it is coming and 签收 it by that number. Correctable until the window has it.
 */
export function MailWaybill({ order }: { order: OrderDetail }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const key = ["orders", order.id, "mail"];
  const mail = useQuery({ queryKey: key, queryFn: () => getInboundMail(order.id) });
  const [editing, setEditing] = useState(false);
  const m = mail.data;

  if (m?.receivedAt) {
    return (
      <Alert
        style={{ marginTop: 12 }}
        type="success"
        showIcon
        title={t("mail.received", {
          courier: m.courier,
          waybill: m.waybill,
          at: formatDateTime(m.receivedAt),
        })}
      />
    );
  }
  if (order.state !== "awaiting_materials") return null;
  if (m && !editing) {
    return (
      <Alert
        style={{ marginTop: 12 }}
        type="info"
        showIcon
        title={t("mail.declared", { courier: m.courier, waybill: m.waybill })}
        action={
          <Button
            size="small"
            onClick={() => {
              form.setFieldsValue(m);
              setEditing(true);
            }}
          >
            {t("common.edit")}
          </Button>
        }
      />
    );
  }

  async function save(v: Values) {
    setBusy(true);
    try {
      const saved = await declareInboundMail(order.id, v.courier, v.waybill);
      queryClient.setQueryData(key, saved);
      setEditing(false);
      message.success(t("mail.saved"));
    } catch (err) {
      onError(err, form);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Form<Values>
      form={form}
      layout="vertical"
      onFinish={save}
      style={{ marginTop: 12 }}
      requiredMark={false}
    >
      <Alert type="info" showIcon title={t("mail.ask")} style={{ marginBottom: 12 }} />
      <Space wrap align="start">
        <Form.Item
          name="courier"
          label={t("wb.courier")}
          rules={[{ required: true, min: 2, max: 20, message: t("mail.courierRule") }]}
        >
          <Input placeholder={t("wb.courierPlaceholder")} maxLength={20} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item
          name="waybill"
          label={t("wb.trackingNo")}
          rules={[{ required: true, pattern: /^[A-Za-z0-9-]{6,32}$/, message: t("mail.waybillRule") }]}
        >
          <Input maxLength={32} style={{ width: 220 }} />
        </Form.Item>
        <Form.Item label=" ">
          <Button type="primary" htmlType="submit" loading={busy}>
            {t("mail.submit")}
          </Button>
        </Form.Item>
      </Space>
    </Form>
  );
}
