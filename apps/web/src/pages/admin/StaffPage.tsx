import { PlusOutlined } from "@ant-design/icons";
import { validateIdCard, validateMobile } from "@certhall/domain";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  App,
  Button,
  Card,
  Form,
  Grid,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from "antd";
import type { Rule } from "antd/es/form";
import { useState } from "react";
import { createStaff, listStaff, type NewStaffInput, setStaffDisabled } from "../../api/admin";
import { STAFF_ROLES, type StaffListItem, type StaffRole } from "../../api/types";
import { ROLE_COLORS } from "../../app/AdminLayout";
import { useI18n } from "../../app/i18n";
import { queryKeys, useAdminMe } from "../../app/queries";
import { useApiError } from "../../app/useApiError";
import { passwordRule } from "../../components/fields";
import { LoadError } from "../../components/PageLoading";
import { formatDateTime } from "../../lib/time";

type CreateValues = NewStaffInput;

/** An optional field checked by the shared validator when filled. */
const optional = (validate: (v: string) => { ok: true } | { ok: false; reason: string }): Rule => ({
  validator: async (_rule, value: unknown) => {
    const text = String(value ?? "").trim();
    if (!text) return;
    const r = validate(text);
    if (!r.ok) throw new Error(r.reason);
  },
});

export function StaffPage() {
  const { t } = useI18n();
  const me = useAdminMe().data;
  const q = useQuery({ queryKey: queryKeys.staff, queryFn: listStaff });
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const onError = useApiError();
  const [creating, setCreating] = useState(false);
  const [saving, setSaving] = useState(false);
  const [toggling, setToggling] = useState<string | null>(null);
  const [form] = Form.useForm<CreateValues>();
  const screens = Grid.useBreakpoint();

  async function toggle(row: StaffListItem) {
    setToggling(row.id);
    try {
      await setStaffDisabled(row.id, !row.disabled);
      await queryClient.invalidateQueries({ queryKey: queryKeys.staff });
      message.success(row.disabled ? t("staff.enabled") : t("staff.disabled"));
    } catch (err) {
      onError(err);
    } finally {
      setToggling(null);
    }
  }

  async function onCreate(values: CreateValues) {
    setSaving(true);
    try {
      await createStaff({
        ...values,
        username: values.username.trim(),
        name: values.name.trim(),
        phone: values.phone?.trim() || undefined,
        idNumber: values.idNumber?.trim() || undefined,
      });
      await queryClient.invalidateQueries({ queryKey: queryKeys.staff });
      message.success(t("staff.created", { username: values.username.trim() }));
      form.resetFields();
      setCreating(false);
    } catch (err) {
      onError(err, form);
    } finally {
      setSaving(false);
    }
  }

  if (q.isError) return <LoadError error={q.error} onRetry={() => q.refetch()} />;

  return (
    <Card
      title={t("staff.title")}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          {t("staff.create")}
        </Button>
      }
      styles={{ body: { padding: screens.md ? 24 : 8 } }}
    >
      <Table<StaffListItem>
        rowKey="id"
        loading={q.isPending}
        dataSource={q.data}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 900 }}
        size={screens.md ? "middle" : "small"}
        columns={[
          {
            title: t("field.username"),
            dataIndex: "username",
            render: (v: string, row) => (
              <Space size={4}>
                <Typography.Text strong>{v}</Typography.Text>
                {row.id === me?.id ? <Tag>{t("staff.self")}</Tag> : null}
              </Space>
            ),
          },
          { title: t("field.name"), dataIndex: "name" },
          {
            title: t("field.role"),
            dataIndex: "role",
            filters: STAFF_ROLES.map((r) => ({ text: t(`role.${r}`), value: r })),
            onFilter: (value, row) => row.role === value,
            render: (r: StaffRole) => <Tag color={ROLE_COLORS[r]}>{t(`role.${r}`)}</Tag>,
          },
          {
            title: t("staff.status"),
            dataIndex: "disabled",
            render: (d: boolean) =>
              d ? (
                <Tag color="default">{t("staff.disabled")}</Tag>
              ) : (
                <Tag color="green">{t("staff.enabled")}</Tag>
              ),
          },
          {
            title: t("staff.createdAt"),
            dataIndex: "createdAt",
            render: (v: string) => <span style={{ whiteSpace: "nowrap" }}>{formatDateTime(v)}</span>,
          },
          {
            title: t("staff.lastLogin"),
            dataIndex: "lastLoginAt",
            render: (v: string | null) =>
              v ? (
                <span style={{ whiteSpace: "nowrap" }}>{formatDateTime(v)}</span>
              ) : (
                <Typography.Text type="secondary">{t("staff.never")}</Typography.Text>
              ),
          },
          {
            title: t("common.actions"),
            key: "actions",
            fixed: "right",
            render: (_: unknown, row) =>
              // One's own account cannot be disabled from here: that would lock the last admin out.
              row.id === me?.id ? null : row.disabled ? (
                <Button size="small" loading={toggling === row.id} onClick={() => toggle(row)}>
                  {t("staff.enable")}
                </Button>
              ) : (
                <Popconfirm title={t("staff.disableConfirm")} onConfirm={() => toggle(row)}>
                  <Button size="small" danger loading={toggling === row.id}>
                    {t("staff.disable")}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      <Modal
        open={creating}
        title={t("staff.create")}
        onCancel={() => {
          setCreating(false);
          form.resetFields();
        }}
        onOk={() => form.submit()}
        okText={t("common.submit")}
        confirmLoading={saving}
        forceRender
      >
        <Form
          form={form}
          layout="vertical"
          onFinish={onCreate}
          requiredMark={false}
          initialValues={{ role: "reviewer" }}
        >
          <Form.Item
            name="username"
            label={t("field.username")}
            extra={t("staff.usernameRule")}
            rules={[
              { required: true, message: t("common.required") },
              { pattern: /^[a-z0-9._-]{3,32}$/, message: t("staff.usernameRule") },
            ]}
            normalize={(v: string) => v.trim().toLowerCase()}
          >
            <Input autoComplete="off" maxLength={32} />
          </Form.Item>
          <Form.Item
            name="name"
            label={t("field.name")}
            rules={[{ required: true, whitespace: true, message: t("common.required") }, { max: 50 }]}
          >
            <Input maxLength={50} />
          </Form.Item>
          <Form.Item name="role" label={t("field.role")} rules={[{ required: true }]}>
            <Select options={STAFF_ROLES.map((r) => ({ value: r, label: `${t(`role.${r}`)}（${r}）` }))} />
          </Form.Item>
          <Form.Item
            name="password"
            label={t("field.initialPassword")}
            extra={t("staff.initialPasswordHint")}
            rules={[passwordRule()]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            name="phone"
            label={t("field.phone")}
            extra={t("staff.dutiesHint")}
            rules={[optional(validateMobile)]}
          >
            <Input autoComplete="off" maxLength={11} inputMode="numeric" />
          </Form.Item>
          <Form.Item name="idNumber" label={t("subj.idNumber")} rules={[optional(validateIdCard)]}>
            <Input autoComplete="off" maxLength={18} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
