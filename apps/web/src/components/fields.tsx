import { PASSWORD_RULE, validateMobile, validatePassword } from "@certhall/domain";
import { Form, Input } from "antd";
import type { Rule } from "antd/es/form";
import { useI18n } from "../app/i18n";

/** The shared validators (packages/domain) as antd rules, so the browser says what the server would. */
export const mobileRule: Rule = {
  validator: async (_rule, value: unknown) => {
    const r = validateMobile(String(value ?? ""));
    if (!r.ok) throw new Error(r.reason);
  },
};

export function passwordRule(phoneField?: string): Rule {
  return ({ getFieldValue }) => ({
    validator: async (_rule, value: unknown) => {
      const phone = phoneField ? String(getFieldValue(phoneField) ?? "") : undefined;
      const r = validatePassword(String(value ?? ""), { phone });
      if (!r.ok) throw new Error(r.reason);
    },
  });
}

export function PhoneField({ autoFocus }: { autoFocus?: boolean }) {
  const { t } = useI18n();
  return (
    <Form.Item
      name="phone"
      label={t("field.phone")}
      rules={[mobileRule]}
      validateTrigger={["onChange", "onBlur"]}
      // Checked as typed, but only once typing pauses: no red "11 位" under the first digit.
      validateDebounce={400}
      normalize={(v: string) => v.replace(/\s+/g, "")}
    >
      <Input
        inputMode="tel"
        autoComplete="tel"
        maxLength={11}
        placeholder={t("field.phonePlaceholder")}
        autoFocus={autoFocus}
      />
    </Form.Item>
  );
}

/**
 * A new password and its confirmation. `name` is what the API calls it (`password` on register,
 * `newPassword` on reset/change) so server field errors land on it.
 */
export function NewPasswordFields({
  name,
  phoneField,
  label,
  confirmLabel,
}: {
  name: string;
  phoneField?: string;
  label?: string;
  confirmLabel?: string;
}) {
  const { t, lang } = useI18n();
  return (
    <>
      <Form.Item
        name={name}
        label={label ?? t("field.password")}
        rules={[passwordRule(phoneField)]}
        extra={lang === "zh" ? PASSWORD_RULE : t("password.hint")}
        validateTrigger={["onChange", "onBlur"]}
        validateDebounce={400}
        dependencies={phoneField ? [phoneField] : undefined}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name={`${name}Confirm`}
        label={confirmLabel ?? t("field.passwordConfirm")}
        dependencies={[name]}
        rules={[
          { required: true, message: t("validate.passwordMismatch") },
          ({ getFieldValue }) => ({
            validator: async (_rule, value: unknown) => {
              if (value && value !== getFieldValue(name)) throw new Error(t("validate.passwordMismatch"));
            },
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
    </>
  );
}
