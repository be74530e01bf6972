import { DeleteOutlined, EditOutlined, PlusOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  DatePicker,
  Form,
  Input,
  Modal,
  Popconfirm,
  Radio,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from "antd";
import type { Dayjs } from "dayjs";
import { useState } from "react";
import { deleteCalendarDay, listCalendar, putCalendarDay } from "../../api/admin";
import type { CalendarDay, CalendarKind } from "../../api/types";
import { useI18n } from "../../app/i18n";
import { queryKeys } from "../../app/queries";
import { useApiError } from "../../app/useApiError";
import { LoadError } from "../../components/PageLoading";
import { dayjs, formatCalendarDate, SHANGHAI } from "../../lib/time";

interface DayFormValues {
  date: Dayjs;
  kind: CalendarKind;
  name: string;
}

export function currentShanghaiYear(now: Date = new Date()): number {
  return dayjs(now).tz(SHANGHAI).year();
}

export function CalendarEditor() {
  const { t, lang } = useI18n();
  const [year, setYear] = useState(currentShanghaiYear);
  const q = useQuery({ queryKey: queryKeys.calendar(year), queryFn: () => listCalendar(year) });
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const onError = useApiError();
  const [editing, setEditing] = useState<CalendarDay | "new" | null>(null);
  const [saving, setSaving] = useState(false);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [form] = Form.useForm<DayFormValues>();

  const days = [...(q.data ?? [])].sort((a, b) => a.date.localeCompare(b.date));
  const holidays = days.filter((d) => d.kind === "holiday").length;
  const workdays = days.length - holidays;
  const thisYear = currentShanghaiYear();
  const years = Array.from({ length: 5 }, (_, i) => thisYear - 2 + i);

  function openEditor(day: CalendarDay | "new") {
    setEditing(day);
    form.setFieldsValue(
      day === "new"
        ? { date: undefined, kind: "holiday", name: "" }
        : { date: dayjs(day.date, "YYYY-MM-DD"), kind: day.kind, name: day.name },
    );
  }

  async function onSave(values: DayFormValues) {
    setSaving(true);
    const date = values.date.format("YYYY-MM-DD");
    try {
      await putCalendarDay(date, { kind: values.kind, name: values.name.trim() });
      await invalidate();
      message.success(t("common.saved"));
      setEditing(null);
    } catch (err) {
      onError(err, form);
    } finally {
      setSaving(false);
    }
  }

  async function onDelete(date: string) {
    setDeleting(date);
    try {
      await deleteCalendarDay(date);
      await invalidate();
      message.success(t("cal.deleted"));
    } catch (err) {
      onError(err);
    } finally {
      setDeleting(null);
    }
  }

  function invalidate() {
    // The public windows page reads the same calendar for 今日休息.
    return Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.calendar(year) }),
      queryClient.invalidateQueries({ queryKey: queryKeys.windows }),
    ]);
  }

  if (q.isError) return <LoadError error={q.error} onRetry={() => q.refetch()} />;

  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Space wrap style={{ width: "100%", justifyContent: "space-between" }}>
        <Space wrap>
          <Typography.Text>{t("cal.year")}</Typography.Text>
          <Select
            value={year}
            onChange={setYear}
            options={years.map((y) => ({ value: y, label: String(y) }))}
            style={{ width: 100 }}
            aria-label={t("cal.year")}
          />
          {q.data ? (
            <Typography.Text type="secondary">
              {t("cal.summary", { year, h: holidays, w: workdays })}
            </Typography.Text>
          ) : null}
        </Space>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => openEditor("new")}>
          {t("cal.add")}
        </Button>
      </Space>
      {q.data && days.length === 0 ? (
        <Alert type="warning" showIcon title={t("cal.empty", { year })} />
      ) : null}
      <Table<CalendarDay>
        rowKey="date"
        size="small"
        loading={q.isPending}
        dataSource={days}
        pagination={false}
        scroll={{ x: 520 }}
        columns={[
          {
            title: t("cal.date"),
            dataIndex: "date",
            render: (d: string) => formatCalendarDate(d, lang),
          },
          {
            title: t("cal.kind"),
            dataIndex: "kind",
            filters: [
              { text: t("cal.holiday"), value: "holiday" },
              { text: t("cal.workday"), value: "workday" },
            ],
            onFilter: (v, row) => row.kind === v,
            render: (k: CalendarKind) =>
              k === "holiday" ? (
                <Tag color="red">{t("cal.holiday")}</Tag>
              ) : (
                <Tag color="blue">{t("cal.workday")}</Tag>
              ),
          },
          { title: t("cal.name"), dataIndex: "name" },
          {
            title: t("common.actions"),
            key: "actions",
            render: (_: unknown, row) => (
              <Space size={4}>
                <Button size="small" icon={<EditOutlined />} onClick={() => openEditor(row)}>
                  {t("common.edit")}
                </Button>
                <Popconfirm
                  title={t("cal.deleteConfirm", { date: row.date })}
                  onConfirm={() => onDelete(row.date)}
                >
                  <Button size="small" danger icon={<DeleteOutlined />} loading={deleting === row.date}>
                    {t("common.delete")}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={
          editing === "new" || editing === null
            ? t("cal.addTitle")
            : t("cal.editTitle", { date: editing.date })
        }
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        okText={t("common.save")}
        confirmLoading={saving}
        forceRender
      >
        <Form form={form} layout="vertical" onFinish={onSave} requiredMark={false}>
          <Form.Item
            name="date"
            label={t("cal.date")}
            rules={[
              { required: true, message: t("common.required") },
              {
                validator: async (_r, v: Dayjs | undefined) => {
                  if (v && v.year() !== year) throw new Error(t("cal.wrongYear", { year }));
                },
              },
            ]}
          >
            <DatePicker
              style={{ width: "100%" }}
              disabled={editing !== "new"}
              defaultPickerValue={dayjs(`${year}-01-01`)}
              disabledDate={(d) => d.year() !== year}
            />
          </Form.Item>
          <Form.Item name="kind" label={t("cal.kind")} rules={[{ required: true }]}>
            <Radio.Group
              options={[
                { value: "holiday", label: t("cal.holiday") },
                { value: "workday", label: t("cal.workday") },
              ]}
            />
          </Form.Item>
          <Form.Item
            name="name"
            label={t("cal.name")}
            rules={[{ required: true, whitespace: true, message: t("common.required") }, { max: 20 }]}
          >
            <Input placeholder={t("cal.namePlaceholder")} maxLength={20} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
