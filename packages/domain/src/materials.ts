// The materials (办理材料) an applicant prepares after printing the receipt (回执单), per business and
// subject kind. The seed says only 「根据回执单上提供的信息准备相应的材料」 for every business with a
// receipt, so the lists follow what Fujian CAs ask for at the window: the business's application form
// (sealed by a company, signed by a person), the identity documents of the subject and the handler,
// and the medium (USB key) itself whenever the CA has to act on the certificate already issued.
// Codes are stable: the window ticks them off (order_materials.code), so never rename one.

import type { BusinessCode } from "./business-types";
import { BUSINESS_TYPES } from "./businesses";

export type MaterialSubjectKind = "company" | "person";

export const MATERIAL_CODES = [
  "new_form",
  "change_form",
  "reissue_form",
  "unlock_form",
  "replace_form",
  "vendor_swap_form",
  "revoke_form",
  "loss_statement",
  "business_licence_copy",
  "changed_licence_copy",
  "legal_rep_authorization",
  "handler_id_copy",
  "person_id_copy",
  "changed_person_id_copy",
  "certificate_media",
  "vendor_media",
  "eseal_form",
] as const;
export type MaterialCode = (typeof MATERIAL_CODES)[number];

export interface Material {
  code: MaterialCode;
  zh: string;
  en: string;
}

/** How a form is made binding: the company seal (公章) or the person's own signature. */
const SEAL = { company: "（加盖公章）", person: "（本人签字）" } as const;
const SEAL_EN = { company: " (with the company seal)", person: " (signed by the applicant)" } as const;

function form(code: MaterialCode, zh: string, en: string) {
  return (kind: MaterialSubjectKind): Material => ({
    code,
    zh: `${zh}${SEAL[kind]}`,
    en: `${en}${SEAL_EN[kind]}`,
  });
}

// Each entry is a function of the subject kind, so a text that differs between companies and
// persons (sealed or signed) lives next to its code.
const CATALOG: Record<MaterialCode, (kind: MaterialSubjectKind) => Material> = {
  new_form: form("new_form", "数字证书申请表", "Certificate application form"),
  change_form: form("change_form", "数字证书变更申请表", "Certificate change application form"),
  reissue_form: form("reissue_form", "数字证书补办申请表", "Certificate reissue application form"),
  unlock_form: form("unlock_form", "数字证书解锁申请表", "Certificate media unlock application form"),
  replace_form: form("replace_form", "数字证书换证申请表", "Certificate replacement application form"),
  vendor_swap_form: form(
    "vendor_swap_form",
    "其他厂商介质证书更换申请表",
    "Application form for replacing another vendor's certificate",
  ),
  revoke_form: form("revoke_form", "数字证书注销申请表", "Certificate revocation application form"),
  loss_statement: form("loss_statement", "证书介质遗失声明", "Statement of loss of the certificate medium"),
  business_licence_copy: () => ({
    code: "business_licence_copy",
    zh: "营业执照副本复印件（加盖公章）",
    en: "Copy of the business licence (duplicate original) with the company seal",
  }),
  changed_licence_copy: () => ({
    code: "changed_licence_copy",
    zh: "变更后的营业执照副本复印件（加盖公章）",
    en: "Copy of the amended business licence with the company seal",
  }),
  // Kept simple on purpose (brief): always listed, with the condition in the text, because the portal
  // does not know whether the handler is the legal representative.
  legal_rep_authorization: () => ({
    code: "legal_rep_authorization",
    zh: "法定代表人授权委托书（经办人非法定代表人时提供）",
    en: "Letter of authorisation from the legal representative (when the handler is not the legal representative)",
  }),
  handler_id_copy: () => ({
    code: "handler_id_copy",
    zh: "经办人身份证复印件",
    en: "Copy of the handler's ID card",
  }),
  person_id_copy: () => ({
    code: "person_id_copy",
    zh: "本人身份证复印件",
    en: "Copy of the applicant's own ID card",
  }),
  changed_person_id_copy: () => ({
    code: "changed_person_id_copy",
    zh: "变更后的身份证复印件及变更证明",
    en: "Copy of the new ID card and proof of the change",
  }),
  certificate_media: () => ({
    code: "certificate_media",
    zh: "原证书介质（USB Key）",
    en: "The certificate medium (USB key) concerned",
  }),
  // Uploaded with a 新证 item that asks for the e-seal (modules/materials); not on the receipt's list.
  eseal_form: () => ({
    code: "eseal_form",
    zh: "电子印章信息填报表（加盖公章）",
    en: "Electronic seal information form (with the company seal)",
  }),
  vendor_media: () => ({
    code: "vendor_media",
    zh: "其他厂商的原证书介质（USB Key）",
    en: "The other vendor's certificate medium (USB key)",
  }),
};

/** The materials an order of this business and subject kind needs; empty when it has no receipt. */
export function materialsFor(business: BusinessCode, kind: MaterialSubjectKind): Material[] {
  if (!BUSINESS_TYPES[business].receipt) return [];
  return BUSINESS_TYPES[business].materials[kind].map((code) => CATALOG[code](kind));
}

/** One material by code, in the wording for this subject kind (for the window's checklist). */
export function materialByCode(code: string, kind: MaterialSubjectKind): Material | null {
  return (MATERIAL_CODES as readonly string[]).includes(code) ? CATALOG[code as MaterialCode](kind) : null;
}
