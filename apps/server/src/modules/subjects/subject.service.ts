import { maskIdCard, ORDER_STATE_INFO, ORDER_STATES, type OrderState } from "@certhall/domain";
import { sql } from "kysely";
import type { Db, Trx } from "../../db/database";
import type { Subject } from "../../db/tables.orders";
import { AppError, notFound } from "../../errors";
import { type Clock, iso, newId } from "../../lib/clock";
import { appendAudit } from "../audit/audit.service";
import { addSubjectVersion } from "./subject-versions";

export interface SubjectDeps {
  db: Db;
  clock: Clock;
}

interface Meta {
  ip: string | null;
}

export type SubjectKind = "company" | "person";

export type SubjectInput =
  | { kind: "company"; name: string; uscc: string; legalRep: string; address: string }
  | { kind: "person"; name: string; idNumber: string };

const KIND_LABEL: Record<SubjectKind, string> = { company: "企业", person: "个人" };
const IDENTITY_FIELD: Record<SubjectKind, "uscc" | "idNumber"> = { company: "uscc", person: "idNumber" };
const IDENTITY_LABEL: Record<SubjectKind, string> = { company: "统一社会信用代码", person: "身份证号" };

/**
 * Order states in which a subject's name and identity are already part of a decision (reviewed, paid,
 * issued): from then on they change only through the 变更 business, never by editing the record,
 * or the certificate and the order would disagree with the subject. Editable states (draft, submitted,
 * returned — 【查看订单信息】) and orders that ended without a certificate do not lock it.
 */
export const SUBJECT_LOCKING_STATES: readonly OrderState[] = ORDER_STATES.filter(
  (s) => !ORDER_STATE_INFO[s].editable && s !== "cancelled" && s !== "refunded",
);

/** The full record, for the owner's detail view and the order service. */
export function presentSubject(s: Subject) {
  return {
    id: s.id,
    kind: s.kind,
    name: s.name,
    // 统一社会信用代码 is public (国家企业信用信息公示系统); 身份证号 only in the owner's detail view.
    uscc: s.kind === "company" ? s.identity_key : null,
    idNumber: s.kind === "person" ? s.identity_key : null,
    legalRep: s.legal_rep,
    address: s.address,
    archived: s.archived === 1,
    createdAt: s.created_at,
    updatedAt: s.updated_at,
  };
}

/** The list row: the USCC in full, the ID number masked (DESIGN §7: PII masked in lists). */
export function presentSubjectSummary(s: Subject) {
  return {
    id: s.id,
    kind: s.kind,
    name: s.name,
    uscc: s.kind === "company" ? s.identity_key : null,
    idNumberMasked: s.kind === "person" ? maskIdCard(s.identity_key) : null,
    legalRep: s.legal_rep,
    archived: s.archived === 1,
    updatedAt: s.updated_at,
  };
}

/** What the audit log keeps of a subject: enough to follow a change, no full ID number. */
function auditView(s: Pick<Subject, "kind" | "name" | "identity_key" | "legal_rep" | "address">) {
  return {
    kind: s.kind,
    name: s.name,
    identity: s.kind === "person" ? maskIdCard(s.identity_key) : s.identity_key,
    legalRep: s.legal_rep,
    address: s.address,
  };
}

/**
 * The account's subject, archived or not (old orders still show it). Ownership is part of the query,
 * so another account's id answers exactly like an unknown one: 404.
 */
export async function getOwnedSubject(db: Db | Trx, accountId: string, id: string): Promise<Subject> {
  const s = await db
    .selectFrom("subjects")
    .selectAll()
    .where("id", "=", id)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  if (!s) throw notFound("企业或个人");
  return s;
}

