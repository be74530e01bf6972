import { validateMobile, validatePassword } from "@certhall/domain";
import { z } from "zod";

/** Request fields shared by several routes, validated with the shared rules and Chinese messages. */
export const zPhone = z
  .string({ error: "请填写手机号" })
  .trim()
  .superRefine((v, ctx) => {
    const r = validateMobile(v);
    if (!r.ok) ctx.addIssue({ code: "custom", message: r.reason });
  });

export const zSmsCode = z
  .string({ error: "请填写验证码" })
  .trim()
  .regex(/^\d{6}$/, { error: "验证码应为 6 位数字" });

/** A new password: the domain's strength rule. (The phone-in-password check runs where the phone is known.) */
export const zNewPassword = z.string({ error: "请填写密码" }).superRefine((v, ctx) => {
  const r = validatePassword(v);
  if (!r.ok) ctx.addIssue({ code: "custom", message: r.reason });
});

/** An existing password being presented: only bounded, never echoed. */
export const zPassword = z.string({ error: "请填写密码" }).min(1, { error: "请填写密码" }).max(128);
