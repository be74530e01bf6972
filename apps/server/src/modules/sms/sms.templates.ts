/**
 * Our SMS templates. The text is what the dev outbox shows and what a template-less provider would
 * send; providers with registered templates (Aliyun) send the template name's code plus `params`.
 */
export const SMS_TEMPLATES = {
  verify_code: (p: { code: string; purpose: string }) =>
    `您正在${p.purpose}，验证码 ${p.code}，5 分钟内有效。请勿告诉他人。`,
  password_changed: (_p: Record<string, never>) => "您的账号密码已修改。如非本人操作，请立即联系客服。",
  order_approved: (p: { orderNo: string }) => `您的订单 ${p.orderNo} 审核通过，可进行缴费。`,
  order_rejected: (p: { orderNo: string; reason: string }) =>
    `您的订单 ${p.orderNo} 未通过审核，原因：${p.reason}。请登录修改后重新提交。`,
  payment_booked: (p: { orderNo: string }) =>
    `您的订单 ${p.orderNo} 款项已记账，可登录打印回执单并准备材料。`,
  // Paid online (no booking by finance for this business): says paid, never 「已记账」.
  payment_received: (p: { orderNo: string }) =>
    `您的订单 ${p.orderNo} 已缴费成功，可登录打印回执单并准备材料。`,
  // A zero-amount business (解锁, 注销): nothing was paid or booked.
  order_accepted: (p: { orderNo: string }) =>
    `您的订单 ${p.orderNo} 已受理（本业务不收费），可登录打印回执单并准备材料。`,
  payment_returned: (p: { orderNo: string; reason: string }) =>
    `您的订单 ${p.orderNo} 付款未能记账，原因：${p.reason}。请登录查看并重新缴费。`,
  order_ready: (p: { orderNo: string }) => `您的订单 ${p.orderNo} 已缴费成功，可登录在线办理。`,
  materials_received: (p: { orderNo: string }) => `您的订单 ${p.orderNo} 材料已收齐，正在办理。`,
  certificate_issued: (p: { orderNo: string }) =>
    `您的订单 ${p.orderNo} 证书已签发，请按约定领取或等待寄出。`,
  order_completed: (p: { orderNo: string; how: string }) => `您的订单 ${p.orderNo} 已办结：${p.how}。`,
  // The one-time unlock code (解锁授权码) for the token client: the whole authorisation, so it names
  // the key it is bound to and warns not to pass it on.
  unlock_code: (p: { orderNo: string; code: string; mediaSerial: string; date: string }) =>
    `您的订单 ${p.orderNo} 解锁授权码：${p.code}，仅限序列号 ${p.mediaSerial} 的介质使用一次，${p.date} 前有效。请勿告诉他人。`,
  certificate_expiring: (p: { subject: string; date: string; days: string; url: string }) =>
    `您的证书（${p.subject}）将于 ${p.date} 到期，剩余 ${p.days} 天，请登录 ${p.url} 办理延期。`,
  eseal_enabled: (p: { orderNo: string; count: string }) =>
    `您的订单 ${p.orderNo} 已开通电子签章 ${p.count} 枚，即日起可用，请登录下载签章。`,
} as const;

export type SmsTemplateName = keyof typeof SMS_TEMPLATES;

/**
 * The parameters that are secrets: whoever reads them can act as the recipient (a verification code,
 * a 7-day unlock code that with the media serial beside it buys the SO PIN). The outbox keeps them
 * only until the message is handed to the gateway (modules/sms/sms.outbox.ts).
 */
export const SMS_SECRET_PARAMS: { [T in SmsTemplateName]?: readonly (keyof SmsTemplateParams<T>)[] } = {
  verify_code: ["code"],
  unlock_code: ["code"],
};

export const SMS_REDACTED = "******";

/** The stored params and text of a message with its secret parameters replaced by SMS_REDACTED. */
export function redactSms(
  template: string,
  params: Record<string, string>,
  text: string,
): { params: Record<string, string>; text: string } {
  const secret = (SMS_SECRET_PARAMS as Record<string, readonly string[] | undefined>)[template] ?? [];
  let redactedText = text;
  const redacted = { ...params };
  for (const key of secret) {
    const value = params[key];
    if (!value) continue;
    redactedText = redactedText.split(value).join(SMS_REDACTED);
    redacted[key] = SMS_REDACTED;
  }
  return { params: redacted, text: redactedText };
}
export type SmsTemplateParams<T extends SmsTemplateName> = Parameters<(typeof SMS_TEMPLATES)[T]>[0];

export function renderSms<T extends SmsTemplateName>(
  signName: string,
  template: T,
  params: SmsTemplateParams<T>,
): string {
  const render = SMS_TEMPLATES[template] as (p: SmsTemplateParams<T>) => string;
  return `【${signName}】${render(params)}`;
}
