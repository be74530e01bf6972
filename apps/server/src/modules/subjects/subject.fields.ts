import { validateIdCard, validateMobile, validateUscc } from "@certhall/domain";
import { z } from "zod";

// Identity fields validated with the shared rules (DESIGN §4: GB 32100-2015, GB 11643-1999, mobile),
// so the server says exactly what the web form says while the person types. Each trims and normalises
// (upper case; the ID check character x written as X) before the value reaches a service.

export const zUscc = z
  .string({ error: "请填写统一社会信用代码" })
  .max(40, { error: "统一社会信用代码应为 18 位" })
  .transform((v, ctx) => {
    const r = validateUscc(v);
    if (!r.ok) {
      ctx.addIssue({ code: "custom", message: r.reason });
      return z.NEVER;
    }
    return r.value;
  });

export const zIdNumber = z
  .string({ error: "请填写身份证号" })
  .max(40, { error: "身份证号应为 18 位" })
  .transform((v, ctx) => {
    const r = validateIdCard(v);
    if (!r.ok) {
      ctx.addIssue({ code: "custom", message: r.reason });
      return z.NEVER;
    }
    return r.value;
  });

export const zMobile = z
  .string({ error: "请填写手机号" })
  .max(20, { error: "手机号应为 11 位数字" })
  .transform((v, ctx) => {
    const r = validateMobile(v);
    if (!r.ok) {
      ctx.addIssue({ code: "custom", message: r.reason });
      return z.NEVER;
    }
    return r.value;
  });

/** A person's or company's name: trimmed, 1–100 characters, stored verbatim (escaping is the renderer's job). */
export const zName = (what: string) =>
  z
    .string({ error: `请填写${what}` })
    .trim()
    .min(1, { error: `请填写${what}` })
    .max(100, { error: `${what}最多 100 个字符` });

/** The handler (经办人) as an order form sends it; the order route reuses this under `handler`. */
export const zHandlerInput = z.object({
  name: zName("经办人姓名"),
  idNumber: zIdNumber,
  phone: zMobile,
});
