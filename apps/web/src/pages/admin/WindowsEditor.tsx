import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { checkWeeklyHours, formatHours } from "@certhall/domain";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Empty,
  Form,
  Input,
  Row,
  Space,
  TimePicker,
  Typography,
} from "antd";
import type { Dayjs } from "dayjs";
import { useState } from "react";
import { listAdminWindows, updateAdminWindow } from "../../api/admin";
import type { AdminWindow, WeeklyHours } from "../../api/types";
import { useI18n } from "../../app/i18n";
import { queryKeys } from "../../app/queries";
import { useApiError } from "../../app/useApiError";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { dayjs } from "../../lib/time";

interface WindowFormValues {
  city: string;
  name: string;
  address: string;
  phone: string;
  weekdays: number[];
  sessions: { range?: [Dayjs | null, Dayjs | null] | null }[];
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

function toFormValues(w: AdminWindow): WindowFormValues {
  return {
    city: w.city,
    name: w.name,
    address: w.address,
    phone: w.phone,
    weekdays: [...w.hours.weekdays].sort(),
    sessions: w.hours.sessions.map((s) => ({ range: [dayjs(s.start, "HH:mm"), dayjs(s.end, "HH:mm")] })),
  };
}

/** Form sessions → API hours; null when a session is incomplete (the form then says which). */
export function toHours(
  weekdays: number[] | undefined,
  sessions: WindowFormValues["sessions"] | undefined,
): WeeklyHours | null {
  const out: WeeklyHours = { weekdays: [...(weekdays ?? [])].sort((a, b) => a - b), sessions: [] };
  for (const s of sessions ?? []) {
    const [start, end] = s?.range ?? [];
    if (!start || !end) return null;
    out.sessions.push({ start: start.format("HH:mm"), end: end.format("HH:mm") });
  }
  return out;
}

function WindowForm({ window: w }: { window: AdminWindow }) {
  const { t } = useI18n();
  const [form] = Form.useForm<WindowFormValues>();
  const [saving, setSaving] = useState(false);
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const onError = useApiError();
  const weekdays = Form.useWatch("weekdays", form);
  const sessions = Form.useWatch("sessions", form);
  const preview = toHours(weekdays, sessions);
  const previewText = preview && !checkWeeklyHours(preview) ? formatHours(preview) : null;

  async function onFinish(values: WindowFormValues) {
    const hours = toHours(values.weekdays, values.sessions);
    if (!hours) return;
    setSaving(true);
    try {
      await updateAdminWindow(w.id, {
        city: values.city.trim(),
        name: values.name.trim(),
        address: values.address.trim(),
        phone: values.phone.trim(),
        hours,
      });
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.adminWindows }),
        queryClient.invalidateQueries({ queryKey: queryKeys.windows }),
      ]);
      message.success(t("win.saved", { name: values.name.trim() }));
    } catch (err) {
      onError(err, form);
    } finally {
      setSaving(false);
    }
  }

  const required = { required: true, whitespace: true, message: t("common.required") };

  return (
    <Card size="small" title={`【${w.city}】${w.name}`} style={{ height: "100%" }}>
      <Form
        form={form}
        // Three forms on one page: a name per form prefixes the input ids, so each label points at its own input.
        name={`window-${w.code}`}
        layout="vertical"
        initialValues={toFormValues(w)}
        onFinish={onFinish}
        requiredMark={false}
      >
        <Row gutter={12}>
          <Col xs={24} sm={8}>
            <Form.Item name="city" label={t("win.city")} rules={[required, { max: 20 }]}>
              <Input maxLength={20} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={16}>
            <Form.Item name="name" label={t("win.name")} rules={[required, { max: 100 }]}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="address" label={t("windows.address")} rules={[required, { max: 200 }]}>
          <Input.TextArea autoSize={{ minRows: 1, maxRows: 3 }} maxLength={200} />
        </Form.Item>
        <Form.Item
          name="phone"
          label={t("windows.phone")}
          rules={[required, { pattern: /^[\d\s()+-]{5,20}$/, message: t("win.phoneRule") }]}
        >
          <Input inputMode="tel" maxLength={20} />
        </Form.Item>
        <Form.Item
          name="weekdays"
          label={t("win.weekdays")}
          rules={[{ type: "array", min: 1, required: true, message: t("win.weekdaysRequired") }]}
        >
          <Checkbox.Group options={WEEKDAYS.map((d) => ({ value: d, label: t(`weekday.${d}`) }))} />
        </Form.Item>
        <Form.List
          name="sessions"
          rules={[
            {
              validator: async (_r, value: WindowFormValues["sessions"] | undefined) => {
                if (!value || value.length === 0) throw new Error(t("win.sessionsRequired"));
                const hours = toHours([1], value);
                if (!hours) throw new Error(t("win.sessionInvalid"));
                // The same check the server runs (packages/domain): start < end, no overlaps.
                const problem = checkWeeklyHours(hours);
                if (problem) throw new Error(problem);
              },
            },
          ]}
        >
          {(fields, { add, remove }, { errors }) => (
            <Form.Item label={t("win.sessions")} required>
              <Space orientation="vertical" style={{ width: "100%" }}>
                {fields.map((field) => (
                  <Space key={field.key} align="start">
                    <Form.Item
                      name={[field.name, "range"]}
                      rules={[{ required: true, message: t("win.sessionInvalid") }]}
                      style={{ marginBottom: 0 }}
                    >
                      <TimePicker.RangePicker format="HH:mm" minuteStep={5} order />
                    </Form.Item>
                    <Button
                      icon={<DeleteOutlined />}
                      onClick={() => remove(field.name)}
                      aria-label={t("common.delete")}
                      disabled={fields.length <= 1}
                    />
                  </Space>
                ))}
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})}>
                  {t("win.addSession")}
                </Button>
                <Form.ErrorList errors={errors} />
              </Space>
            </Form.Item>
          )}
        </Form.List>
        <Space style={{ width: "100%", justifyContent: "space-between" }} wrap>
          <Typography.Text type="secondary">{previewText ?? ""}</Typography.Text>
          <Space>
            <Button onClick={() => form.resetFields()}>{t("common.cancel")}</Button>
            <Button type="primary" htmlType="submit" loading={saving}>
              {t("common.save")}
            </Button>
          </Space>
        </Space>
      </Form>
    </Card>
  );
}

export function WindowsEditor() {
  const { t } = useI18n();
  const q = useQuery({ queryKey: queryKeys.adminWindows, queryFn: listAdminWindows });
  if (q.isPending) return <PageLoading />;
  if (q.isError) return <LoadError error={q.error} onRetry={() => q.refetch()} />;
  if (q.data.length === 0) return <Empty description={t("windows.empty")} />;
  return (
    <Row gutter={[16, 16]}>
      {q.data.map((w) => (
        <Col key={`${w.id}-${JSON.stringify(w)}`} xs={24} xl={12}>
          <WindowForm window={w} />
        </Col>
      ))}
    </Row>
  );
}
