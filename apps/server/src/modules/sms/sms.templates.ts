/**
 * Our SMS templates. The text is what the dev outbox shows and what a template-less provider would
 * send; providers with registered templates (Aliyun) send the template name's code plus `params`.
 */
export const SMS_TEMPLATES = {
  verify_code: (p: { code: string; purpose: string }) =>
    `您正在${p.purpose}，验证码 ${p.code}，5 分钟内有效。请勿告诉他人。`,
  password_changed: (_p: Record<string, never>) => "您的账号密码已修改。如非本人操作，请立即联系客服。",
} as const;

export type SmsTemplateName = keyof typeof SMS_TEMPLATES;
export type SmsTemplateParams<T extends SmsTemplateName> = Parameters<(typeof SMS_TEMPLATES)[T]>[0];

export function renderSms<T extends SmsTemplateName>(
  signName: string,
  template: T,
  params: SmsTemplateParams<T>,
): string {
  const render = SMS_TEMPLATES[template] as (p: SmsTemplateParams<T>) => string;
  return `【${signName}】${render(params)}`;
}
