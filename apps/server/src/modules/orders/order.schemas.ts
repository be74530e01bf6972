import { BUSINESS_CODES, ORDER_EVENTS, ORDER_STATES } from "@certhall/domain";
import { z } from "zod";
import { zHandlerInput } from "../subjects/subject.fields";

export const zOrderState = z.enum(ORDER_STATES);
export const zBusiness = z.enum(BUSINESS_CODES, { error: "业务类型无效" });

const zYears = z
  .number({ error: "请填写年限" })
  .int()
  .min(1, { error: "年限至少 1 年" })
  .max(5, { error: "年限最多 5 年" });

/**
 * One item. 新证 and 其他厂商介质证书更换 name a subject and a CA type; the other businesses name one of
 * the account's certificates and their own details. The service checks which fields the business needs.
 */
export const zItemInput = z.object({
  subjectId: z.string().max(64).optional(),
  caTypeId: z.string().max(64).optional(),
  years: zYears.optional(),
  eseal: z.boolean().default(false),
  certificateSerial: z.string().trim().max(64).optional(),
  vendorCertificate: z.string().max(90_000, { error: "证书文件过大（不能超过 64 KB）" }).optional(),
  keepKey: z.boolean().optional(),
  seal: z
    .object({
      name: z.string({ error: "请填写印章名称" }).max(60, { error: "印章名称最多 60 个字" }),
      kind: z.string({ error: "请选择印章类型" }).max(20),
      uploadId: z.string({ error: "请上传印章图片" }).max(64),
    })
    .optional(),
  changes: z
    .object({
      name: z.string().max(100).optional(),
      legalRep: z.string().max(50).optional(),
      address: z.string().max(200).optional(),
    })
    .optional(),
  reason: z.string().max(200, { error: "变更原因最多 200 个字" }).optional(),
  cause: z.enum(["lost", "broken"], { error: "补证原因应为介质遗失或损坏" }).optional(),
});

export const zOrderInput = z.object({
  business: zBusiness,
  subjectKind: z.enum(["company", "person"], { error: "主体类型应为企业或个人" }),
  handler: zHandlerInput,
  items: z
    .array(zItemInput)
    .min(1, { error: "请至少添加一项证书" })
    .max(20, { error: "一个订单最多 20 项证书" }),
  confirmed: z.boolean().optional(),
});

export const zFeeLine = z.object({ code: z.string(), labelZh: z.string(), amount: z.number() });

export const zOrderSummary = z.object({
  id: z.string(),
  orderNo: z.string(),
  business: z.string(),
  businessName: z.string(),
  subjectKind: z.string(),
  state: zOrderState,
  stateLabel: z.string(),
  version: z.number(),
  totalFen: z.number(),
  handlerName: z.string(),
  handlerPhoneMasked: z.string(),
  submittedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const zOrderDetail = zOrderSummary.extend({
  handler: z.object({ name: z.string(), idNumber: z.string(), phone: z.string() }),
  remittanceCode: z.string(),
  lastNote: z.string().nullable(),
  delivery: z.object({
    method: z.enum(["mail", "window"]).nullable(),
    windowId: z.string().nullable(),
    appointmentDate: z.string().nullable(),
    returnAddress: z.record(z.string(), z.string()).nullable(),
    courier: z.string().nullable(),
    trackingNo: z.string().nullable(),
  }),
  items: z.array(
    z.object({
      id: z.string(),
      subject: z.object({
        id: z.string(),
        kind: z.string(),
        name: z.string(),
        identity: z.string(),
        legalRep: z.string().nullable(),
        address: z.string().nullable(),
      }),
      caType: z.object({ id: z.string(), name: z.string() }),
      years: z.number(),
      eseal: z.boolean(),
      feeLines: z.array(zFeeLine),
      amountFen: z.number(),
      certificateSerial: z.string().nullable(),
      mediaSerial: z.string().nullable(),
      targetSerial: z.string().nullable(),
      details: z.record(z.string(), z.unknown()).nullable(),
      unlockCodeSentAt: z.string().nullable(),
    }),
  ),
  needsReview: z.boolean(),
  confirmed: z.boolean(),
  timeline: z.object({
    done: z.array(
      z.object({
        at: z.string(),
        event: z.string(),
        label: z.string(),
        actor: z.string(),
        note: z.string().nullable(),
        state: z.string(),
      }),
    ),
    current: z.object({
      state: z.string(),
      label: z.string(),
      next: z.string(),
      nextActor: z.string().nullable(),
    }),
    upcoming: z.array(z.object({ state: z.string(), label: z.string(), actor: z.string().nullable() })),
  }),
  actions: z.array(z.enum(ORDER_EVENTS)),
});

export const zOrderList = z.object({ orders: z.array(zOrderSummary), hasMore: z.boolean() });
export const zVersion = z.object({ version: z.number({ error: "缺少订单版本号" }).int().positive() });
export const zIdParam = z.object({ id: z.uuid({ error: "订单编号格式不正确" }) });
export const zListQuery = z.object({
  state: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(",") : undefined))
    .pipe(z.array(zOrderState).optional()),
  business: zBusiness.optional(),
  q: z.string().trim().max(60).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

export const zCandidates = z.object({
  certificates: z.array(
    z.object({
      serialHex: z.string(),
      subjectDn: z.string(),
      notBefore: z.string(),
      notAfter: z.string(),
      status: z.enum(["good", "revoked"]),
      subject: z.object({
        id: z.string(),
        kind: z.string(),
        name: z.string(),
        identity: z.string(),
        legalRep: z.string().nullable(),
        address: z.string().nullable(),
      }),
      caType: z.object({ id: z.string(), name: z.string() }),
      mediaSerial: z.string().nullable(),
      eligible: z.boolean(),
      problem: z.string().nullable(),
      heldBy: z.string().nullable(),
    }),
  ),
});

export const zVendorPreview = z.object({
  subject: z.string(),
  issuer: z.string(),
  serialHex: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  fingerprintSha256: z.string(),
  subjectFields: z.object({
    cn: z.string().optional(),
    o: z.string().optional(),
    serialNumber: z.string().optional(),
    uscc: z.string().optional(),
  }),
  estimatedEnd: z.string(),
  rule: z.enum(["plus_one_year", "two_years_from_processing"]),
});
