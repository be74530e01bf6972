// What each order state means to the people involved: its labels, who acts next and what happens
// next (the applicant's timeline), whether it is final and whether the applicant may still edit.

import type { OrderActor, OrderState } from "./orders";

export interface OrderStateInfo {
  labelZh: string;
  labelEn: string;
  /** Who acts next (null = nobody: a final state). */
  nextActor: OrderActor | null;
  /** What happens next, for the applicant's timeline. */
  nextZh: string;
  nextEn: string;
  final: boolean;
  /** The applicant may still change the order's content. */
  editable: boolean;
}

export const ORDER_STATE_INFO: Record<OrderState, OrderStateInfo> = {
  draft: {
    labelZh: "草稿",
    labelEn: "Draft",
    nextActor: "applicant",
    nextZh: "请核对信息后提交订单",
    nextEn: "Check the details and submit",
    final: false,
    editable: true,
  },
  submitted: {
    labelZh: "待审核",
    labelEn: "Awaiting review",
    nextActor: "reviewer",
    nextZh: "等待后台审核，审核通过后将短信通知您缴费；审核开始前仍可修改",
    nextEn: "Waiting for review; you will get an SMS when approved. You can still edit until review starts",
    final: false,
    editable: true,
  },
  in_review: {
    labelZh: "审核中",
    labelEn: "In review",
    nextActor: "reviewer",
    nextZh: "审核员正在审核，结果将短信通知您",
    nextEn: "A reviewer is checking the order; the result comes by SMS",
    final: false,
    editable: false,
  },
  returned: {
    labelZh: "已退回",
    labelEn: "Returned",
    nextActor: "applicant",
    nextZh: "请按退回原因修改后重新提交",
    nextEn: "Fix what the reviewer asked for and submit again",
    final: false,
    editable: true,
  },
  awaiting_payment: {
    labelZh: "待缴费",
    labelEn: "Awaiting payment",
    nextActor: "applicant",
    nextZh: "请在线支付或银行转账（转账请填写汇款识别码）",
    nextEn: "Pay online or by bank transfer (quote the remittance code)",
    final: false,
    editable: false,
  },
  awaiting_booking: {
    labelZh: "待记账",
    labelEn: "Awaiting booking",
    nextActor: "finance",
    nextZh: "财务核对到账后记账，记账后即可打印回执单",
    nextEn: "Finance checks the payment and books it; then you can print the receipt",
    final: false,
    editable: false,
  },
  awaiting_materials: {
    labelZh: "待收材料",
    labelEn: "Awaiting materials",
    nextActor: "applicant",
    nextZh: "请打印回执单，准备材料后邮寄或到网点现场办理",
    nextEn: "Print the receipt, then mail the materials or bring them to a window",
    final: false,
    editable: false,
  },
  processing: {
    labelZh: "办理中",
    labelEn: "Processing",
    nextActor: "operator",
    nextZh: "材料已收齐，窗口正在制证；领取或寄出后办结",
    nextEn: "Materials received; the window is issuing. Completed once handed over or mailed",
    final: false,
    editable: false,
  },
  ready: {
    labelZh: "可在线办理",
    labelEn: "Ready online",
    nextActor: "applicant",
    nextZh: "已可在线办理（证书在线更新 / 电子签章使用）",
    nextEn: "Ready to use online (online update / e-seal)",
    final: false,
    editable: false,
  },
  completed: {
    labelZh: "已办结",
    labelEn: "Completed",
    nextActor: null,
    nextZh: "业务已办结",
    nextEn: "Done",
    final: true,
    editable: false,
  },
  cancelled: {
    labelZh: "已取消",
    labelEn: "Cancelled",
    nextActor: null,
    nextZh: "订单已取消",
    nextEn: "Cancelled",
    final: true,
    editable: false,
  },
  refunded: {
    labelZh: "已退款",
    labelEn: "Refunded",
    nextActor: null,
    nextZh: "款项已退回",
    nextEn: "Refunded",
    final: true,
    editable: false,
  },
};
