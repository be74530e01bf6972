import {
  AUDIT_ACTION_GROUPS,
  type AuditActionGroup,
  auditActionName,
  auditActionsOf,
  auditChanges,
  maskIdCard,
  maskPhone,
} from "@certhall/domain";
import type { Db } from "../../db/database";
import type { AuditEntry, StaffRole } from "../../db/tables";
import { invalidField } from "../../errors";
import { ROLE_LABELS } from "../auth/policy";
import { utcRange } from "../reports/reports.service";

export const AUDIT_GROUPS = Object.keys(AUDIT_ACTION_GROUPS) as AuditActionGroup[];
export const AUDIT_ACTOR_TYPES = ["staff", "applicant", "system"] as const;

/** What the log is filtered on; every filter is optional and they combine (AND). */
export interface AuditFilter {
  /** An action group (the codes of AUDIT_ACTIONS in it) or one exact action code. */
  group?: AuditActionGroup;
  action?: string;
  actorType?: (typeof AUDIT_ACTOR_TYPES)[number];
  /** A staff username, an applicant's mobile, or an actor id. */
  actor?: string;
  objectType?: string;
  /** An object id, or an order's number. */
  object?: string;
  /** Asia/Shanghai dates (YYYY-MM-DD), both or neither. */
  from?: string;
  to?: string;
}

/** The filter's conditions as a query on audit_log (ids resolved first), newest first, before a seq. */
async function filtered(db: Db, f: AuditFilter) {
  let q = db.selectFrom("audit_log").selectAll().orderBy("seq", "desc");
  if (f.group) q = q.where("action", "in", auditActionsOf(f.group));
  if (f.action) q = q.where("action", "=", f.action);
  if (f.actorType) q = q.where("actor_type", "=", f.actorType);
  if (f.actor) {
    const who = f.actor.trim();
    const [staff, account] = await Promise.all([
      db.selectFrom("staff").select("id").where("username", "=", who).executeTakeFirst(),
      db.selectFrom("accounts").select("id").where("phone", "=", who).executeTakeFirst(),
    ]);
    q = q.where("actor_id", "in", [who, ...(staff ? [staff.id] : []), ...(account ? [account.id] : [])]);
  }
  if (f.objectType) q = q.where("object_type", "=", f.objectType);
  if (f.object) {
    const id = f.object.trim();
    const order = await db.selectFrom("orders").select("id").where("order_no", "=", id).executeTakeFirst();
    q = q.where("object_id", "in", order ? [id, order.id] : [id]);
  }
  if (f.from || f.to) {
    if (!f.from) throw invalidField("from", "请同时选择开始日期和结束日期");
    if (!f.to) throw invalidField("to", "请同时选择开始日期和结束日期");
    const { start, end } = utcRange(f.from, f.to);
    q = q.where("at", ">=", start).where("at", "<", end);
  }
  return q;
}

/** One page of the filtered log, newest first: keyset on seq (`before` = the last seq seen). */
export async function listAudit(db: Db, f: AuditFilter & { limit: number; before?: number }) {
  let q = (await filtered(db, f)).limit(f.limit);
  if (f.before !== undefined) q = q.where("seq", "<", f.before);
  return q.execute();
}

/** Every entry of the filtered log (the export), newest first, walked in pages of `page` by seq. */
export async function* allAudit(db: Db, f: AuditFilter, page = 1000): AsyncGenerator<AuditEntry> {
  let before: number | undefined;
  for (;;) {
    const rows = await listAudit(db, { ...f, limit: page, before });
    yield* rows;
    if (rows.length < page) return;
    before = rows[rows.length - 1]!.seq;
  }
}

/** Mobile numbers and ID numbers anywhere in a detail, masked (older entries may carry them whole). */
export function maskDetail(v: unknown): unknown {
  if (typeof v === "string") {
    if (/^1\d{10}$/.test(v)) return maskPhone(v);
    if (/^\d{17}[\dXx]$/.test(v)) return maskIdCard(v);
    return v;
  }
  if (Array.isArray(v)) return v.map(maskDetail);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskDetail(x)]));
  return v;
}

export interface AuditView {
  seq: number;
  at: string;
  actor: {
    type: string;
    id: string | null;
    name: string | null;
    role: string | null;
    roleName: string | null;
  };
  action: string;
  actionName: string | null;
  objectType: string | null;
  objectId: string | null;
  detail: Record<string, unknown>;
  changes: { field: string; before: string; after: string }[];
  ip: string | null;
  hash: string;
  prevHash: string;
}

/** Entries as people read them: staff by name and role, applicants by masked mobile, PII masked. */
export async function auditViews(db: Db, rows: readonly AuditEntry[]): Promise<AuditView[]> {
  const ids = (type: string) => [
    ...new Set(rows.filter((r) => r.actor_type === type && r.actor_id).map((r) => r.actor_id!)),
  ];
  const staffIds = ids("staff");
  const accountIds = ids("applicant");
  const [staff, accounts] = await Promise.all([
    staffIds.length
      ? db
          .selectFrom("staff")
          .select(["id", "name", "username", "role"])
          .where("id", "in", staffIds)
          .execute()
      : [],
    accountIds.length
      ? db.selectFrom("accounts").select(["id", "phone"]).where("id", "in", accountIds).execute()
      : [],
  ]);
  const staffById = new Map(staff.map((s) => [s.id, s]));
  const phoneById = new Map(accounts.map((a) => [a.id, maskPhone(a.phone)]));
  return rows.map((e) => {
    const s = e.actor_type === "staff" && e.actor_id ? staffById.get(e.actor_id) : undefined;
    const detail = maskDetail(JSON.parse(e.detail)) as Record<string, unknown>;
    return {
      seq: e.seq,
      at: e.at,
      actor: {
        type: e.actor_type,
        id: e.actor_id,
        name: s
          ? `${s.name}（${s.username}）`
          : e.actor_type === "applicant" && e.actor_id
            ? (phoneById.get(e.actor_id) ?? null)
            : null,
        role: s?.role ?? null,
        roleName: s ? ROLE_LABELS[s.role as StaffRole] : null,
      },
      action: e.action,
      actionName: auditActionName(e.action, "zh"),
      objectType: e.object_type,
      objectId: e.object_id,
      detail,
      changes: auditChanges(detail),
      ip: e.ip,
      hash: e.hash,
      prevHash: e.prev_hash,
    };
  });
}
