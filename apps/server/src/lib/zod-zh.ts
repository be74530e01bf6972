import { z } from "zod";

/**
 * Chinese messages for schema validation, naming the field. Routes use the field names below;
 * a field without a label falls back to its own name. Custom messages given in a schema win.
 */
export const FIELD_LABELS: Record<string, string> = {
  phone: "手机号",
  code: "验证码",
  password: "密码",
  newPassword: "新密码",
  currentPassword: "当前密码",
  purpose: "验证码用途",
  name: "姓名",
  username: "用户名",
  role: "角色",
  city: "城市",
  address: "地址",
  hours: "营业时间",
  weekdays: "营业日",
  sessions: "营业时段",
  start: "开始时间",
  end: "结束时间",
  date: "日期",
  kind: "类型",
  year: "年份",
  limit: "条数",
  before: "起始序号",
  id: "编号",
  uscc: "统一社会信用代码",
  idNumber: "身份证号",
  legalRep: "法定代表人",
  q: "搜索关键字",
  archived: "归档状态",
  description: "说明",
  subjectKind: "主体类型",
  profile: "证书模板",
  prices: "价格",
  certFee: "证书费",
  mediaFee: "介质费",
  annualFee: "年服务费",
  esealFee: "电子签章费",
  changeFee: "变更费",
  reissueFee: "补证费",
  replaceFee: "换证费",
  demoPrices: "演示价格标记",
  active: "上架状态",
  sortOrder: "排序",
  version: "版本号",
  note: "原因",
  voucher: "转账凭证",
  status: "状态",
  offset: "起始位置",
  mediaSerial: "介质序列号",
  csrPem: "证书请求（CSR）",
  courier: "快递公司",
  trackingNo: "快递单号",
  received: "已收材料",
  how: "办结方式",
  format: "下载格式",
  chain: "证书链",
  itemId: "证书项",
  method: "办理方式",
  windowId: "网点",
  returnAddress: "回寄地址",
  token: "核验码",
};

export function fieldLabel(path: readonly PropertyKey[]): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const key = path[i];
    if (typeof key === "string") return FIELD_LABELS[key] ?? key;
  }
  return "请求内容";
}

function describe(issue: z.core.$ZodRawIssue): string {
  const label = fieldLabel(issue.path ?? []);
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined || issue.input === null ? `请填写${label}` : `${label}的类型不正确`;
    case "too_small":
      if (issue.origin === "string")
        return Number(issue.minimum) <= 1 ? `请填写${label}` : `${label}至少 ${issue.minimum} 个字符`;
      if (issue.origin === "array") return `${label}至少 ${issue.minimum} 项`;
      return `${label}不能小于 ${issue.minimum}`;
    case "too_big":
      if (issue.origin === "string") return `${label}最多 ${issue.maximum} 个字符`;
      if (issue.origin === "array") return `${label}最多 ${issue.maximum} 项`;
      return `${label}不能大于 ${issue.maximum}`;
    case "invalid_value":
      return `${label}的取值无效`;
    case "invalid_format":
      return `${label}的格式不正确`;
    case "unrecognized_keys":
      return `包含未知字段：${issue.keys.join("、")}`;
    default:
      return `${label}无效`;
  }
}

let installed = false;
export function installChineseZodMessages(): void {
  if (installed) return;
  installed = true;
  z.config({ customError: (issue) => describe(issue) });
}
