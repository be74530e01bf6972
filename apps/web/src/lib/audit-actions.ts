/**
 * Chinese names of the audit actions the server writes today (apps/server/src/modules/*). The log
 * always shows the stable code too, so an action added later without a name here still reads.
 */
export const AUDIT_ACTION_NAMES: Record<string, { zh: string; en: string }> = {
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
  "window.update": { zh: "修改办理网点", en: "Window updated" },
  "calendar.put": { zh: "设置节假日", en: "Calendar day set" },
  "calendar.delete": { zh: "删除节假日", en: "Calendar day deleted" },
  "pki.ca.created": { zh: "创建 CA", en: "CA created" },
  "pki.crl.published": { zh: "发布证书吊销列表", en: "CRL published" },
};

export function auditActionName(action: string, lang: "zh" | "en"): string | null {
  return AUDIT_ACTION_NAMES[action]?.[lang] ?? null;
}
