// Fees, in integer fen (分), computed by the same code in the browser (live while the applicant types)
// and on the server (what is charged). DESIGN §4: the catalog holds the prices per CA type; unlock and
// revoke cost nothing; the seed fixes vendor_swap at 200 yuan (e-seal fee only, no media, no annual fee).

import type { BusinessCode } from "./business-types";
import { BUSINESS_TYPES } from "./businesses";

/** One product's prices, as the admin keeps them in the catalog. */
export interface CaTypePrices {
  certFee: number;
  mediaFee: number;
  annualFee: number;
  esealFee: number;
  changeFee: number;
  reissueFee: number;
  replaceFee: number;
}

export interface FeeLine {
  code: "cert" | "media" | "annual" | "eseal" | "change" | "reissue" | "replace" | "vendor_swap";
  labelZh: string;
  amount: number;
}

export interface ItemOptions {
  years: number;
  eseal: boolean;
}

/** One item's fee lines: its business's definition applied to its product's prices. */
export function itemFeeLines(business: BusinessCode, p: CaTypePrices, o: ItemOptions): FeeLine[] {
  return BUSINESS_TYPES[business].fees(p, o);
}

export const sumLines = (lines: readonly FeeLine[]): number => lines.reduce((s, l) => s + l.amount, 0);

export function orderTotal(
  business: BusinessCode,
  items: readonly { prices: CaTypePrices; options: ItemOptions }[],
): number {
  return items.reduce((s, i) => s + sumLines(itemFeeLines(business, i.prices, i.options)), 0);
}

/** 12345 → "¥123.45" */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(fen));
  return `${sign}¥${Math.floor(abs / 100).toLocaleString("en-US")}.${String(abs % 100).padStart(2, "0")}`;
}

/** "123.45" / "123" → 12345; null when the text is not a non-negative amount with at most 2 decimals. */
export function parseYuan(text: string): number | null {
  const m = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
}
