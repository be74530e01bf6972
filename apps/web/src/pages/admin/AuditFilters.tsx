import { DownloadOutlined, FilterOutlined } from "@ant-design/icons";
import { AUDIT_ACTION_GROUPS } from "@certhall/domain";
import { Button, DatePicker, Form, Input, Select, Space } from "antd";
import type { Dayjs } from "dayjs";
import { auditExportUrl } from "../../api/admin";
import type { AuditFilter } from "../../api/types";
import { useI18n } from "../../app/i18n";

interface Values {
  group?: string;
  actorType?: string;
  actor?: string;
  object?: string;
  range?: [Dayjs, Dayjs] | null;
}

/** The audit log's filters (applied on 筛选) and the export of what they select. */
export function AuditFilters({
  filter,
  onChange,
}: {
  filter: AuditFilter;
  onChange: (f: AuditFilter) => void;
}) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<Values>();
  const apply = (v: Values) =>
    onChange(
      Object.fromEntries(
        Object.entries({
          group: v.group,
          actorType: v.actorType,
          actor: v.actor?.trim(),
          object: v.object?.trim(),
          from: v.range?.[0]?.format("YYYY-MM-DD"),
          to: v.range?.[1]?.format("YYYY-MM-DD"),
        }).filter(([, x]) => x),
      ),
    );
  return (
    <Form form={form} layout="inline" onFinish={apply} style={{ rowGap: 8 }}>
      <Form.Item name="group">
        <Select
          allowClear
          placeholder={t("audit.group")}
          aria-label={t("audit.group")}
          style={{ width: 150 }}
          options={Object.entries(AUDIT_ACTION_GROUPS).map(([value, l]) => ({ value, label: l[lang] }))}
        />
      </Form.Item>
      <Form.Item name="actorType">
        <Select
          allowClear
          placeholder={t("audit.actorType")}
          aria-label={t("audit.actorType")}
          style={{ width: 130 }}
          options={[
            { value: "staff", label: t("audit.actorStaff") },
            { value: "applicant", label: t("audit.actorApplicant") },
            { value: "system", label: t("audit.actorSystem") },
          ]}
        />
      </Form.Item>
      <Form.Item name="actor">
        <Input
          allowClear
          placeholder={t("audit.actorFilter")}
          aria-label={t("audit.actor")}
          style={{ width: 230 }}
        />
      </Form.Item>
      <Form.Item name="object">
        <Input
          allowClear
          placeholder={t("audit.objectFilter")}
          aria-label={t("audit.object")}
          style={{ width: 250 }}
        />
      </Form.Item>
      <Form.Item name="range">
        <DatePicker.RangePicker />
      </Form.Item>
      <Space wrap>
        <Button type="primary" htmlType="submit" icon={<FilterOutlined />}>
          {t("audit.search")}
        </Button>
        <Button
          onClick={() => {
            form.resetFields();
            onChange({});
          }}
        >
          {t("audit.reset")}
        </Button>
        <Button icon={<DownloadOutlined />} href={auditExportUrl(filter, "xlsx")}>
          {t("audit.exportXlsx")}
        </Button>
        <Button icon={<DownloadOutlined />} href={auditExportUrl(filter, "csv")}>
          {t("audit.exportCsv")}
        </Button>
      </Space>
    </Form>
  );
}
