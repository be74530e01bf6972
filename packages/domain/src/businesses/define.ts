// What a business definition holds, and the pieces several definitions share. Each business is one file
// beside this one exporting one `BusinessDefinition`; `./index.ts` collects them in a Record over the
// business codes, so the compiler refuses a missing or an extra one.

import { z } from "zod";
import type { BusinessCode, BusinessType } from "../business-types";
import type { CaTypePrices, FeeLine } from "../fees";
import type { MaterialCode, MaterialSubjectKind } from "../materials";

/**
 * The steps a person takes on an order or its items outside the order's own events (DESIGN §3). The
 * order machine (`decideAction` in orders.ts) says in which states each may run; a business lists the
 * ones it allows.
 */
export const ITEM_STEPS = [
  "start_payment",
  "receive_materials",
  "set_media",
  "issue",
  "unlock",
  "revoke",
  "deliver",
  "update_online",
] as const;
export type ItemStep = (typeof ITEM_STEPS)[number];

/** What an item names: one of the account's certificates, or a subject and a product. */
export type ItemTarget = "own_certificate" | "subject";

export interface BusinessDefinition<C extends BusinessCode = BusinessCode> extends BusinessType {
  code: C;
  target: ItemTarget;
  /** The item steps this business allows (the machine adds the states). */
  steps: readonly ItemStep[];
  /** The new certificate succeeds the item's target, which the window revokes in the same step. */
  succeedsTarget: boolean;
  /** The RFC 5280 reason the item's target is revoked with (on succession or 注销); null = never. */
  revocationReason: ((details: Record<string, unknown>) => string) | null;
  /** The fee lines of one item, from its product's prices. */
  fees: (prices: CaTypePrices, options: { years: number; eseal: boolean }) => FeeLine[];
  /** What to prepare for the window, per subject kind, in the receipt's order (empty: no receipt). */
  materials: Readonly<Record<MaterialSubjectKind, readonly MaterialCode[]>>;
  /** The item as the applicant sends it: this business's branch of the order input. */
  item: z.ZodObject;
  /** What an item does to its certificate, in words (receipt, window, order page); null: nothing to say. */
  describe: ((details: Record<string, unknown>) => string[]) | null;
}

export const MAX_YEARS = 5;

/** The fee lines every business picks from. */
export function feeParts(p: CaTypePrices, o: { years: number; eseal: boolean }) {
  const years = Math.max(1, Math.min(MAX_YEARS, Math.trunc(o.years)));
  const esealLine: FeeLine = { code: "eseal", labelZh: "电子签章费", amount: p.esealFee };
  return {
    annual: { code: "annual", labelZh: `年服务费 × ${years} 年`, amount: p.annualFee * years } as FeeLine,
    media: { code: "media", labelZh: "介质费", amount: p.mediaFee } as FeeLine,
    eseal: esealLine,
    /** The e-seal line when the applicant asked for one (新证, 延期). */
    esealIfChosen: o.eseal ? [esealLine] : [],
  };
}

export const COMPANY_IDENTITY: readonly MaterialCode[] = [
  "business_licence_copy",
  "handler_id_copy",
  "legal_rep_authorization",
];
export const PERSON_IDENTITY: readonly MaterialCode[] = ["person_id_copy"];
export const NO_MATERIALS = { company: [], person: [] } as const;

/** The steps of every business with a receipt whose items the window acts on. */
export const WINDOW_STEPS = ["start_payment", "receive_materials", "set_media", "deliver"] as const;

// The item fields, with the messages the applicant sees.
export const zYears = z
  .number({ error: "请填写年限" })
  .int()
  .min(1, { error: "年限至少 1 年" })
  .max(MAX_YEARS, { error: `年限最多 ${MAX_YEARS} 年` });

/** 新证, 其他厂商介质证书更换: the subject and product of an item. */
export const subjectItemFields = {
  subjectId: z.string().max(64).optional(),
  caTypeId: z.string().max(64).optional(),
  years: zYears.optional(),
};

/** Every other business: the account's certificate the item acts on. */
export const ownCertificateFields = {
  certificateSerial: z.string().trim().max(64).optional(),
};
