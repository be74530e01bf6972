import { CarOutlined, ShopOutlined } from "@ant-design/icons";
import { appointmentRefusal } from "@certhall/domain";
import { useQuery } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Form,
  Input,
  Radio,
  Segmented,
  Space,
  Typography,
} from "antd";
import type { Dayjs } from "dayjs";
import { useState } from "react";
import { chooseDelivery, type MailingAddress, type OrderDetail, type Receipt } from "../../api/orders";
import { getWindows } from "../../api/portal";
import { useI18n } from "../../app/i18n";
import { queryKeys } from "../../app/queries";
import { useApiError } from "../../app/useApiError";
import { mobileRule } from "../../components/fields";
import { LoadError } from "../../components/PageLoading";
import { formatCalendarDate } from "../../lib/time";
import { canChooseDelivery } from "./logic";
import { MailWaybill } from "./MailWaybill";

const { Text } = Typography;

export function formatMailing(
  a: MailingAddress | { name: string; phone: string; address: string } | null,
): string {
  if (!a) return "—";
  return ["recipient" in a ? a.recipient : a.name, a.phone, a.address].filter(Boolean).join("  ");
}

// Field names are the server's (returnAddress.name/phone/address, windowId, date), so its field errors
// land on the right input.
interface Values {
  method: "mail" | "window";
  name?: string;
  phone?: string;
  address?: string;
  windowId?: string;
  date?: Dayjs;
}

/**
 * 邮寄或现场办理: mail the materials (our address shown, the return address entered) or come to one
 * of the three windows on a day it is open. Dates follow the shared calendar rules; the server has the
 * last word (it knows every holiday) and its answer is shown on the field.
 */
