import { App, Button, Form, Typography } from "antd";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { resetPassword } from "../../api/portal";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";
import { NewPasswordFields, PhoneField } from "../../components/fields";
import { Panel } from "../../components/Panel";
import { SmsCodeField } from "../../components/SmsCodeField";

interface ResetValues {
  phone: string;
  code: string;
  newPassword: string;
  newPasswordConfirm: string;
}

export function ResetPasswordPage() {
  const { t } = useI18n();
  const [form] = Form.useForm<ResetValues>();
  const [submitting, setSubmitting] = useState(false);
  const navigate = useNavigate();
  const { message } = App.useApp();
  const onError = useApiError();

  async function onFinish(values: ResetValues) {
    setSubmitting(true);
    try {
      await resetPassword({ phone: values.phone, code: values.code, newPassword: values.newPassword });
      message.success(t("reset.success"));
      navigate("/login", { replace: true });
    } catch (err) {
      onError(err, form);
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <div className="narrow-page">
      <Panel title={t("reset.title")}>
        <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false} scrollToFirstError>
          <PhoneField autoFocus />
          <SmsCodeField form={form} purpose="reset_password" />
          <NewPasswordFields
            name="newPassword"
            phoneField="phone"
            label={t("field.newPassword")}
            confirmLabel={t("field.newPasswordConfirm")}
          />
          <Form.Item style={{ marginBottom: 8 }}>
            <Button type="primary" htmlType="submit" block loading={submitting}>
              {t("reset.submit")}
            </Button>
          </Form.Item>
          <Typography.Text type="secondary">
            <Link to="/login">{t("reset.backToLogin")}</Link>
          </Typography.Text>
        </Form>
      </Panel>
    </div>
  );
}
