import { z } from "zod";
import { REISSUE_CAUSES, type ReissueDetails } from "../items";
import {
  type BusinessDefinition,
  COMPANY_IDENTITY,
  feeParts,
  ownCertificateFields,
  PERSON_IDENTITY,
  WINDOW_STEPS,
} from "./define";

/** 补证: the medium is lost or broken; a successor on a new medium, the old certificate revoked. */
export const reissue = {
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
  target: "own_certificate",
  steps: [...WINDOW_STEPS, "issue"],
  succeedsTarget: true,
  // A lost medium may be in someone else's hands: its key counts as compromised.
  revocationReason: (d) =>
    (d as unknown as ReissueDetails).cause === "lost" ? "keyCompromise" : "superseded",
  fees: (p, o) => [{ code: "reissue", labelZh: "补证费", amount: p.reissueFee }, feeParts(p, o).media],
  // The medium is lost or broken, so a statement of loss replaces it.
  materials: {
    company: ["reissue_form", "loss_statement", ...COMPANY_IDENTITY],
    person: ["reissue_form", "loss_statement", ...PERSON_IDENTITY],
  },
  item: z.object({
    ...ownCertificateFields,
    cause: z.enum(["lost", "broken"], { error: "补证原因应为介质遗失或损坏" }).optional(),
  }),
  describe: (d) => {
    const cause = (d as unknown as ReissueDetails).cause;
    return cause ? [REISSUE_CAUSES[cause]] : [];
  },
} satisfies BusinessDefinition<"reissue">;
