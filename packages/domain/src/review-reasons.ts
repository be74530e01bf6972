/**
 * Why a reviewer sends an order back (驳回), as data: the order-level grounds the seed's reviewers use,
 * and the grounds for one uploaded material. The review page offers them as ticks beside free text;
 * the per-material rejection (materials panel) picks from the `material` ones.
 */
export interface ReviewReason {
  code: string;
  /** Where the reason applies: the order's facts, or one uploaded material. */
  scope: "order" | "material";
  labelZh: string;
  labelEn: string;
}

export const REVIEW_REASONS: readonly ReviewReason[] = [
  {
    code: "license_unclear",
    scope: "material",
    labelZh: "营业执照不清晰",
    labelEn: "Business licence unreadable",
  },
  {
    code: "license_mismatch",
    scope: "order",
    labelZh: "信息与营业执照不一致",
    labelEn: "Details differ from the licence",
  },
  { code: "uscc_wrong", scope: "order", labelZh: "统一社会信用代码有误", labelEn: "Wrong USCC" },
  {
    code: "legal_rep_wrong",
    scope: "order",
    labelZh: "法定代表人信息有误",
    labelEn: "Wrong legal representative",
  },
  { code: "handler_wrong", scope: "order", labelZh: "经办人信息有误", labelEn: "Wrong handler details" },
  {
    code: "id_card_wrong",
    scope: "material",
    labelZh: "身份证信息有误",
    labelEn: "ID card wrong or unreadable",
  },
  { code: "ca_type_wrong", scope: "order", labelZh: "CA 类型选择有误", labelEn: "Wrong CA type chosen" },
  { code: "seal_missing", scope: "material", labelZh: "未加盖公章", labelEn: "Company seal missing" },
  {
    code: "form_incomplete",
    scope: "material",
    labelZh: "申请表填写不完整",
    labelEn: "Application form incomplete",
  },
  { code: "expired_document", scope: "material", labelZh: "证件已过期", labelEn: "Document expired" },
];

export function reviewReasons(scope?: ReviewReason["scope"]): readonly ReviewReason[] {
  return scope ? REVIEW_REASONS.filter((r) => r.scope === scope) : REVIEW_REASONS;
}

/** The longest reason the order machine keeps (the reject route's note). */
export const REVIEW_REASON_MAX = 500;

/** Joins the ticked reasons (by label) and the free text into one reason ("；"-separated, as written in Chinese). */
export function composeReason(picks: readonly string[], text: string | undefined): string {
  return [...picks, (text ?? "").trim()].filter((s) => s.length > 0).join("；");
}
