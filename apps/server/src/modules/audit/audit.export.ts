import type { Db } from "../../db/database";
import { invalidField } from "../../errors";
import { shanghaiDateTime } from "../receipts/receipt.pdf";
import type { Report } from "../reports/reports.service";
import { type AuditFilter, allAudit, auditViews } from "./audit.list";

/** The most entries one export holds: a wider filter is refused, never silently cut. */
export const AUDIT_EXPORT_MAX = 50_000;

const ACTOR_TYPES: Record<string, string> = { staff: "工作人员", applicant: "申请用户", system: "系统" };

/** The filtered log as a report table (the XLSX and CSV of modules/reports), PII masked as in the list. */
export async function auditReport(db: Db, f: AuditFilter): Promise<Report> {
  const rows: Report["rows"] = [];
  const batch: Parameters<typeof auditViews>[1][number][] = [];
  const flush = async () => {
    for (const e of await auditViews(db, batch)) {
      rows.push({
        seq: e.seq,
        at: shanghaiDateTime(e.at),
        action: e.actionName ?? e.action,
        code: e.action,
        actorType: ACTOR_TYPES[e.actor.type] ?? e.actor.type,
        actor: e.actor.name ?? e.actor.id ?? "",
        role: e.actor.roleName ?? "",
        object: [e.objectType, e.objectId].filter(Boolean).join(" "),
        changes: e.changes.map((c) => `${c.field ? `${c.field}：` : ""}${c.before} → ${c.after}`).join("；"),
        ip: e.ip ?? "",
      });
    }
    batch.length = 0;
  };
  for await (const entry of allAudit(db, f)) {
    if (rows.length + batch.length >= AUDIT_EXPORT_MAX)
      throw invalidField("from", `一次最多导出 ${AUDIT_EXPORT_MAX} 条，请缩小日期或其他筛选范围`);
    batch.push(entry);
    if (batch.length === 1000) await flush();
  }
  await flush();
  return {
    title: "审计日志",
    columns: [
      { key: "seq", label: "序号", kind: "number" },
      { key: "at", label: "时间（北京时间）", kind: "text" },
      { key: "action", label: "操作", kind: "text" },
      { key: "code", label: "操作代码", kind: "text" },
      { key: "actorType", label: "操作人类型", kind: "text" },
      { key: "actor", label: "操作人", kind: "text" },
      { key: "role", label: "角色", kind: "text" },
      { key: "object", label: "对象", kind: "text" },
      { key: "changes", label: "变更", kind: "text" },
      { key: "ip", label: "IP", kind: "text" },
    ],
    rows,
  };
}
