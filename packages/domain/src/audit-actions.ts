import { ORDER_STATE_INFO } from "./order-states";
import type { OrderState } from "./orders";

/**
 * Names of every audit action the server writes (apps/server/src), Chinese first, English second,
 * grouped for the audit log's filter. audit-actions.test.ts scans the server's sources and fails on an
 * action written there without a name here.
 */
export const AUDIT_ACTION_GROUPS = {
  account: { zh: "申请用户", en: "Applicants" },
  staff: { zh: "工作人员", en: "Staff" },
  order: { zh: "订单", en: "Orders" },
  material: { zh: "申请材料", en: "Materials" },
  payment: { zh: "支付", en: "Payments" },
  statement: { zh: "银行对账", en: "Bank statements" },
  invoice: { zh: "发票", en: "Invoices" },
  subject: { zh: "证书主体", en: "Subjects" },
  eseal: { zh: "电子印章", en: "E-seals" },
  pki: { zh: "证书与 CA", en: "Certificates and CAs" },
  settings: { zh: "系统设置", en: "Settings" },
} as const;

export type AuditActionGroup = keyof typeof AUDIT_ACTION_GROUPS;

type Label = { zh: string; en: string };

const settings = (zh: string, en: string): Label & { group: AuditActionGroup } => ({
  zh,
  en,
  group: "settings",
});

