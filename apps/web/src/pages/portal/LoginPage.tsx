import { useQueryClient } from "@tanstack/react-query";
import { App, Button, Form, Input, Space } from "antd";
import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { login } from "../../api/portal";
import { useI18n } from "../../app/i18n";
import { queryKeys } from "../../app/queries";
import { useApiError } from "../../app/useApiError";
import { PhoneField } from "../../components/fields";
import { Panel } from "../../components/Panel";
import { safeNext } from "../../lib/next";

interface LoginValues {
  phone: string;
  password: string;
}

export function LoginPage() {
  const { t } = useI18n();
  const [form] = Form.useForm<LoginValues>();
  const [submitting, setSubmitting] = useState(false);
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const onError = useApiError();

  async function onFinish(values: LoginValues) {
    setSubmitting(true);
    try {
      const { account } = await login(values);
      queryClient.setQueryData(queryKeys.me, account);
      message.success(t("login.success"));
      navigate(safeNext(params.get("next"), "/account", "/"), { replace: true });
    } catch (err) {
      onError(err, form);
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <div className="narrow-page">
      <Panel title={t("login.title")}>
        <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false}>
          <PhoneField autoFocus />
          <Form.Item
            name="password"
            label={t("field.password")}
            rules={[{ required: true, message: t("common.required") }]}
          >
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Form.Item style={{ marginBottom: 8 }}>
            <Button type="primary" htmlType="submit" block loading={submitting}>
              {t("login.submit")}
            </Button>
          </Form.Item>
          <Space style={{ width: "100%", justifyContent: "space-between" }} wrap>
            {/* Plain text, not Typography: the login page loads nothing it does not show. */}
            <span className="text-secondary">
              {t("login.noAccount")} <Link to="/register">{t("nav.register")}</Link>
            </span>
            <Link to="/reset-password">{t("login.forgot")}</Link>
          </Space>
        </Form>
      </Panel>
    </div>
  );
}
