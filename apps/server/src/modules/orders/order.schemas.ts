import { BUSINESS_CODES, ORDER_EVENTS, ORDER_STATES, orderInputSchema } from "@certhall/domain";
import { z } from "zod";
import { zHandlerInput } from "../subjects/subject.fields";

export const zOrderState = z.enum(ORDER_STATES);
export const zBusiness = z.enum(BUSINESS_CODES, { error: "业务类型无效" });

export const zVersion = z.object({ version: z.number({ error: "缺少订单版本号" }).int().positive() });

/**
 * The order as the applicant sends it: one branch per business (its item schema is in the business's
 * definition in packages/domain), the fields every order carries given here.
 */
const orderFields = {
  subjectKind: z.enum(["company", "person"], { error: "主体类型应为企业或个人" }),
  handler: zHandlerInput,
  confirmed: z.boolean().optional(),
};
export const zCreateOrderInput = orderInputSchema({
  ...orderFields,
  clientToken: z.string().max(64).optional(),
  submit: z.boolean().default(false),
});
export const zUpdateOrderInput = orderInputSchema({ ...orderFields, ...zVersion.shape });

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