/** Actions outside their code's prefix group (window.*, calendar.* …) name it; the rest take the prefix. */
export const AUDIT_ACTIONS: Record<string, Label & { group?: AuditActionGroup }> = {
  "account.register": { zh: "申请用户注册", en: "Applicant registered" },
  "account.login": { zh: "申请用户登录", en: "Applicant logged in" },
  "account.locked": { zh: "申请用户被锁定", en: "Applicant locked out" },
  "account.password_change": { zh: "申请用户修改密码", en: "Applicant changed password" },
  "account.password_reset": { zh: "申请用户找回密码", en: "Applicant reset password" },
  "account.update_profile": { zh: "申请用户修改资料", en: "Applicant updated profile" },
  "account.seed_demo": { zh: "创建演示申请用户", en: "Demo applicant seeded" },
  "staff.create": { zh: "新增工作人员", en: "Staff created" },
  "staff.disable": { zh: "停用工作人员", en: "Staff disabled" },
  "staff.enable": { zh: "启用工作人员", en: "Staff enabled" },
  "staff.login": { zh: "工作人员登录", en: "Staff logged in" },
  "staff.locked": { zh: "工作人员被锁定", en: "Staff locked out" },
  "staff.password_change": { zh: "工作人员修改密码", en: "Staff changed password" },
  // The order machine's steps (ORDER_EVENTS in orders.ts), written as order.<event>.
  "order.submit": { zh: "提交订单", en: "Order submitted" },
  "order.edit": { zh: "修改订单", en: "Order edited" },
  "order.start_review": { zh: "开始审核", en: "Review started" },
  "order.approve": { zh: "审核通过", en: "Order approved" },
  "order.reject": { zh: "审核退回", en: "Order rejected" },
  "order.pay": { zh: "在线支付成功", en: "Paid online" },
  "order.declare_transfer": { zh: "申报对公转账", en: "Transfer declared" },
  "order.book": { zh: "财务记账", en: "Payment booked" },
  "order.return_payment": { zh: "退回转账", en: "Transfer returned" },
  "order.receive_materials": { zh: "材料已收齐", en: "Materials received" },
  "order.complete": { zh: "办结", en: "Order completed" },
  "order.use": { zh: "领用证书", en: "Certificate collected" },
  "order.cancel": { zh: "取消订单", en: "Order cancelled" },
  "order.refund": { zh: "退款", en: "Order refunded" },
  "order.create": { zh: "创建订单", en: "Order created" },
  "order.delivery": { zh: "填写领取方式", en: "Delivery chosen" },
  "order.issue": { zh: "签发证书", en: "Certificate issued for order" },
  "order.materials": { zh: "登记纸质材料", en: "Paper materials recorded" },
  "order.media": { zh: "登记介质", en: "Medium recorded" },
  "order.mail_declared": { zh: "申报邮寄运单", en: "Mail waybill declared" },
  "order.mail_received": { zh: "收到邮寄材料", en: "Mail received" },
  "order.online_update": { zh: "在线更新证书", en: "Certificate updated online" },
  "order.online_update_code": { zh: "发放在线更新码", en: "Online update code issued" },
  "order.online_update_refused": { zh: "在线更新码被拒", en: "Online update code refused" },
  "order.review_claimed": { zh: "领取审核任务", en: "Review claimed" },
  "order.revoke": { zh: "吊销订单证书", en: "Order's certificate revoked" },
  "order.so_pin_released": { zh: "发放介质管理员 PIN", en: "SO PIN released" },
  "order.so_pin_viewed": { zh: "查看介质管理员 PIN", en: "SO PIN viewed" },
  "order.unlock_code": { zh: "发放解锁码", en: "Unlock code issued" },
  "order.unlock_refused": { zh: "解锁码被拒", en: "Unlock code refused" },
  "order.unlocked": { zh: "介质已解锁", en: "Medium unlocked" },
  "material.upload": { zh: "上传材料", en: "Material uploaded" },
  "material.viewed": { zh: "查看材料", en: "Material viewed" },
  "material.original_checked": { zh: "核验材料原件", en: "Original checked" },
  "payment.online_started": { zh: "发起在线支付", en: "Online payment started" },
  "payment.notify_rejected": { zh: "拒收支付通知", en: "Payment notice rejected" },
  "payment.refund_due": { zh: "待退款", en: "Refund due" },
  "payment.trade_closed": { zh: "关闭支付交易", en: "Trade closed" },
  "payment.voucher_viewed": { zh: "查看转账凭证", en: "Voucher viewed" },
  "statement.import": { zh: "导入银行流水", en: "Statement imported" },
  "statement.book": { zh: "按流水记账", en: "Statement booked" },
  "statement.resolve": { zh: "处理异常流水", en: "Statement line resolved" },
  "invoice.requested": { zh: "申请开票", en: "Invoice requested" },
  "invoice.request_saved": { zh: "保存开票信息", en: "Invoice details saved" },
  "invoice.issued": { zh: "开具发票", en: "Invoice issued" },
  "invoice.failed": { zh: "开票失败", en: "Invoice failed" },
  "invoice.auto_issue_set": { zh: "设置自动开票", en: "Auto-invoicing set" },
  "subject.create": { zh: "新增证书主体", en: "Subject created" },
  "subject.update": { zh: "修改证书主体", en: "Subject updated" },
  "subject.archive": { zh: "归档证书主体", en: "Subject archived" },
  "subject.restore": { zh: "恢复证书主体", en: "Subject restored" },
  "eseal.enabled": { zh: "开通电子印章", en: "E-seal enabled" },
  "eseal.image_uploaded": { zh: "上传印章图片", en: "Seal image uploaded" },
  "pki.ca.created": { zh: "创建 CA", en: "CA created" },
  "pki.ca.imported": { zh: "导入 CA", en: "CA imported" },
  "pki.ceremony.root-created": { zh: "生成根 CA", en: "Root CA created" },
  "pki.ceremony.root-published": { zh: "发布根 CA", en: "Root CA published" },
  "pki.ceremony.root-exported": { zh: "导出根 CA 私钥", en: "Root key exported" },
  "pki.ceremony.issuing-signed": { zh: "签发下级 CA", en: "Issuing CA signed" },
  "pki.ceremony.issuing-revoked": { zh: "吊销下级 CA", en: "Issuing CA revoked" },
  "pki.certificate.issued": { zh: "签发证书", en: "Certificate issued" },
  "pki.certificate.revoked": { zh: "吊销证书", en: "Certificate revoked" },
  "pki.certificate.released": { zh: "解除证书暂停", en: "Certificate hold released" },
  "pki.certificate.reason-changed": { zh: "变更吊销原因", en: "Revocation reason changed" },
  "pki.crl.published": { zh: "发布证书吊销列表", en: "CRL published" },
  "settings.update": settings("修改平台设置", "Settings updated"),
  "notices.update": settings("修改公告与热线", "Notices updated"),
  "window.update": settings("修改办理网点", "Window updated"),
  "calendar.put": settings("设置节假日", "Calendar day set"),
  "calendar.delete": settings("删除节假日", "Calendar day deleted"),
  "catalog.ca_type.create": settings("新增证书类型", "CA type created"),
  "catalog.ca_type.update": settings("修改证书类型", "CA type updated"),
};

