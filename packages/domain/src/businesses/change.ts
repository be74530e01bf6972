import { z } from "zod";
import { CHANGE_LABELS, type ChangeDetails } from "../items";
import { type BusinessDefinition, ownCertificateFields, WINDOW_STEPS } from "./define";

/** 变更: new subject details in a successor certificate; the old one is superseded. */
export const change = {
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
  target: "own_certificate",
  steps: [...WINDOW_STEPS, "issue"],
  succeedsTarget: true,
  revocationReason: () => "superseded",
  fees: (p) => [{ code: "change", labelZh: "变更费", amount: p.changeFee }],
  materials: {
    company: [
      "change_form",
      "changed_licence_copy",
      "handler_id_copy",
      "legal_rep_authorization",
      "certificate_media",
    ],
    person: ["change_form", "changed_person_id_copy", "certificate_media"],
  },
  item: z.object({
    ...ownCertificateFields,
    changes: z
      .object({
        name: z.string().max(100).optional(),
        legalRep: z.string().max(50).optional(),
        address: z.string().max(200).optional(),
      })
      .optional(),
    reason: z.string().max(200, { error: "变更原因最多 200 个字" }).optional(),
  }),
  describe: (d) => {
    const c = d as unknown as ChangeDetails;
    const parts: string[] = [];
    for (const key of ["name", "legalRep", "address"] as const) {
      const v = c.changes?.[key];
      if (v) parts.push(`${CHANGE_LABELS[key]}改为 ${v}`);
    }
    if (c.reason) parts.push(`原因：${c.reason}`);
    return parts;
  },
} satisfies BusinessDefinition<"change">;
