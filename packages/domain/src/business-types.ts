// The nine business codes (业务类型) of the seed and the flags every business sets. The definitions
// themselves, one file per business, are in ./businesses; a new code here makes the compiler ask for
// its definition there.

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

export function isBusinessCode(value: unknown): value is BusinessCode {
  return typeof value === "string" && (BUSINESS_CODES as readonly string[]).includes(value);
}