export function auditActionName(action: string, lang: "zh" | "en"): string | null {
  return AUDIT_ACTIONS[action]?.[lang] ?? null;
}

/** The filter group of an action: its own, else its code's prefix when that is a group. */
export function auditActionGroup(action: string): AuditActionGroup | null {
  const own = AUDIT_ACTIONS[action]?.group;
  if (own) return own;
  const prefix = action.split(".")[0]!;
  return prefix in AUDIT_ACTION_GROUPS ? (prefix as AuditActionGroup) : null;
}

/** Every action code of a group (what the list filters on). */
export function auditActionsOf(group: AuditActionGroup): string[] {
  return Object.keys(AUDIT_ACTIONS).filter((a) => auditActionGroup(a) === group);
}

/** Readable names of the fields in an entry's before/after (the rest show their key). */
export const AUDIT_FIELD_NAMES: Record<string, Label> = {
  name: { zh: "名称", en: "Name" },
  address: { zh: "地址", en: "Address" },
  phone: { zh: "电话", en: "Phone" },
  hours: { zh: "营业时间", en: "Hours" },
  city: { zh: "城市", en: "City" },
  enabled: { zh: "启用", en: "Enabled" },
  disabled: { zh: "停用", en: "Disabled" },
  role: { zh: "角色", en: "Role" },
  state: { zh: "状态", en: "State" },
  note: { zh: "备注", en: "Note" },
  orderNo: { zh: "订单号", en: "Order number" },
  price_fen: { zh: "价格（分）", en: "Price (fen)" },
  validity_years: { zh: "有效期（年）", en: "Validity (years)" },
  updated_at: { zh: "更新时间", en: "Updated at" },
  renewalWindowDays: { zh: "续期提前天数", en: "Renewal window (days)" },
  renewalKeepsPredecessor: { zh: "续期保留旧证", en: "Renewal keeps predecessor" },
  hotline: { zh: "客服热线", en: "Hotline" },
  announcements: { zh: "公告", en: "Announcements" },
  faq: { zh: "常见问题", en: "FAQ" },
  reason: { zh: "原因", en: "Reason" },
};

/** One changed field of an entry's before/after: only fields whose values differ, long values cut. */
export interface AuditChange {
  field: string;
  before: string;
  after: string;
}

const MAX_VALUE = 80;

function shown(v: unknown): string {
  if (v === undefined || v === null || v === "") return "—";
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

/** The changed fields of a detail with before/after (objects compared per field) or from/to states. */
export function auditChanges(detail: Record<string, unknown>, lang: "zh" | "en" = "zh"): AuditChange[] {
  const label = (k: string) => AUDIT_FIELD_NAMES[k]?.[lang] ?? k;
  const { before, after } = detail;
  if (before !== undefined || after !== undefined) {
    const isObj = (v: unknown): v is Record<string, unknown> =>
      typeof v === "object" && v !== null && !Array.isArray(v);
    if (!isObj(before) && !isObj(after)) {
      return JSON.stringify(before) === JSON.stringify(after)
        ? []
        : [{ field: "", before: shown(before), after: shown(after) }];
    }
    const b = isObj(before) ? before : {};
    const a = isObj(after) ? after : {};
    return [...new Set([...Object.keys(b), ...Object.keys(a)])]
      .filter((k) => k !== "updated_at" && JSON.stringify(b[k]) !== JSON.stringify(a[k]))
      .map((k) => ({ field: label(k), before: shown(b[k]), after: shown(a[k]) }));
  }
  const { from, to } = detail;
  if (typeof from === "string" && typeof to === "string" && from !== to) {
    const state = (s: string) => {
      const info = ORDER_STATE_INFO[s as OrderState];
      return info ? (lang === "zh" ? info.labelZh : info.labelEn) : s;
    };
    return [{ field: label("state"), before: state(from), after: state(to) }];
  }
  return [];
}
