import { z } from "zod";
import {
  type BusinessDefinition,
  COMPANY_IDENTITY,
  feeParts,
  ownCertificateFields,
  PERSON_IDENTITY,
  WINDOW_STEPS,
} from "./define";

/** 换证: a new medium and a successor certificate; the old one is superseded. */
export const replace = {
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
  target: "own_certificate",
  steps: [...WINDOW_STEPS, "issue"],
  succeedsTarget: true,
  revocationReason: () => "superseded",
  fees: (p, o) => [{ code: "replace", labelZh: "换证费", amount: p.replaceFee }, feeParts(p, o).media],
  materials: {
    company: ["replace_form", "certificate_media", ...COMPANY_IDENTITY],
    person: ["replace_form", "certificate_media", ...PERSON_IDENTITY],
  },
  item: z.object(ownCertificateFields),
  describe: () => ["换证（新介质、新证书，原证书作废）"],
} satisfies BusinessDefinition<"replace">;
