import { z } from "zod";
import type { VendorSwapDetails } from "../items";
import {
  type BusinessDefinition,
  COMPANY_IDENTITY,
  PERSON_IDENTITY,
  subjectItemFields,
  WINDOW_STEPS,
} from "./define";

/** The seed: 「更换证书，不收取介质和年服务费，只收 200 电子印章费用」. */
export const VENDOR_SWAP_FEE = 20_000;

/** 其他厂商介质证书更换: a subject, a product and another vendor's certificate read from its medium. */
export const vendorSwap = {
  code: "vendor_swap",
  name: "其他厂商介质证书更换",
  nameEn: "Replacement of another vendor's certificate",
  description:
    "插入其他厂商介质读取证书并确认，提交订单并缴纳 200 元电子印章费用（不收介质和年服务费）；财务记账后打印回执单办理。",
  reviewBeforePay: false,
  payment: "paid",
  booking: "always",
  receipt: true,
  confirmation: null,
  target: "subject",
  steps: [...WINDOW_STEPS, "issue"],
  succeedsTarget: false,
  revocationReason: null,
  fees: () => [
    { code: "vendor_swap", labelZh: "电子印章费（其他厂商介质证书更换）", amount: VENDOR_SWAP_FEE },
  ],
  materials: {
    company: ["vendor_swap_form", "vendor_media", ...COMPANY_IDENTITY],
    person: ["vendor_swap_form", "vendor_media", ...PERSON_IDENTITY],
  },
  item: z.object({
    ...subjectItemFields,
    vendorCertificate: z.string().max(90_000, { error: "证书文件过大（不能超过 64 KB）" }).optional(),
  }),
  describe: (d) => {
    const v = (d as unknown as VendorSwapDetails).vendor;
    return v ? [`原证书 ${v.serialHex}（${v.issuer}）`] : [];
  },
} satisfies BusinessDefinition<"vendor_swap">;
