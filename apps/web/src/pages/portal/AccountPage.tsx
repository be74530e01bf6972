import { EditOutlined, LogoutOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Col, Descriptions, Form, Input, Row, Space, Typography } from "antd";
import { useState } from "react";
import { Navigate, useNavigate } from "react-router";
import { changeMyPassword, logout, updateMe } from "../../api/portal";
import type { Account } from "../../api/types";
import { useI18n } from "../../app/i18n";
import { queryKeys, useMe } from "../../app/queries";
import { useApiError } from "../../app/useApiError";
import { NewPasswordFields } from "../../components/fields";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { formatDateTime } from "../../lib/time";

export function AccountPage() {
  const me = useMe();
  if (me.isPending) return <PageLoading />;
  if (me.isError) return <LoadError error={me.error} onRetry={() => me.refetch()} />;
  if (!me.data) return <Navigate to="/login?next=%2Faccount" replace />;
  return <AccountView account={me.data} />;
}

function AccountView({ account }: { account: Account }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const onError = useApiError();
  const [editingName, setEditingName] = useState(false);
  const [nameForm] = Form.useForm<{ name: string }>();
  const [pwForm] = Form.useForm<{
    currentPassword: string;
    newPassword: string;
    newPasswordConfirm: string;
  }>();
  const [busy, setBusy] = useState<"name" | "password" | "logout" | null>(null);

  async function saveName(values: { name: string }) {
    setBusy("name");
    try {
      const { account: updated } = await updateMe({ name: values.name.trim() });
      queryClient.setQueryData(queryKeys.me, updated);
      setEditingName(false);
      message.success(t("common.saved"));
    } catch (err) {
      onError(err, nameForm);
    } finally {
      setBusy(null);
    }
  }

  async function changePassword(values: { currentPassword: string; newPassword: string }) {
    setBusy("password");
    try {
      await changeMyPassword({ currentPassword: values.currentPassword, newPassword: values.newPassword });
      pwForm.resetFields();
      message.success(t("account.passwordChanged"));
    } catch (err) {
      onError(err, pwForm);
    } finally {
      setBusy(null);
    }
  }

  async function doLogout() {
    setBusy("logout");
    try {
      await logout();
      // Leave the page first: clearing the session while still on /account would redirect to /login.
      await navigate("/", { replace: true });
      queryClient.setQueryData(queryKeys.me, null);
      message.success(t("account.loggedOut"));
    } catch (err) {
      onError(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="page" style={{ maxWidth: 880 }}>
      <Space style={{ width: "100%", justifyContent: "space-between", marginBottom: 16 }} wrap>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t("account.title")}
        </Typography.Title>
        <Button icon={<LogoutOutlined />} onClick={doLogout} loading={busy === "logout"}>
          {t("account.logout")}
        </Button>
      </Space>
      <Row gutter={[16, 16]}>
        <Col xs={24} md={12}>
          <Card title={t("account.info")} style={{ height: "100%" }}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t("field.phone")}>{account.phoneMasked}</Descriptions.Item>
              <Descriptions.Item label={t("field.name")}>
                {editingName ? (
                  <Form
                    form={nameForm}
                    layout="inline"
                    initialValues={{ name: account.name ?? "" }}
                    onFinish={saveName}
                    style={{ width: "100%", rowGap: 8 }}
                  >
                    <Form.Item
                      name="name"
                      rules={[
                        { required: true, whitespace: true, message: t("common.required") },
                        { max: 50 },
                      ]}
                      style={{ flex: 1, minWidth: 120 }}
                    >
                      <Input autoFocus maxLength={50} />
                    </Form.Item>
                    <Space>
                      <Button type="primary" htmlType="submit" loading={busy === "name"}>
                        {t("common.save")}
                      </Button>
                      <Button onClick={() => setEditingName(false)}>{t("common.cancel")}</Button>
                    </Space>
                  </Form>
                ) : (
                  <Space>
                    {account.name ?? (
                      <Typography.Text type="secondary">{t("account.noName")}</Typography.Text>
                    )}
                    <Button
                      type="link"
                      size="small"
                      icon={<EditOutlined />}
                      onClick={() => setEditingName(true)}
                      aria-label={t("account.editName")}
                    >
                      {t("common.edit")}
                    </Button>
                  </Space>
                )}
              </Descriptions.Item>
              <Descriptions.Item label={t("field.createdAt")}>
                {formatDateTime(account.createdAt)}
              </Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} md={12}>
          <Card title={t("account.changePassword")}>
            <Form form={pwForm} layout="vertical" onFinish={changePassword} requiredMark={false}>
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
              <Button type="primary" htmlType="submit" loading={busy === "password"} block>
                {t("account.changePassword")}
              </Button>
            </Form>
          </Card>
        </Col>
      </Row>
    </div>
  );
}
