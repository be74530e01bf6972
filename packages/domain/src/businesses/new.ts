import { z } from "zod";
import {
  type BusinessDefinition,
  COMPANY_IDENTITY,
  feeParts,
  PERSON_IDENTITY,
  subjectItemFields,
  WINDOW_STEPS,
} from "./define";

/** 新证申请: a subject and a CA type; reviewed before payment, issued at the window. */
export const newCertificate = {
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
  target: "subject",
  steps: [...WINDOW_STEPS, "issue"],
  succeedsTarget: false,
  revocationReason: null,
  fees: (p, o) => {
    const f = feeParts(p, o);
    return [{ code: "cert", labelZh: "证书费", amount: p.certFee }, f.media, f.annual, ...f.esealIfChosen];
  },
  materials: {
    company: ["new_form", ...COMPANY_IDENTITY],
    person: ["new_form", ...PERSON_IDENTITY],
  },
  item: z.object({ ...subjectItemFields, eseal: z.boolean().default(false) }),
  // Its CA type and years say it all.
  describe: null,
} satisfies BusinessDefinition<"new">;
