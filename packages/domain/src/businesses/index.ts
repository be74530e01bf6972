// The nine businesses (业务类型), one definition each. DESIGN §2 turns each seed paragraph into the flags
// of its definition; the order machine reads those flags and the item steps a business allows instead of
// having a flow per business. A tenth business is a new file here and a row below: the compiler refuses
// a Record with a business missing or one too many.

import { z } from "zod";
import { BUSINESS_CODES, type BusinessCode, type BusinessType, isBusinessCode } from "../business-types";
import { change } from "./change";
import type { BusinessDefinition, ItemStep } from "./define";
import { eseal } from "./eseal";
import { newCertificate } from "./new";
import { reissue } from "./reissue";
import { renew } from "./renew";
import { replace } from "./replace";
import { revoke } from "./revoke";
import { unlock } from "./unlock";
import { vendorSwap } from "./vendor_swap";

export {
  type BusinessDefinition,
  ITEM_STEPS,
  type ItemStep,
  type ItemTarget,
  MAX_YEARS,
} from "./define";
export { VENDOR_SWAP_FEE } from "./vendor_swap";

const DEFINITIONS = {
  new: newCertificate,
  renew,
  eseal,
  change,
  reissue,
  unlock,
  replace,
  vendor_swap: vendorSwap,
  revoke,
} satisfies { readonly [C in BusinessCode]: BusinessDefinition<C> };

/** Every business's definition, by code. */
export const BUSINESS_TYPES: { readonly [C in BusinessCode]: Readonly<BusinessDefinition<C>> } = DEFINITIONS;

export function businessType(code: BusinessCode): BusinessDefinition {
  return BUSINESS_TYPES[code];
}

/** All nine, in the seed's order (the order of the 业务办理 menu). */
export function listBusinessTypes(): BusinessType[] {
  return BUSINESS_CODES.map((code) => BUSINESS_TYPES[code]);
}

/** Whether the business allows the item step at all (the machine's `decideAction` adds the states). */
export function allowsStep(business: string, step: ItemStep): boolean {
  return isBusinessCode(business) && BUSINESS_TYPES[business].steps.includes(step);
}

/** The RFC 5280 reason the item's target is revoked with (succession or 注销); null = it is not. */
export function supersedeReason(business: BusinessCode, details: object): string | null {
  return BUSINESS_TYPES[business].revocationReason?.(details as Record<string, unknown>) ?? null;
}

/**
 * One line saying what an item does to its certificate, for the receipt, the window and the order page
 * (e.g. 「证书 3f…a1：名称改为 某某公司；原因：企业更名」). Null for 新证 (its CA type and years say it all).
 */
export function describeItem(
  business: BusinessCode,
  targetSerial: string | null,
  details: Record<string, unknown> | null,
): string | null {
  const describe = BUSINESS_TYPES[business].describe;
  if (!describe) return null;
  const cert = targetSerial && !targetSerial.startsWith("vendor:") ? `证书 ${targetSerial}` : null;
  return [cert, ...describe(details ?? {})].filter(Boolean).join("；") || null;
}

export const MAX_ITEMS = 20;

/**
 * The order input: ONE zod discriminated union keyed on the business, each branch with its business's
 * item schema. `common` is what every order carries besides (subject kind, handler, …), given by the
 * server, which owns the identity validators with their transforms.
 */
export function orderInputSchema<S extends z.ZodRawShape>(common: S) {
  const branch = <C extends BusinessCode, I extends z.ZodObject>(code: C, item: I) =>
    z.object({
      business: z.literal(code),
      ...common,
      items: z
        .array(item)
        .min(1, { error: "请至少添加一项证书" })
        .max(MAX_ITEMS, { error: `一个订单最多 ${MAX_ITEMS} 项证书` }),
    });
  const d = DEFINITIONS;
  const branches = [
    branch("new", d.new.item),
    branch("renew", d.renew.item),
    branch("eseal", d.eseal.item),
    branch("change", d.change.item),
    branch("reissue", d.reissue.item),
    branch("unlock", d.unlock.item),
    branch("replace", d.replace.item),
    branch("vendor_swap", d.vendor_swap.item),
    branch("revoke", d.revoke.item),
  ] as const;
  // businesses.test.ts checks that every business has its branch.
  return z.discriminatedUnion("business", branches, {
    error: (issue) => (issue.code === "invalid_union" ? "业务类型无效" : undefined),
  });
}
