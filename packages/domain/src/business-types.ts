// The nine businesses (业务类型) of the seed, as data. DESIGN §2 turns each seed paragraph into the
// flags below; the order state machine reads these flags instead of having a flow per type, so adding
// a business means adding a row here (and the compiler insists on it through `satisfies`).

export const BUSINESS_CODES = [
  "new",
  "renew",
  "eseal",
  "change",
  "reissue",
  "unlock",
  "replace",
  "vendor_swap",
  "revoke",
] as const;

export type BusinessCode = (typeof BUSINESS_CODES)[number];

/** paid = the applicant pays a fee; zero = a zero-amount payment step (seed: "支付订单（不进行扣款）"). */
export type PaymentMode = "paid" | "zero";

/**
 * Finance booking (记账审核):
 * always        = finance books every payment before the order goes on (seed: "缴费成功后，财务会进行记账审核");
 * transfer_only = only bank transfers wait for booking (seed: "如果是通过银行转账，则需要等待财务记账");
 * never         = nothing to book (zero-amount orders).
 */
export type BookingMode = "always" | "transfer_only" | "never";

export interface BusinessType {
  code: BusinessCode;
  /** Chinese name as the seed and the UI use it. */
  name: string;
  nameEn: string;
  /** One line, from the seed, of what the applicant does. */
  description: string;
  /** A reviewer approves before the applicant may pay; the applicant gets an SMS on approval. */
  reviewBeforePay: boolean;
  payment: PaymentMode;
  booking: BookingMode;
  /** After payment/booking: print the receipt (回执单), send materials by mail or go to a window. */
  receipt: boolean;
  /** The box the applicant ticks to confirm a destructive business (seed: 【是否换证】, 【是否注销】). */
  confirmation: string | null;
}

// Annotated (not inferred) so a missing, extra or mislabelled row is a compile error.
export const BUSINESS_TYPES: { readonly [C in BusinessCode]: Readonly<BusinessType & { code: C }> } = {
  new: {
    code: "new",
    name: "新证申请",
    nameEn: "New certificate",
    description:
      "选择 CA 类型申请企业或个人新证，后台审核通过后短信通知缴费，财务记账后打印回执单，寄送材料或现场领取证书。",
    reviewBeforePay: true,
    payment: "paid",
    booking: "always",
    receipt: true,
    confirmation: null,
  },
  renew: {
    code: "renew",
    name: "延期",
    nameEn: "Renewal",
    description:
      "添加需要延期的证书，提交订单并缴费；银行转账需等待财务记账，之后点击【证书在线更新】完成更新。",
    reviewBeforePay: false,
    payment: "paid",
    booking: "transfer_only",
    receipt: false,
    confirmation: null,
  },
  eseal: {
    code: "eseal",
    name: "电子签章开通",
    nameEn: "E-seal activation",
    description:
      "添加需要开通电子签章的证书，提交订单并缴费；银行转账需等待财务记账，记账成功后即可使用电子签章。",
    reviewBeforePay: false,
    payment: "paid",
    booking: "transfer_only",
    receipt: false,
    confirmation: null,
  },
  change: {
    code: "change",
    name: "变更",
    nameEn: "Change of certificate details",
    description:
      "添加需要变更的企业/个人信息并提交订单；银行转账需等待财务记账，之后打印回执单，寄送材料或现场领取证书。",
    reviewBeforePay: false,
    payment: "paid",
    booking: "transfer_only",
    receipt: true,
    confirmation: null,
  },
  reissue: {
    code: "reissue",
    name: "补证",
    nameEn: "Reissue",
    description:
      "添加需要补办的证书，提交订单并缴费；银行转账需等待财务记账，之后打印回执单，寄送材料或现场领取证书。",
    reviewBeforePay: false,
    payment: "paid",
    booking: "transfer_only",
    receipt: true,
    confirmation: null,
  },
  unlock: {
    code: "unlock",
    name: "解锁",
    nameEn: "Unlock",
    description: "添加需要解锁的证书，提交订单并支付（不扣款），之后打印回执单，寄送材料或现场办理。",
    reviewBeforePay: false,
    payment: "zero",
    booking: "never",
    receipt: true,
    confirmation: null,
  },
  replace: {
    code: "replace",
    name: "换证",
    nameEn: "Replacement",
    description:
      "添加证书并勾选【是否换证】，提交订单并缴费；财务记账审核通过后打印回执单，寄送材料或现场领取证书。",
    reviewBeforePay: false,
    payment: "paid",
    booking: "always",
    receipt: true,
    confirmation: "是否换证",
  },
  vendor_swap: {
    code: "vendor_swap",
    name: "其他厂商介质证书更换",
    nameEn: "Replacement of another vendor's certificate",
    description:
      "插入其他厂商介质读取证书并确认，提交订单并缴纳 200 元电子印章费用（不收介质和年服务费）；财务记账后打印回执单办理。",
    reviewBeforePay: false,
    payment: "paid",
    booking: "always",
    receipt: true,
    confirmation: null,
  },
  revoke: {
    code: "revoke",
    name: "注销",
    nameEn: "Revocation",
    description: "添加证书并勾选【是否注销】，提交订单并支付（不扣款），之后打印回执单，寄送材料或现场办理。",
    reviewBeforePay: false,
    payment: "zero",
    booking: "never",
    receipt: true,
    confirmation: "是否注销",
  },
};

export function isBusinessCode(value: unknown): value is BusinessCode {
  return typeof value === "string" && (BUSINESS_CODES as readonly string[]).includes(value);
}

export function businessType(code: BusinessCode): BusinessType {
  return BUSINESS_TYPES[code];
}

/** All nine, in the seed's order (the order of the 业务办理 menu). */
export function listBusinessTypes(): BusinessType[] {
  return BUSINESS_CODES.map((code) => BUSINESS_TYPES[code]);
}
