import { type BusinessCode, type FeeLine, itemFeeLines, type OrderState, sumLines } from "@certhall/domain";
import type { CaType, OrderItemView } from "../../api/orders";

/**
 * The filter tabs of 「我的订单」. A tab may cover several states: the applicant does not care whether
 * review has started (submitted / in_review are both 待审核 to them), and the final states that are not
 * 已办结 sit under 已取消.
 */
export const ORDER_TABS = [
  { key: "all", states: [] },
  { key: "draft", states: ["draft"] },
  { key: "review", states: ["submitted", "in_review"] },
  { key: "returned", states: ["returned"] },
  { key: "awaiting_payment", states: ["awaiting_payment"] },
  { key: "awaiting_booking", states: ["awaiting_booking"] },
  { key: "awaiting_materials", states: ["awaiting_materials"] },
  { key: "processing", states: ["processing", "ready"] },
  { key: "completed", states: ["completed"] },
  { key: "closed", states: ["cancelled", "refunded"] },
] as const satisfies readonly { key: string; states: readonly OrderState[] }[];

export type OrderTabKey = (typeof ORDER_TABS)[number]["key"];

export function tabStates(key: string): readonly OrderState[] {
  return ORDER_TABS.find((t) => t.key === key)?.states ?? [];
}

/** Tag colour of a state in lists and the detail header. */
export function stateColor(state: string): string {
  switch (state) {
    case "draft":
      return "default";
    case "submitted":
    case "in_review":
      return "processing";
    case "returned":
      return "error";
    case "awaiting_payment":
      return "warning";
    case "awaiting_booking":
    case "awaiting_materials":
      return "gold";
    case "processing":
    case "ready":
      return "blue";
    case "completed":
      return "success";
    default:
      return "default";
  }
}

export interface ApplyRow {
  subjectId?: string;
  caTypeId?: string;
  years?: number;
  eseal?: boolean;
}

export interface RowFee {
  lines: FeeLine[];
  total: number;
}

/**
 * The live fee of every row and the order total, with the very functions the server charges with
 * (@certhall/domain itemFeeLines / sumLines): what the applicant sees while typing is what is billed.
 * A row without a CA type yet costs nothing (and shows no lines).
 */
export function liveFees(
  business: BusinessCode,
  rows: readonly (ApplyRow | undefined)[],
  caTypes: readonly Pick<CaType, "id" | "prices">[],
): { rows: RowFee[]; total: number } {
  const fees = rows.map((row): RowFee => {
    const caType = row?.caTypeId ? caTypes.find((c) => c.id === row.caTypeId) : undefined;
    if (!caType) return { lines: [], total: 0 };
    const lines = itemFeeLines(business, caType.prices, {
      years: row?.years ?? 1,
      eseal: row?.eseal ?? false,
    });
    return { lines, total: sumLines(lines) };
  });
  return { rows: fees, total: fees.reduce((s, r) => s + r.total, 0) };
}

/** One token per apply form: a double click on 提交订单 sends the same token, the server makes one order. */
export function newClientToken(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** Orders whose receipt exists: booked (or settled) and from then on, but not cancelled or refunded. */
export function hasReceipt(state: string): boolean {
  return ["awaiting_materials", "processing", "ready", "completed"].includes(state);
}

/** Delivery (mail or window) can be chosen or changed while the materials have not been received. */
export function canChooseDelivery(state: string): boolean {
  return state === "awaiting_materials";
}

/**
 * A server field name ("handler.idNumber", "body.items.1.years", "/items/0/caTypeId") as an antd
 * name path (["handler", "idNumber"], ["items", 1, "years"]), so nested errors land on their input.
 */
export function fieldPath(field: string): (string | number)[] {
  const parts = field.split(/[./]/).filter(Boolean);
  if (parts[0] === "body") parts.shift();
  return parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** After this long without the notification the page says so and offers to pay again. */
export const PAYMENT_CONFIRM_SLOW_MS = 60_000;

/**
 * How often the order page asks again after the cashier sent the payer back (?payment=returned): the
 * provider's asynchronous notification usually lands within seconds, but may be retried for minutes,
 * so poll fast at first, then slower, and stop only when the order has left 待缴费.
 */
export function paymentPollInterval(state: string | undefined, elapsedMs: number): number | false {
  if (state !== undefined && state !== "awaiting_payment") return false;
  if (elapsedMs < PAYMENT_CONFIRM_SLOW_MS) return 2_000;
  if (elapsedMs < 5 * 60_000) return 5_000;
  return 15_000;
}

/** The return address of the cashier (`?payment=returned`, older links `?paid=1`). */
export function returnedFromCashier(params: URLSearchParams): boolean {
  return params.get("payment") === "returned" || params.has("paid");
}

/** 解锁: an item is done once the key was unlocked (online with the code, or at the window). */
export const isUnlocked = (i: Pick<OrderItemView, "details">): boolean =>
  typeof i.details?.unlockedAt === "string" && i.details.unlockedAt !== "";

/**
 * What the 解锁 panel says about the unlock code of the keys still locked: "sent" (with the newest
 * send time) only once the window has actually sent a code (the server's unlockCodeSentAt, from
 * item_authorisations), "later" before that, null when every key is unlocked.
 */
export function unlockCodeNotice(
  items: readonly Pick<OrderItemView, "details" | "unlockCodeSentAt">[],
): { kind: "sent"; at: string } | { kind: "later" } | null {
  const pending = items.filter((i) => !isUnlocked(i));
  if (pending.length === 0) return null;
  const sent = pending
    .map((i) => i.unlockCodeSentAt)
    .filter((at): at is string => typeof at === "string" && at !== "")
    .sort();
  return sent.length > 0 ? { kind: "sent", at: sent[sent.length - 1]! } : { kind: "later" };
}
