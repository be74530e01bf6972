// Fees, in integer fen (分), computed by the same code in the browser (live while the applicant types)
// and on the server (what is charged). DESIGN §4: the catalog holds the prices per CA type; unlock and
// revoke cost nothing; the seed fixes vendor_swap at 200 yuan (e-seal fee only, no media, no annual fee).

import type { BusinessCode } from "./business-types";

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

/** The seed: 「更换证书，不收取介质和年服务费，只收 200 电子印章费用」. */
export const VENDOR_SWAP_FEE = 20_000;
export const MAX_YEARS = 5;

export function itemFeeLines(business: BusinessCode, p: CaTypePrices, o: ItemOptions): FeeLine[] {
  const years = Math.max(1, Math.min(MAX_YEARS, Math.trunc(o.years)));
  const annual: FeeLine = { code: "annual", labelZh: `年服务费 × ${years} 年`, amount: p.annualFee * years };
  const eseal: FeeLine[] = o.eseal ? [{ code: "eseal", labelZh: "电子签章费", amount: p.esealFee }] : [];
  const media: FeeLine = { code: "media", labelZh: "介质费", amount: p.mediaFee };
  switch (business) {
    case "new":
      return [{ code: "cert", labelZh: "证书费", amount: p.certFee }, media, annual, ...eseal];
    case "renew":
      return [annual, ...eseal];
    case "eseal":
      return [{ code: "eseal", labelZh: "电子签章费", amount: p.esealFee }];
    case "change":
      return [{ code: "change", labelZh: "变更费", amount: p.changeFee }];
    case "reissue":
      return [{ code: "reissue", labelZh: "补证费", amount: p.reissueFee }, media];
    case "replace":
      return [{ code: "replace", labelZh: "换证费", amount: p.replaceFee }, media];
    case "vendor_swap":
      return [
        { code: "vendor_swap", labelZh: "电子印章费（其他厂商介质证书更换）", amount: VENDOR_SWAP_FEE },
      ];
    case "unlock":
    case "revoke":
      return [];
  }
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
