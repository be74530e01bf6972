import type { CaTypePrices } from "@certhall/domain";
import { PROFILES, type ProfileId } from "@certhall/pki";
import type { Db, Trx } from "../../db/database";
import type { CaType } from "../../db/tables.orders";
import { AppError, invalidField, notFound } from "../../errors";
import { type Clock, iso, newId } from "../../lib/clock";
import { appendAudit } from "../audit/audit.service";

export interface CatalogDeps {
  db: Db;
  clock: Clock;
}

interface Meta {
  ip: string | null;
}

type Actor = { type: "staff"; id: string } | { type: "system"; id: null };

export type SubjectKind = "company" | "person";

/** Everything the admin edits of a CA type; the code is fixed at creation (the seed keys on it). */
export interface CaTypeFields {
  name: string;
  description: string;
  subjectKind: SubjectKind;
  profile: string;
  prices: CaTypePrices;
  demoPrices: boolean;
  active: boolean;
  sortOrder: number;
}

/** Shown next to prices flagged as demo (DESIGN §4: demo defaults are placeholders and say so). */
export const DEMO_PRICE_NOTICE = "演示价格，仅供测试，不代表实际收费标准";

/** The catalog row's prices in the shape the fee rules take (packages/domain fees.ts), in fen. */
export function pricesOf(t: CaType): CaTypePrices {
  return {
    certFee: t.cert_fee,
    mediaFee: t.media_fee,
    annualFee: t.annual_fee,
    esealFee: t.eseal_fee,
    changeFee: t.change_fee,
    reissueFee: t.reissue_fee,
    replaceFee: t.replace_fee,
  };
}

export function presentCaType(t: CaType) {
  const profile = Object.hasOwn(PROFILES, t.profile) ? PROFILES[t.profile as ProfileId] : undefined;
  return {
    id: t.id,
    code: t.code,
    name: t.name,
    description: t.description,
    subjectKind: t.subject_kind,
    profile: t.profile,
    profileName: profile?.name ?? t.profile,
    prices: pricesOf(t),
    demoPrices: t.demo_prices === 1,
    priceNotice: t.demo_prices === 1 ? DEMO_PRICE_NOTICE : null,
    active: t.active === 1,
    sortOrder: t.sort_order,
    updatedAt: t.updated_at,
  };
}

/** Profiles a CA type may use for a subject kind: enterprise layouts for companies, person for persons. */
export function profilesFor(kind: SubjectKind): ProfileId[] {
  const want = kind === "company" ? "enterprise" : "person";
  return (Object.keys(PROFILES) as ProfileId[]).filter((id) => PROFILES[id].subjectKind === want);
}

function checkProfile(kind: SubjectKind, profile: string): void {
  if (!Object.hasOwn(PROFILES, profile)) {
    throw invalidField("profile", `证书模板“${profile}”不存在，可选：${Object.keys(PROFILES).join("、")}`);
  }
  const allowed = profilesFor(kind);
  if (!allowed.includes(profile as ProfileId)) {
    const who = kind === "company" ? "企业" : "个人";
    throw invalidField("profile", `证书模板“${profile}”不能用于${who}证书，可选：${allowed.join("、")}`);
  }
}

function columns(f: CaTypeFields) {
  return {
    name: f.name,
    description: f.description,
    subject_kind: f.subjectKind,
    profile: f.profile,
    cert_fee: f.prices.certFee,
    media_fee: f.prices.mediaFee,
    annual_fee: f.prices.annualFee,
    eseal_fee: f.prices.esealFee,
    change_fee: f.prices.changeFee,
    reissue_fee: f.prices.reissueFee,
    replace_fee: f.prices.replaceFee,
    demo_prices: f.demoPrices ? 1 : 0,
    active: f.active ? 1 : 0,
    sort_order: f.sortOrder,
  };
}

/**
 * A product an order may be placed for now: exists and is active. The order service prices with
 * `pricesOf` on the row it gets here, inside its own transaction when it passes one.
 */
export async function getActiveCaType(db: Db | Trx, id: string): Promise<CaType> {
  const t = await db
    .selectFrom("ca_types")
    .selectAll()
    .where("id", "=", id)
    .where("active", "=", 1)
    .executeTakeFirst();
  if (!t) throw notFound("CA 类型");
  return t;
}

export function createCatalogService(deps: CatalogDeps) {
  const { db, clock } = deps;

  async function listActive(kind?: SubjectKind): Promise<CaType[]> {
    let q = db.selectFrom("ca_types").selectAll().where("active", "=", 1);
    if (kind) q = q.where("subject_kind", "=", kind);
    return q.orderBy("sort_order").orderBy("code").execute();
  }

  async function listAll(): Promise<CaType[]> {
    return db.selectFrom("ca_types").selectAll().orderBy("sort_order").orderBy("code").execute();
  }

  async function byCode(q: Db | Trx, code: string) {
    return q.selectFrom("ca_types").selectAll().where("code", "=", code).executeTakeFirst();
  }

  async function create(actor: Actor, input: CaTypeFields & { code: string }, meta: Meta): Promise<CaType> {
    checkProfile(input.subjectKind, input.profile);
    const taken = () =>
      new AppError("CONFLICT", `编码“${input.code}”已被其他 CA 类型使用`, { field: "code" });
    if (await byCode(db, input.code)) throw taken();
    const row: CaType = { id: newId(), code: input.code, ...columns(input), updated_at: iso(clock()) };
    try {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto("ca_types").values(row).execute();
        await appendAudit(trx, {
          at: clock(),
          actorType: actor.type,
          actorId: actor.id,
          action: "catalog.ca_type.create",
          objectType: "ca_type",
          objectId: row.id,
          detail: { before: null, after: row },
          ip: meta.ip,
        });
      });
    } catch (err) {
      if (await byCode(db, input.code)) throw taken();
      throw err;
    }
    return row;
  }

  async function update(actor: Actor, id: string, input: CaTypeFields, meta: Meta): Promise<CaType> {
    checkProfile(input.subjectKind, input.profile);
    return db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom("ca_types").selectAll().where("id", "=", id).executeTakeFirst();
      if (!before) throw notFound("CA 类型");
      const after: CaType = { ...before, ...columns(input), updated_at: iso(clock()) };
      await trx
        .updateTable("ca_types")
        .set({ ...columns(input), updated_at: after.updated_at })
        .where("id", "=", id)
        .execute();
      // Orders keep the fee lines priced when they were saved (order_items.fee_lines), so a price edit
      // here changes what new orders cost, not what existing ones owe; the audit keeps both versions.
      await appendAudit(trx, {
        at: clock(),
        actorType: actor.type,
        actorId: actor.id,
        action: "catalog.ca_type.update",
        objectType: "ca_type",
        objectId: id,
        detail: { before, after },
        ip: meta.ip,
      });
      return after;
    });
  }

  return { listActive, listAll, create, update };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
