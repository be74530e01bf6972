import type { BusinessCode } from "@certhall/domain";

/** One material the window ticks off: a stable code (stored in order_materials) and its Chinese text. */
export interface RequiredMaterial {
  code: string;
  labelZh: string;
}

// 新证 materials as the receipt lists them (seed: 「根据回执单上提供的信息准备相应的材料」). Kept here until
// packages/domain/src/materials.ts lands; then this module only adapts that list.
const NEW_COMPANY: RequiredMaterial[] = [
  { code: "application_form_sealed", labelZh: "数字证书申请表（加盖公章）" },
  { code: "business_licence_copy", labelZh: "营业执照副本复印件（加盖公章）" },
  { code: "handler_id_copy", labelZh: "经办人身份证复印件" },
  { code: "authorization_letter", labelZh: "法定代表人授权委托书（经办人非法定代表人时提供）" },
];
const NEW_PERSON: RequiredMaterial[] = [
  { code: "application_form_signed", labelZh: "数字证书申请表（本人签字）" },
  { code: "id_card_copy", labelZh: "身份证复印件" },
];

export function requiredMaterials(business: BusinessCode, kind: "company" | "person"): RequiredMaterial[] {
  if (business === "new") return kind === "company" ? NEW_COMPANY : NEW_PERSON;
  return [];
}
