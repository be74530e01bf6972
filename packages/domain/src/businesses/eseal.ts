import { z } from "zod";
import type { EsealDetails } from "../items";
import { type BusinessDefinition, feeParts, NO_MATERIALS, ownCertificateFields } from "./define";

/** 电子签章开通: a seal picture on an own certificate, usable once paid (and booked). */
export const eseal = {
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
  target: "own_certificate",
  steps: ["start_payment"],
  succeedsTarget: false,
  revocationReason: null,
  fees: (p, o) => [feeParts(p, o).eseal],
  materials: NO_MATERIALS,
  item: z.object({
    ...ownCertificateFields,
    seal: z
      .object({
        name: z.string({ error: "请填写印章名称" }).max(60, { error: "印章名称最多 60 个字" }),
        kind: z.string({ error: "请选择印章类型" }).max(20),
        uploadId: z.string({ error: "请上传印章图片" }).max(64),
      })
      .optional(),
  }),
  describe: (d) => {
    const e = d as unknown as EsealDetails;
    return e.sealName ? [`印章「${e.sealName}」（${e.sealKind}）`] : [];
  },
} satisfies BusinessDefinition<"eseal">;