/** For a new order: the account's subject, not archived, of the order's kind when one is given. */
export async function getUsableSubject(
  db: Db | Trx,
  accountId: string,
  id: string,
  kind?: SubjectKind,
): Promise<Subject> {
  const s = await getOwnedSubject(db, accountId, id);
  if (s.archived === 1) throw new AppError("INVALID_STATE", `“${s.name}”已归档，请先恢复后再办理业务`);
  if (kind && s.kind !== kind) {
    throw new AppError("VALIDATION_FAILED", `“${s.name}”不是${KIND_LABEL[kind]}，不能用于此申请`, {
      field: "subjectId",
    });
  }
  return s;
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function duplicate(kind: SubjectKind, existing: Subject): AppError {
  const label = IDENTITY_LABEL[kind];
  const where = existing.archived === 1 ? "（已归档，可在已归档列表中恢复）" : "";
  return new AppError("CONFLICT", `该${label}已登记为“${existing.name}”${where}，不能重复添加`, {
    field: IDENTITY_FIELD[kind],
  });
}

export function createSubjectService(deps: SubjectDeps) {
  const { db, clock } = deps;

  async function findByIdentity(
    q: Db | Trx,
    accountId: string,
    kind: SubjectKind,
    identityKey: string,
  ): Promise<Subject | undefined> {
    return q
      .selectFrom("subjects")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("kind", "=", kind)
      .where("identity_key", "=", identityKey)
      .executeTakeFirst();
  }

  async function list(
    accountId: string,
    opts: { kind?: SubjectKind; q?: string; archived?: boolean; limit?: number } = {},
  ): Promise<Subject[]> {
    let query = db
      .selectFrom("subjects")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("archived", "=", opts.archived ? 1 : 0);
    if (opts.kind) query = query.where("kind", "=", opts.kind);
    const q = opts.q?.trim();
    if (q) {
      // LIKE with an explicit escape so % and _ typed by the person are literal, on SQLite and PostgreSQL;
      // lower() on both sides because PostgreSQL's LIKE is case-sensitive and SQLite's is not.
      const name = likePattern(q.toLowerCase());
      const identity = likePattern(q.toUpperCase());
      query = query.where((eb) =>
        eb.or([
          sql<boolean>`lower(${eb.ref("name")}) like ${name} escape '\\'`,
          sql<boolean>`${eb.ref("identity_key")} like ${identity} escape '\\'`,
        ]),
      );
    }
    return query
      .orderBy("updated_at", "desc")
      .orderBy("id")
      .limit(opts.limit ?? 100)
      .execute();
  }

  async function create(accountId: string, input: SubjectInput, meta: Meta): Promise<Subject> {
    const identityKey = input.kind === "company" ? input.uscc : input.idNumber;
    const existing = await findByIdentity(db, accountId, input.kind, identityKey);
    if (existing) throw duplicate(input.kind, existing);
    const now = iso(clock());
    const row: Subject = {
      id: newId(),
      account_id: accountId,
      kind: input.kind,
      name: input.name,
      identity_key: identityKey,
      legal_rep: input.kind === "company" ? input.legalRep : null,
      address: input.kind === "company" ? input.address : null,
      archived: 0,
      created_at: now,
      updated_at: now,
    };
    try {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto("subjects").values(row).execute();
        await addSubjectVersion(trx, row.id, row, { orderId: null, at: clock() });
        await appendAudit(trx, {
          at: clock(),
          actorType: "applicant",
          actorId: accountId,
          action: "subject.create",
          objectType: "subject",
          objectId: row.id,
          detail: { after: auditView(row) },
          ip: meta.ip,
        });
      });
    } catch (err) {
      // Two requests racing with one identity (a double click): the unique index decides.
      const winner = await findByIdentity(db, accountId, input.kind, identityKey);
      if (winner) throw duplicate(input.kind, winner);
      throw err;
    }
    return row;
  }

  async function lockingOrderCount(trx: Trx, subjectId: string): Promise<number> {
    const r = await trx
      .selectFrom("order_items")
      .innerJoin("orders", "orders.id", "order_items.order_id")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("order_items.subject_id", "=", subjectId)
      .where("orders.state", "in", SUBJECT_LOCKING_STATES)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async function update(accountId: string, id: string, input: SubjectInput, meta: Meta): Promise<Subject> {
    const identityKey = input.kind === "company" ? input.uscc : input.idNumber;
    try {
      return await db.transaction().execute(async (trx) => {
        const before = await getOwnedSubject(trx, accountId, id);
        if (before.kind !== input.kind) {
          throw new AppError(
            "VALIDATION_FAILED",
            `不能把${KIND_LABEL[before.kind]}改为${KIND_LABEL[input.kind]}，请另行添加`,
            { field: "kind" },
          );
        }
        if (identityKey !== before.identity_key) {
          const other = await findByIdentity(trx, accountId, input.kind, identityKey);
          if (other) throw duplicate(input.kind, other);
        }
        const identityChanged = identityKey !== before.identity_key;
        if ((identityChanged || input.name !== before.name) && (await lockingOrderCount(trx, id)) > 0) {
          const field = identityChanged ? IDENTITY_FIELD[input.kind] : "name";
          throw new AppError(
            "INVALID_STATE",
            `“${before.name}”已有审核中或已办理的订单，名称和${IDENTITY_LABEL[input.kind]}不能直接修改，请办理变更业务`,
            { field },
          );
        }
        const changes = {
          name: input.name,
          identity_key: identityKey,
          legal_rep: input.kind === "company" ? input.legalRep : null,
          address: input.kind === "company" ? input.address : null,
          updated_at: iso(clock()),
        };
        await trx
          .updateTable("subjects")
          .set(changes)
          .where("id", "=", id)
          .where("account_id", "=", accountId)
          .execute();
        const after: Subject = { ...before, ...changes };
        await addSubjectVersion(trx, id, after, { orderId: null, at: clock() });
        await appendAudit(trx, {
          at: clock(),
          actorType: "applicant",
          actorId: accountId,
          action: "subject.update",
          objectType: "subject",
          objectId: id,
          detail: { before: auditView(before), after: auditView(after) },
          ip: meta.ip,
        });
        return after;
      });
    } catch (err) {
      if (err instanceof AppError) throw err;
      const winner = await findByIdentity(db, accountId, input.kind, identityKey);
      if (winner && winner.id !== id) throw duplicate(input.kind, winner);
      throw err;
    }
  }

  /** Archive or restore: never deleted (电子签名法 §24 keeps CA records), only hidden from the list. */
  async function setArchived(accountId: string, id: string, archived: boolean, meta: Meta): Promise<Subject> {
    return db.transaction().execute(async (trx) => {
      const before = await getOwnedSubject(trx, accountId, id);
      const value = archived ? 1 : 0;
      if (before.archived === value) return before;
      const updatedAt = iso(clock());
      await trx
        .updateTable("subjects")
        .set({ archived: value, updated_at: updatedAt })
        .where("id", "=", id)
        .where("account_id", "=", accountId)
        .execute();
      await appendAudit(trx, {
        at: clock(),
        actorType: "applicant",
        actorId: accountId,
        action: archived ? "subject.archive" : "subject.restore",
        objectType: "subject",
        objectId: id,
        ip: meta.ip,
      });
      return { ...before, archived: value, updated_at: updatedAt };
    });
  }

  return {
    list,
    get: (accountId: string, id: string) => getOwnedSubject(db, accountId, id),
    create,
    update,
    archive: (accountId: string, id: string, meta: Meta) => setArchived(accountId, id, true, meta),
    restore: (accountId: string, id: string, meta: Meta) => setArchived(accountId, id, false, meta),
  };
}

export type SubjectService = ReturnType<typeof createSubjectService>;
