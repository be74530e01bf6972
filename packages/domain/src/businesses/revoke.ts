import { z } from "zod";
import { REVOKE_REASON_LABELS, REVOKE_REASONS, revokeReasonOf } from "../items";
import {
  type BusinessDefinition,
  COMPANY_IDENTITY,
  ownCertificateFields,
  PERSON_IDENTITY,
  WINDOW_STEPS,
} from "./define";

/** 注销: free; the window revokes each item's certificate (and its lineage) with the applicant's reason. */
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
  revocationReason: (d) => revokeReasonOf(d),
  fees: () => [],
  // The medium is handed back so the key cannot be used after revocation.
  materials: {
    company: ["revoke_form", "certificate_media", ...COMPANY_IDENTITY],
    person: ["revoke_form", "certificate_media", ...PERSON_IDENTITY],
  },
  item: z.object({
    ...ownCertificateFields,
    reason: z
      .enum(REVOKE_REASONS, { error: "注销原因应为不再使用、单位或个人信息变更、私钥泄露或介质遗失之一" })
      .optional(),
  }),
  describe: (d) => ["注销（证书吊销）", `原因：${REVOKE_REASON_LABELS[revokeReasonOf(d)]}`],
} satisfies BusinessDefinition<"revoke">;
