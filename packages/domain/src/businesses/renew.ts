import { z } from "zod";
import type { RenewDetails } from "../items";
import { type BusinessDefinition, feeParts, NO_MATERIALS, ownCertificateFields, zYears } from "./define";

/** 延期: paid online, then 证书在线更新 from the browser or the USB Key client. */
export const renew = {
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
  target: "own_certificate",
  steps: ["start_payment", "update_online"],
  succeedsTarget: false,
  // The old certificate is not revoked: it runs out by itself.
  revocationReason: null,
  fees: (p, o) => {
    const f = feeParts(p, o);
    return [f.annual, ...f.esealIfChosen];
  },
  materials: NO_MATERIALS,
  item: z.object({ ...ownCertificateFields, years: zYears.optional(), keepKey: z.boolean().optional() }),
  describe: (d) => [(d as unknown as RenewDetails).keepKey ? "保留原密钥" : "更换新密钥"],
} satisfies BusinessDefinition<"renew">;
