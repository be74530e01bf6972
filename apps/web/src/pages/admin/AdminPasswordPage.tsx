import { useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Form, Input } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router";
import { changeAdminPassword } from "../../api/admin";
import { useI18n } from "../../app/i18n";
import { queryKeys, useAdminMe } from "../../app/queries";
import { useApiError } from "../../app/useApiError";
import { NewPasswordFields } from "../../components/fields";

interface Values {
  currentPassword: string;
  newPassword: string;
  newPasswordConfirm: string;
}

export function AdminPasswordPage() {
  const { t } = useI18n();
  const staff = useAdminMe().data;
  const [form] = Form.useForm<Values>();
  const [submitting, setSubmitting] = useState(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const onError = useApiError();

  async function onFinish(values: Values) {
    setSubmitting(true);
    try {
      await changeAdminPassword({ currentPassword: values.currentPassword, newPassword: values.newPassword });
      form.resetFields();
      message.success(t("pw.changed"));
      const wasForced = staff?.mustChangePassword;
      await queryClient.invalidateQueries({ queryKey: queryKeys.adminMe });
      if (wasForced) navigate("/admin", { replace: true });
    } catch (err) {
      onError(err, form);
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <Card title={t("pw.title")} style={{ maxWidth: 480 }}>
      {staff?.mustChangePassword ? (
        <Alert type="warning" showIcon title={t("admin.login.mustChange")} style={{ marginBottom: 16 }} />
      ) : null}
      <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false}>
        <Form.Item
          name="currentPassword"
          label={t("field.currentPassword")}
          rules={[{ required: true, message: t("common.required") }]}
        >
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <NewPasswordFields
          name="newPassword"
          label={t("field.newPassword")}
          confirmLabel={t("field.newPasswordConfirm")}
        />
        <Button type="primary" htmlType="submit" loading={submitting} block>
          {t("pw.title")}
        </Button>
      </Form>
    </Card>
  );
}
