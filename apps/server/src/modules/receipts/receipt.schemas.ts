import { validateMobile } from "@certhall/domain";
import { z } from "zod";

// Response schemas are the whitelist of what leaves the server (STYLE: Infisical); the verification
// schema in particular cannot carry a phone, ID number or address even if the service returned one.

const zFeeLine = z.object({ code: z.string(), labelZh: z.string(), amount: z.number().int() });

export const zReceipt = z.object({
  title: z.string(),
  issuer: z.string(),
  orderId: z.string(),
  orderNo: z.string(),
  version: z.number().int(),
  business: z.string(),
  businessName: z.string(),
  subjectKind: z.enum(["company", "person"]),
  subjectKindLabel: z.string(),
  state: z.string(),
  stateLabel: z.string(),
  issuedAt: z.string(),
  printedAt: z.string(),
  subjects: z.array(
    z.object({
      kind: z.enum(["company", "person"]),
      name: z.string(),
      identity: z.string(),
      identityLabel: z.string(),
      legalRep: z.string().nullable(),
      address: z.string().nullable(),
    }),
  ),
  items: z.array(
    z.object({
      position: z.number().int(),
      subjectName: z.string(),
      caTypeName: z.string(),
      years: z.number().int(),
      eseal: z.boolean(),
      feeLines: z.array(zFeeLine),
      amountFen: z.number().int(),
      targetSerial: z.string().nullable(),
      what: z.string().nullable(),
    }),
  ),
  totalFen: z.number().int(),
  payments: z.array(
    z.object({
      method: z.string(),
      methodLabel: z.string(),
      status: z.string(),
      statusLabel: z.string(),
      amountFen: z.number().int(),
      tradeNo: z.string(),
      paidAt: z.string().nullable(),
      bookedAt: z.string().nullable(),
    }),
  ),
  paidFen: z.number().int(),
  handler: z.object({ name: z.string(), idNumberMasked: z.string(), phoneMasked: z.string() }),
  materials: z.array(z.object({ code: z.string(), zh: z.string(), en: z.string() })),
  windows: z.array(
    z.object({
      id: z.string(),
      code: z.string(),
      city: z.string(),
      name: z.string(),
      address: z.string(),
      phone: z.string(),
      hoursText: z.string(),
    }),
  ),
  mailing: z.object({ recipient: z.string(), phone: z.string(), address: z.string() }),
  delivery: z.object({
    method: z.enum(["mail", "window"]).nullable(),
    window: z.object({ id: z.string(), city: z.string(), name: z.string() }).nullable(),
    appointmentDate: z.string().nullable(),
    returnAddress: z.object({ name: z.string(), phone: z.string(), address: z.string() }).nullable(),
    courier: z.string().nullable(),
    trackingNo: z.string().nullable(),
    changeable: z.boolean(),
  }),
  verification: z.object({ token: z.string(), url: z.string(), qrDataUrl: z.string() }),
  notes: z.array(z.string()),
});

export const zVerification = z.object({
  valid: z.literal(true),
  orderNo: z.string(),
  businessName: z.string(),
  state: z.string(),
  stateLabel: z.string(),
  issuedDate: z.string(),
  subjects: z.array(z.string()).describe("Masked names: 福建****有限公司, 张**"),
  itemCount: z.number().int(),
  issuer: z.string(),
});

export const zTokenParam = z.object({ token: z.string().max(100) });

const zMobile = z
  .string({ error: "请填写手机号" })
  .trim()
  .superRefine((v, ctx) => {
    const r = validateMobile(v);
    if (!r.ok) ctx.addIssue({ code: "custom", message: r.reason });
  });

export const zDeliveryInput = z.discriminatedUnion(
  "method",
  [
    z.object({
      version: z.number({ error: "缺少订单版本号" }).int().positive(),
      method: z.literal("mail"),
      returnAddress: z.object({
        name: z.string({ error: "请填写收件人" }).trim().min(1, { error: "请填写收件人" }).max(50),
        phone: zMobile,
        address: z
          .string({ error: "请填写回寄地址" })
          .trim()
          .min(5, { error: "请填写完整的回寄地址" })
          .max(200),
      }),
    }),
    z.object({
      version: z.number({ error: "缺少订单版本号" }).int().positive(),
      method: z.literal("window"),
      windowId: z.string({ error: "请选择网点" }).min(1, { error: "请选择网点" }).max(64),
      date: z
        .string({ error: "请选择办理日期" })
        .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "日期格式应为 YYYY-MM-DD" }),
    }),
  ],
  { error: "请选择办理方式：邮寄（mail）或现场（window）" },
);
