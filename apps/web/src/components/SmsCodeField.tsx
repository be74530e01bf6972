import { validateMobile } from "@certhall/domain";
import { App, Button, Form, type FormInstance, Input, Space } from "antd";
import { useState } from "react";
import { ApiError } from "../api/client";
import { sendSmsCode } from "../api/portal";
import type { SmsPurpose } from "../api/types";
import { useI18n } from "../app/i18n";
import { useApiError } from "../app/useApiError";
import { useCountdown } from "./useCountdown";

/**
 * 6-digit SMS code input with 【获取验证码】. The server decides the wait (60 s between sends, DESIGN §4)
 * and says so in `retryAfterSeconds`, also when it refuses a send that came too early.
 */
export function SmsCodeField({
  form,
  purpose,
  formName = "",
  send: sender,
}: {
  form: FormInstance;
  purpose: SmsPurpose;
  /** Sends the code when it takes more than the phone (the progress query also sends the order number). */
  send?: (phone: string) => Promise<{ retryAfterSeconds?: number }>;
  /** The `name` of the enclosing <Form>, which antd prefixes to input ids. */
  formName?: string;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const { remaining, start } = useCountdown();
  const [sending, setSending] = useState(false);

  async function send() {
    const phone = String(form.getFieldValue("phone") ?? "").trim();
    const check = validateMobile(phone);
    if (!check.ok) {
      form.setFields([{ name: "phone", errors: [check.reason] }]);
      message.warning(t("sms.phoneFirst"));
      return;
    }
    setSending(true);
    try {
      const res = await (sender ? sender(check.value) : sendSmsCode(check.value, purpose));
      start(res.retryAfterSeconds ?? 60);
      // The server answers alike whether the phone is registered (no account enumeration), so the
      // message says when no code will come.
      message.success(t(`sms.sent.${purpose}`));
    } catch (err) {
      if (err instanceof ApiError && err.retryAfterSeconds) start(err.retryAfterSeconds);
      onError(err, form);
    } finally {
      setSending(false);
    }
  }

  return (
    // The label sits on the outer item (the input and button share a row), so point it at the input by id.
    <Form.Item label={t("field.code")} htmlFor={`${formName}code`} required>
      <Space.Compact style={{ width: "100%" }}>
        <Form.Item
          name="code"
          noStyle
          rules={[
            { required: true, message: t("validate.codeFormat") },
            { pattern: /^\d{6}$/, message: t("validate.codeFormat") },
          ]}
        >
          <Input
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            placeholder={t("field.codePlaceholder")}
          />
        </Form.Item>
        <Button onClick={send} loading={sending} disabled={remaining > 0} style={{ minWidth: 128 }}>
          {remaining > 0 ? t("sms.resend", { s: remaining }) : t("sms.send")}
        </Button>
      </Space.Compact>
    </Form.Item>
  );
}
