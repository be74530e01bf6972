import { z } from "zod";
import {
  type BusinessDefinition,
  COMPANY_IDENTITY,
  ownCertificateFields,
  PERSON_IDENTITY,
  WINDOW_STEPS,
} from "./define";

/** 注销: free; the window revokes each item's certificate. */
export const revoke = {
  code: "revoke",
  name: "注销",
  nameEn: "Revocation",
  description: "添加证书并勾选【是否注销】，提交订单并支付（不扣款），之后打印回执单，寄送材料或现场办理。",
  reviewBeforePay: false,
  payment: "zero",
  booking: "never",
  receipt: true,
  confirmation: "是否注销",
  target: "own_certificate",
  steps: [...WINDOW_STEPS, "revoke"],
  succeedsTarget: false,
  revocationReason: () => "cessationOfOperation",
  fees: () => [],
  // The medium is handed back so the key cannot be used after revocation.
  materials: {
    company: ["revoke_form", "certificate_media", ...COMPANY_IDENTITY],
    person: ["revoke_form", "certificate_media", ...PERSON_IDENTITY],
  },
  item: z.object(ownCertificateFields),
  describe: () => ["注销（证书吊销）"],
} satisfies BusinessDefinition<"revoke">;
