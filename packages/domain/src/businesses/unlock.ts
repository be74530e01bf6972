import { z } from "zod";
import { type BusinessDefinition, ownCertificateFields, PERSON_IDENTITY, WINDOW_STEPS } from "./define";

/** 解锁: free; the window (or the USB Key client with a one-time code) resets the medium's PIN. */
export const unlock = {
  code: "unlock",
  name: "解锁",
  nameEn: "Unlock",
  description: "添加需要解锁的证书，提交订单并支付（不扣款），之后打印回执单，寄送材料或现场办理。",
  reviewBeforePay: false,
  payment: "zero",
  booking: "never",
  receipt: true,
  confirmation: null,
  target: "own_certificate",
  steps: [...WINDOW_STEPS, "unlock"],
  succeedsTarget: false,
  revocationReason: null,
  fees: () => [],
  // The locked medium itself and the form; the PIN is reset on it.
  materials: {
    company: ["unlock_form", "certificate_media", "handler_id_copy"],
    person: ["unlock_form", "certificate_media", ...PERSON_IDENTITY],
  },
  item: z.object(ownCertificateFields),
  describe: () => ["介质解锁"],
} satisfies BusinessDefinition<"unlock">;