export function DeliveryPanel({
  order,
  receipt,
  onChanged,
}: {
  order: OrderDetail;
  receipt: Receipt;
  onChanged: (r: Receipt) => void;
}) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const d = receipt.delivery;
  const mailingAddress = receipt.mailing;
  const [editing, setEditing] = useState(d.method === null);
  const windows = useQuery({ queryKey: queryKeys.windows, queryFn: getWindows });
  const method = Form.useWatch("method", form) ?? d.method ?? "window";
  const windowId = Form.useWatch("windowId", form);
  const selected = windows.data?.windows.find((w) => w.id === windowId);
  const editable = d.changeable && canChooseDelivery(order.state);

  async function save(v: Values) {
    setBusy(true);
    try {
      const saved =
        v.method === "mail"
          ? await chooseDelivery(order.id, {
              method: "mail",
              version: order.version,
              returnAddress: {
                name: (v.name ?? "").trim(),
                phone: v.phone ?? "",
                address: (v.address ?? "").trim(),
              },
            })
          : await chooseDelivery(order.id, {
              method: "window",
              version: order.version,
              windowId: v.windowId ?? "",
              date: v.date?.format("YYYY-MM-DD") ?? "",
            });
      message.success(t("delivery.saved"));
      setEditing(false);
      onChanged(saved);
    } catch (err) {
      onError(err, form);
    } finally {
      setBusy(false);
    }
  }

  const chosenWindow = receipt.windows.find((w) => w.id === d.window?.id);
  const summary =
    d.method === "mail" ? (
      <Descriptions column={1} size="small">
        <Descriptions.Item label={t("delivery.method")}>{t("delivery.mail")}</Descriptions.Item>
        <Descriptions.Item label={t("delivery.ourAddress")}>
          {formatMailing(mailingAddress)}
        </Descriptions.Item>
        <Descriptions.Item label={t("delivery.returnAddress")}>
          {d.returnAddress ? formatMailing(d.returnAddress) : "—"}
        </Descriptions.Item>
        {d.courier || d.trackingNo ? (
          <Descriptions.Item label={t("delivery.tracking")}>
            {d.courier} {d.trackingNo}
          </Descriptions.Item>
        ) : null}
      </Descriptions>
    ) : d.method === "window" ? (
      <Descriptions column={1} size="small">
        <Descriptions.Item label={t("delivery.method")}>{t("delivery.window")}</Descriptions.Item>
        <Descriptions.Item label={t("delivery.windowName")}>
          {d.window ? `【${d.window.city}】${d.window.name}` : "—"}
        </Descriptions.Item>
        {chosenWindow ? (
          <Descriptions.Item label={t("windows.address")}>
            {chosenWindow.address} · {chosenWindow.phone}
          </Descriptions.Item>
        ) : null}
        <Descriptions.Item label={t("delivery.date")}>
          {d.appointmentDate ? formatCalendarDate(d.appointmentDate, lang) : "—"}
        </Descriptions.Item>
      </Descriptions>
    ) : null;

  return (
    <Card
      title={t("delivery.title")}
      style={{ marginBottom: 16 }}
      extra={
        editable && !editing && d.method ? (
          <Button size="small" onClick={() => setEditing(true)}>
            {t("delivery.change")}
          </Button>
        ) : null
      }
    >
      {summary}
      {d.method === "mail" && !editing ? <MailWaybill order={order} /> : null}
      {editable && editing ? (
        <Form
          form={form}
          layout="vertical"
          onFinish={save}
          requiredMark={false}
          initialValues={{
            method: d.method ?? "window",
            windowId: d.window?.id,
            name: d.returnAddress?.name,
            phone: d.returnAddress?.phone,
            address: d.returnAddress?.address,
          }}
          style={{ marginTop: summary ? 16 : 0 }}
        >
          <Form.Item name="method">
            <Segmented
              block
              options={[
                { value: "window", label: t("delivery.window"), icon: <ShopOutlined /> },
                { value: "mail", label: t("delivery.mail"), icon: <CarOutlined /> },
              ]}
            />
          </Form.Item>
          {method === "mail" ? (
            <>
              <Alert
                type="info"
                showIcon
                style={{ marginBottom: 16 }}
                title={t("delivery.mailTo")}
                description={formatMailing(mailingAddress)}
              />
              <Text strong>{t("delivery.returnAddress")}</Text>
              <Form.Item
                name="name"
                label={t("delivery.recipient")}
                rules={[{ required: true, whitespace: true, message: t("common.required") }, { max: 50 }]}
              >
                <Input maxLength={50} autoComplete="name" />
              </Form.Item>
              <Form.Item
                name="phone"
                label={t("field.phone")}
                rules={[mobileRule]}
                validateTrigger={["onChange", "onBlur"]}
              >
                <Input inputMode="tel" maxLength={11} autoComplete="tel" />
              </Form.Item>
              <Form.Item
                name="address"
                label={t("delivery.address")}
                rules={[
                  { required: true, whitespace: true, message: t("common.required") },
                  { min: 5 },
                  { max: 200 },
                ]}
              >
                <Input.TextArea maxLength={200} rows={2} autoComplete="street-address" />
              </Form.Item>
            </>
          ) : windows.isError ? (
            <LoadError error={windows.error} onRetry={() => windows.refetch()} />
          ) : (
            <>
              <Form.Item
                name="windowId"
                label={t("delivery.pickWindow")}
                rules={[{ required: true, message: t("delivery.pickWindow") }]}
              >
                <Radio.Group style={{ width: "100%" }}>
                  <Space orientation="vertical" style={{ width: "100%" }}>
                    {(windows.data?.windows ?? []).map((w) => (
                      <Radio key={w.id} value={w.id}>
                        <Text strong>
                          【{w.city}】{w.name}
                        </Text>
                        <br />
                        <Text type="secondary">
                          {w.address} · {w.phone} · {w.hoursText}
                        </Text>
                      </Radio>
                    ))}
                  </Space>
                </Radio.Group>
              </Form.Item>
              <Form.Item
                name="date"
                label={t("delivery.date")}
                extra={t("delivery.dateHint")}
                rules={[{ required: true, message: t("delivery.pickDate") }]}
              >
                <DatePicker
                  disabled={!selected}
                  inputReadOnly
                  style={{ width: "100%" }}
                  disabledDate={(day) =>
                    !selected ||
                    !windows.data ||
                    appointmentRefusal(
                      day.format("YYYY-MM-DD"),
                      new Date(windows.data.now),
                      selected.hours,
                      windows.data.calendar,
                    ) !== null
                  }
                />
              </Form.Item>
            </>
          )}
          <Button type="primary" htmlType="submit" loading={busy} block>
            {t("delivery.save")}
          </Button>
        </Form>
      ) : null}
    </Card>
  );
}
