import { LockOutlined, UserOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { App, Button, Form, Input, Layout, Space, Typography } from "antd";
import { useState } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { adminLogin } from "../../api/admin";
import { useI18n } from "../../app/i18n";
import { queryKeys, useAdminMe } from "../../app/queries";
import { useApiError } from "../../app/useApiError";
import { usePageTitle } from "../../app/usePageTitle";
import { LangSwitch } from "../../components/LangSwitch";
import { Panel } from "../../components/Panel";
import { safeNext } from "../../lib/next";

interface Values {
  username: string;
  password: string;
}

export function AdminLoginPage() {
  const { t } = useI18n();
  const [form] = Form.useForm<Values>();
  const [submitting, setSubmitting] = useState(false);
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const onError = useApiError();
  const me = useAdminMe();
  usePageTitle();

  // Already logged in (e.g. back button): straight to the dashboard.
  if (me.data && !submitting) return <Navigate to="/admin" replace />;

  async function onFinish(values: Values) {
    setSubmitting(true);
    try {
      const { staff } = await adminLogin({ username: values.username.trim(), password: values.password });
      queryClient.setQueryData(queryKeys.adminMe, staff);
      if (staff.mustChangePassword) {
        message.warning(t("admin.login.mustChange"));
        navigate("/admin/password", { replace: true });
      } else {
        message.success(t("login.success"));
        navigate(safeNext(params.get("next"), "/admin", "/admin"), { replace: true });
      }
    } catch (err) {
      onError(err, form);
      setSubmitting(false);
    }
  }

  return (
    <Layout style={{ minHeight: "100vh", background: "#001529" }}>
      <div style={{ display: "flex", justifyContent: "flex-end", padding: 12 }}>
        <LangSwitch dark />
      </div>
      <div style={{ display: "flex", justifyContent: "center", padding: "24px 16px" }}>
        <Panel style={{ width: "100%", maxWidth: 400 }}>
          <Space
            orientation="vertical"
            size={4}
            style={{ width: "100%", marginBottom: 24, textAlign: "center" }}
          >
            <img src="/favicon.svg" alt="" width={40} height={40} />
            <Typography.Title level={4} style={{ margin: 0 }}>
              {t("app.name")} · {t("app.admin")}
            </Typography.Title>
            <Typography.Text type="secondary">{t("admin.login.title")}</Typography.Text>
          </Space>
          <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false}>
            <Form.Item
              name="username"
              label={t("field.username")}
              rules={[{ required: true, whitespace: true, message: t("common.required") }]}
            >
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item
              name="password"
              label={t("field.password")}
              rules={[{ required: true, message: t("common.required") }]}
            >
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={submitting}>
              {t("admin.login.submit")}
            </Button>
          </Form>
          <div style={{ textAlign: "center", marginTop: 16 }}>
            <Link to="/">{t("admin.toPortal")}</Link>
          </div>
        </Panel>
      </div>
    </Layout>
  );
}
