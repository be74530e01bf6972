// The order lifecycle (DESIGN §3): ONE state machine for all nine businesses. A business never gets a
// flow of its own; it only sets the flags of its row in BUSINESS_TYPES (review before pay, payment,
// booking, receipt), and the transitions below read those flags. The tables are typed as Records over
// the state and event unions, so adding a state or an event without describing it is a compile error.

import { type BusinessCode, type BusinessType, isBusinessCode } from "./business-types";
import { BUSINESS_TYPES, type ItemStep } from "./businesses";
import { ORDER_STATE_INFO } from "./order-states";

export const ORDER_STATES = [
  "draft",
  "submitted",
  "in_review",
  "returned",
  "awaiting_payment",
  "awaiting_booking",
  "awaiting_materials",
  "processing",
  "ready",
  "completed",
  "cancelled",
  "refunded",
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export type OrderActor = "applicant" | "reviewer" | "finance" | "operator" | "system";

export type PaymentMethod = "online" | "transfer" | "zero";

export const ORDER_EVENTS = [
  "submit",
  "edit",
  "start_review",
  "approve",
  "reject",
  "pay",
  "declare_transfer",
  "book",
  "return_payment",
  "receive_materials",
  "complete",
  "use",
  "cancel",
  "refund",
] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

/** What a transition may look at: the order's business and, for payment events, the method. */
export interface TransitionContext {
  business: BusinessCode;
  method?: PaymentMethod;
  /**
   * This order goes to a reviewer although its business does not (DESIGN §4: a 延期 of a certificate
   * expired more than a year). Any business's order can carry it; the machine treats it like the flag.
   */
  needsReview?: boolean;
}

/** Whether a reviewer sees this order before payment: by its business, or by the order itself. */
const reviewed = (f: BusinessType, c: TransitionContext): boolean => f.reviewBeforePay || !!c.needsReview;

interface EventSpec {
  /** Who may fire it. "system" = the payment notify handler or a scheduled job. */
  actors: readonly OrderActor[];
  from: readonly OrderState[];
  /** The state after the event, given the business's flags; null = the event does not apply to it. */
  to: (flags: BusinessType, ctx: TransitionContext, from: OrderState) => OrderState | null;
  /** A reason is required (rejections, returns, cancellations by staff). */
  needsNote?: boolean;
  labelZh: string;
  labelEn: string;
}

/** After the money is settled: the receipt-and-materials path, or straight to "ready" for online use. */
const afterSettled = (f: BusinessType): OrderState => (f.receipt ? "awaiting_materials" : "ready");

/** After a payment is recorded: finance books it first when the business says so for this method. */
function afterPayment(f: BusinessType, method: PaymentMethod | undefined): OrderState | null {
  if (!method) return null;
  if (method === "zero") return f.payment === "zero" ? afterSettled(f) : null;
  if (f.payment === "zero") return null;
  const book = f.booking === "always" || (f.booking === "transfer_only" && method === "transfer");
  return book ? "awaiting_booking" : afterSettled(f);
}

export const ORDER_TRANSITIONS: Record<OrderEvent, EventSpec> = {
  submit: {
    actors: ["applicant"],
    from: ["draft", "returned"],
    to: (f, c) => (reviewed(f, c) ? "submitted" : "awaiting_payment"),
    labelZh: "提交订单",
    labelEn: "Submit",
  },
  edit: {
    // 【查看订单信息】: the applicant edits until a reviewer starts (or, without review, until payment).
    actors: ["applicant"],
    from: ["draft", "submitted", "returned", "awaiting_payment"],
    to: (f, c, from) => (from === "awaiting_payment" && reviewed(f, c) ? null : from),
    labelZh: "修改订单",
    labelEn: "Edit",
  },
  start_review: {
    actors: ["reviewer"],
    from: ["submitted"],
    to: (f, c) => (reviewed(f, c) ? "in_review" : null),
    labelZh: "开始审核",
    labelEn: "Start review",
  },
  approve: {
    actors: ["reviewer"],
    from: ["in_review"],
    to: () => "awaiting_payment",
    labelZh: "审核通过",
    labelEn: "Approve",
  },
  reject: {
    actors: ["reviewer"],
    from: ["in_review"],
    to: () => "returned",
    needsNote: true,
    labelZh: "审核退回",
    labelEn: "Reject",
  },
  pay: {
    // An online payment confirmed by the provider's notification, or a zero-amount "payment".
    actors: ["system", "applicant"],
    from: ["awaiting_payment"],
    to: (f, c) => afterPayment(f, c.method),
    labelZh: "完成支付",
    labelEn: "Paid",
  },
  declare_transfer: {
    // The applicant declares it; finance records it when the bank statement shows a transfer nobody declared.
    actors: ["applicant", "finance"],
    from: ["awaiting_payment"],
    to: (f, c) => (c.method === "transfer" ? afterPayment(f, "transfer") : null),
    labelZh: "提交转账凭证",
    labelEn: "Bank transfer declared",
  },
  book: {
    actors: ["finance"],
    from: ["awaiting_booking"],
    to: (f) => afterSettled(f),
    labelZh: "财务记账",
    labelEn: "Booked",
  },
  return_payment: {
    actors: ["finance"],
    from: ["awaiting_booking"],
    to: () => "awaiting_payment",
    needsNote: true,
    labelZh: "记账退回",
    labelEn: "Payment sent back",
  },
  receive_materials: {
    actors: ["operator"],
    from: ["awaiting_materials"],
    to: () => "processing",
    labelZh: "材料已收齐",
    labelEn: "Materials received",
  },
  complete: {
    // "system": an unlock finished by the token client with the platform's one-time authorisation.
    actors: ["operator", "system"],
    from: ["processing"],
    to: () => "completed",
    labelZh: "办结",
    labelEn: "Completed",
  },
  use: {
    actors: ["applicant", "system"],
    from: ["ready"],
    to: () => "completed",
    labelZh: "已在线办理",
    labelEn: "Used online",
  },
  cancel: {
    actors: ["applicant", "reviewer", "operator"],
    from: ["draft", "submitted", "returned", "awaiting_payment"],
    to: () => "cancelled",
    labelZh: "取消订单",
    labelEn: "Cancel",
  },
  refund: {
    actors: ["finance"],
    from: ["awaiting_materials", "processing", "ready"],
    to: () => "refunded",
    needsNote: true,
    labelZh: "退款",
    labelEn: "Refund",
  },
};

export type TransitionResult =
  | { ok: true; to: OrderState }
  | { ok: false; reason: string; code: "WRONG_ACTOR" | "WRONG_STATE" | "NOT_APPLICABLE" | "NOTE_REQUIRED" };

/** Decides a transition. Pure: the server applies the answer in one transaction with a version check. */
export function decideTransition(
  state: OrderState,
  event: OrderEvent,
  actor: OrderActor,
  ctx: TransitionContext,
  note?: string,
): TransitionResult {
  const spec = ORDER_TRANSITIONS[event];
  if (!spec.actors.includes(actor)) {
    return { ok: false, code: "WRONG_ACTOR", reason: `「${spec.labelZh}」不能由${ACTOR_LABELS[actor]}执行` };
  }
  if (!spec.from.includes(state)) {
    return {
      ok: false,
      code: "WRONG_STATE",
      reason: `订单当前状态为「${ORDER_STATE_INFO[state].labelZh}」，不能${spec.labelZh}`,
    };
  }
  const to = spec.to(BUSINESS_TYPES[ctx.business], ctx, state);
  if (to === null) {
    return {
      ok: false,
      code: "NOT_APPLICABLE",
      reason: `${BUSINESS_TYPES[ctx.business].name}业务不适用「${spec.labelZh}」`,
    };
  }
  if (spec.needsNote && !note?.trim()) {
    return { ok: false, code: "NOTE_REQUIRED", reason: `「${spec.labelZh}」须填写原因` };
  }
  return { ok: true, to };
}

interface StepSpec {
  /** The order states in which the step may run (for a business that allows it). */
  from: readonly OrderState[];
  /** What the step does, as the refusal names it (「…，不能签发证书」). */
  labelZh: string;
  /** The refusal for a business that does not allow the step; without it the state's refusal is said. */
  refused?: (businessName: string) => string;
}

/**
 * The item steps beside the order's events (DESIGN §3): the window's work on an order and its items, the
 * applicant's payment and online update. A business lists the steps it allows in its definition; this
 * table says from which states each runs. Steps that change the order's state end in an event above.
 */
export const ITEM_STEP_RULES: Record<ItemStep, StepSpec> = {
  start_payment: { from: ["awaiting_payment"], labelZh: "缴费" },
  receive_materials: { from: ["awaiting_materials"], labelZh: "登记材料" },
  set_media: { from: ["awaiting_materials", "processing"], labelZh: "登记介质" },
  issue: {
    from: ["processing"],
    labelZh: "签发证书",
    refused: (name) => `「${name}」业务不在窗口签发证书`,
  },
  unlock: { from: ["processing"], labelZh: "解锁", refused: (name) => `该订单是「${name}」业务，不能解锁` },
  revoke: {
    from: ["processing"],
    labelZh: "注销证书",
    refused: (name) => `该订单是「${name}」业务，不能注销证书`,
  },
  deliver: { from: ["processing"], labelZh: "办结" },
  update_online: { from: ["ready"], labelZh: "在线更新证书", refused: () => "只有延期订单可以在线更新证书" },
};

export type ActionResult =
  | { ok: true }
  | { ok: false; code: "NOT_APPLICABLE" | "WRONG_STATE"; reason: string };

/**
 * Decides an item step, as decideTransition decides an event: the business must allow the step, the
 * order be in one of its states. Pure: shared with the browser (which cards and buttons to show).
 */
export function decideAction(state: OrderState, step: ItemStep, business: BusinessCode): ActionResult {
  const spec = ITEM_STEP_RULES[step];
  const wrongState = `订单当前状态为「${ORDER_STATE_INFO[state]?.labelZh ?? state}」，不能${spec.labelZh}`;
  const def = BUSINESS_TYPES[business];
  if (!def?.steps.includes(step)) {
    return { ok: false, code: "NOT_APPLICABLE", reason: spec.refused?.(def?.name ?? business) ?? wrongState };
  }
  if (!spec.from.includes(state)) return { ok: false, code: "WRONG_STATE", reason: wrongState };
  return { ok: true };
}

export const ACTOR_LABELS: Record<OrderActor, string> = {
  applicant: "申请人",
  reviewer: "审核员",
  finance: "财务",
  operator: "窗口受理员",
  system: "系统",
};

/** decideAction on an order as the database or an API reply holds it (strings): false when unknown. */
export function stepAllowed(order: { state: string; business: string }, step: ItemStep): boolean {
  return (
    (ORDER_STATES as readonly string[]).includes(order.state) &&
    isBusinessCode(order.business) &&
    decideAction(order.state as OrderState, step, order.business).ok
  );
}

/** Orders in these states are over: they hold no medium, no certificate, nothing open. */
export const FINAL_ORDER_STATES: readonly OrderState[] = ORDER_STATES.filter(
  (s) => ORDER_STATE_INFO[s].final,
);

/** The path an order of this business normally takes, for the timeline's "what comes next". */
export function expectedPath(
  business: BusinessCode,
  method: PaymentMethod = "online",
  needsReview = false,
): OrderState[] {
  const f = BUSINESS_TYPES[business];
  const path: OrderState[] = ["draft"];
  if (reviewed(f, { business, needsReview })) path.push("submitted", "in_review");
  path.push("awaiting_payment");
  const m: PaymentMethod = f.payment === "zero" ? "zero" : method;
  const after = afterPayment(f, m);
  if (after === "awaiting_booking") path.push("awaiting_booking");
  if (f.receipt) path.push("awaiting_materials", "processing");
  else path.push("ready");
  path.push("completed");
  return path;
}

/** Events the given actor can fire now (for buttons); the server still decides on each request. */
export function availableEvents(
  state: OrderState,
  actor: OrderActor,
  business: BusinessCode,
  needsReview = false,
): OrderEvent[] {
  return ORDER_EVENTS.filter((e) => {
    const spec = ORDER_TRANSITIONS[e];
    if (!spec.actors.includes(actor) || !spec.from.includes(state)) return false;
    const f = BUSINESS_TYPES[business];
    if (e === "pay") return afterPayment(f, f.payment === "zero" ? "zero" : "online") !== null;
    if (e === "declare_transfer") return afterPayment(f, "transfer") !== null;
    return spec.to(f, { business, needsReview }, state) !== null;
  });
}
