import { useQueryClient } from "@tanstack/react-query";
import { App, Button, Checkbox, Form, Modal, Typography } from "antd";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { register } from "../../api/portal";
import { useI18n } from "../../app/i18n";
import { queryKeys } from "../../app/queries";
import { useApiError } from "../../app/useApiError";
import { NewPasswordFields, PhoneField } from "../../components/fields";
import { Panel } from "../../components/Panel";
import { SmsCodeField } from "../../components/SmsCodeField";

interface RegisterValues {
  phone: string;
  code: string;
  password: string;
  passwordConfirm: string;
  agree: boolean;
}

export function RegisterPage() {
  const { t } = useI18n();
  const [form] = Form.useForm<RegisterValues>();
  const [submitting, setSubmitting] = useState(false);
  const [showAgreement, setShowAgreement] = useState(false);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const onError = useApiError();

  async function onFinish(values: RegisterValues) {
    setSubmitting(true);
    try {
      const { account } = await register({
        phone: values.phone,
        code: values.code,
        password: values.password,
      });
      queryClient.setQueryData(queryKeys.me, account);
      message.success(t("register.success"));
      navigate("/account", { replace: true });
    } catch (err) {
      onError(err, form);
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <div className="narrow-page">
      <Panel title={t("register.title")}>
        <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false} scrollToFirstError>
          <PhoneField autoFocus />
          <SmsCodeField form={form} purpose="register" />
          <NewPasswordFields name="password" phoneField="phone" />
          <Form.Item
            name="agree"
            valuePropName="checked"
            rules={[
              {
                validator: async (_r, v: unknown) => {
                  if (!v) throw new Error(t("validate.agreement"));
                },
              },
            ]}
          >
            <Checkbox>
              {t("register.agree")}
              <Typography.Link
                onClick={(e) => {
                  e.preventDefault();
                  setShowAgreement(true);
                }}
              >
                {t("register.agreementName")}
              </Typography.Link>
            </Checkbox>
          </Form.Item>
          <Form.Item style={{ marginBottom: 8 }}>
            <Button type="primary" htmlType="submit" block loading={submitting}>
              {t("register.submit")}
            </Button>
          </Form.Item>
          <Typography.Text type="secondary">
            {t("register.haveAccount")} <Link to="/login">{t("nav.login")}</Link>
          </Typography.Text>
        </Form>
      </Panel>
      <Modal
        open={showAgreement}
        title={t("register.agreementTitle")}
        onCancel={() => setShowAgreement(false)}
        footer={
          <Button
            type="primary"
            onClick={() => {
              form.setFieldValue("agree", true);
              form.validateFields(["agree"]).catch(() => undefined);
              setShowAgreement(false);
            }}
          >
            {t("common.confirm")}
          </Button>
        }
      >
        <Typography.Paragraph>{t("register.agreementText")}</Typography.Paragraph>
      </Modal>
    </div>
  );
}
