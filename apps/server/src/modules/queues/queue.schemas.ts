import { isValidIsoDate, ORDER_STATES } from "@certhall/domain";
import { z } from "zod";
import { zBusiness } from "../orders/order.schemas";

const zDate = (label: string) =>
  z
    .string()
    .refine((s) => isValidIsoDate(s), { error: `${label}格式应为 YYYY-MM-DD` })
    .optional();

const zFen = (label: string) =>
  z.coerce
    .number({ error: `${label}应为金额（分）` })
    .int({ error: `${label}应为整数（分）` })
    .min(0, { error: `${label}不能为负数` })
    .max(10_000_000_000, { error: `${label}过大` })
    .optional();

/** A keyset cursor: the `next` of the previous page's answer. */
export const zAfter = z.string().max(400, { error: "分页位置无效，请回到第一页" }).optional();

/** The filters every queue takes (its own states or delivery are fixed by the route). */
export const zQueueQuery = z.object({
  state: z
    .string()
    .max(200)
    .optional()
    .transform((s) => (s ? s.split(",") : undefined))
    .pipe(z.array(z.enum(ORDER_STATES, { error: "订单状态无效" })).optional()),
  business: zBusiness.optional(),
  caType: z.string().max(64, { error: "CA 类型无效" }).optional(),
  window: z.string().max(64, { error: "办理网点无效" }).optional(),
  date: zDate("预约日期"),
  from: zDate("开始日期"),
  to: zDate("结束日期"),
  minFen: zFen("最低金额"),
  maxFen: zFen("最高金额"),
  q: z.string().trim().max(60, { error: "搜索关键字不能超过 60 个字符" }).optional(),
  mail: z.enum(["expected", "received"], { error: "邮件状态应为 expected 或 received" }).optional(),
  after: zAfter,
  limit: z.coerce
    .number({ error: "条数应为数字" })
    .int()
    .min(1, { error: "条数至少为 1" })
    .max(100, { error: "条数不能超过 100" })
    .default(20),
});
export type QueueQuery = z.infer<typeof zQueueQuery>;

export const zQueueRow = z.object({
  id: z.string(),
  orderNo: z.string(),
  business: z.string(),
  businessName: z.string(),
  state: z.string(),
  stateLabel: z.string(),
  version: z.number(),
  totalFen: z.number(),
  subjectName: z.string(),
  subjectIdentity: z.string(),
  otherSubjects: z.number(),
  caTypes: z.array(z.string()),
  handlerName: z.string(),
  handlerPhoneMasked: z.string(),
  remittanceCode: z.string(),
  delivery: z.string().nullable(),
  windowId: z.string().nullable(),
  appointmentDate: z.string().nullable(),
  mail: z.object({ courier: z.string(), waybill: z.string(), receivedAt: z.string().nullable() }).nullable(),
  claimedBy: z.string().nullable(),
  submittedAt: z.string(),
  waitedMinutes: z.number(),
});

export const zQueueAnswer = z.object({ rows: z.array(zQueueRow), next: z.string().nullable() });

export const zWaybill = z.object({
  courier: z
    .string({ error: "请填写快递公司" })
    .trim()
    .min(2, { error: "快递公司至少 2 个字" })
    .max(20, { error: "快递公司不能超过 20 个字" }),
  waybill: z
    .string({ error: "请填写快递单号" })
    .trim()
    .regex(/^[A-Za-z0-9-]{6,32}$/, { error: "快递单号应为 6–32 位字母、数字或短横线" }),
});

export const zSavedFilter = z.object({
  name: z
    .string({ error: "请填写筛选名称" })
    .trim()
    .min(1, { error: "请填写筛选名称" })
    .max(30, { error: "筛选名称不能超过 30 个字" }),
  query: z.string({ error: "请提供筛选条件" }).max(1000, { error: "筛选条件过长" }),
});

export const QUEUES = ["review", "appointments", "mail", "payments"] as const;
