import { randomInt } from "node:crypto";
import {
  ACTOR_LABELS,
  availableEvents,
  BUSINESS_TYPES,
  type BusinessCode,
  expectedPath,
  itemFeeLines,
  maskIdCard,
  maskPhone,
  ORDER_STATE_INFO,
  ORDER_TRANSITIONS,
  type OrderActor,
  type OrderEvent,
  type OrderState,
  shanghaiDate,
  sumLines,
} from "@certhall/domain";
import type { Config } from "../../config";
import type { Db, Trx } from "../../db/database";
import type { Order } from "../../db/tables.orders";
import { invalidField, notFound } from "../../errors";
import { type Clock, iso, newId } from "../../lib/clock";
import { type AuditInput, appendAudit } from "../audit/audit.service";
import { pricesOf } from "../catalog/catalog.service";
import { rememberHandler } from "../subjects/handler.service";
import { findOwnedOrder, orderItemRows } from "./order.queries";
import { applyTransition, type TransitionActor } from "./order.transition";

export interface OrderDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, "sms">;
}

export interface HandlerInput {
  name: string;
  idNumber: string;
  phone: string;
}

export interface ItemInput {
  subjectId: string;
  caTypeId: string;
  years: number;
  eseal: boolean;
}

export interface OrderInput {
  business: BusinessCode;
  subjectKind: "company" | "person";
  handler: HandlerInput;
  items: ItemInput[];
}

interface Meta {
  ip: string | null;
}

export const MAX_ITEMS = 20;
// 汇款识别码 alphabet: no 0/O, 1/I/L, so it survives being read aloud or typed from a bank slip.
const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

function randomCode(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

/** Which businesses the server can carry end to end today (others are switched on by later work). */
export function assertBusinessAvailable(business: BusinessCode): void {
  if (!BUSINESS_TYPES[business].available) {
    throw invalidField("business", `「${BUSINESS_TYPES[business].name}」业务暂未开放`);
  }
}

export function createOrderService(deps: OrderDeps) {
  const { db, clock } = deps;
  const tdeps = { clock, signName: deps.config.sms.signName };

  /** Prices every item from the catalog as it stands now, checking ownership and kinds. */
  async function priceItems(trx: Trx | Db, accountId: string, input: OrderInput) {
    if (input.items.length === 0) throw invalidField("items", "请至少添加一项证书");
    if (input.items.length > MAX_ITEMS) throw invalidField("items", `一个订单最多 ${MAX_ITEMS} 项证书`);
    const subjectIds = [...new Set(input.items.map((i) => i.subjectId))];
    const caTypeIds = [...new Set(input.items.map((i) => i.caTypeId))];
    const subjects = new Map(
      (
        await trx
          .selectFrom("subjects")
          .selectAll()
          .where("account_id", "=", accountId)
          .where("archived", "=", 0)
          .where("id", "in", subjectIds)
          .execute()
      ).map((s) => [s.id, s]),
    );
    const caTypes = new Map(
      (
        await trx
          .selectFrom("ca_types")
          .selectAll()
          .where("active", "=", 1)
          .where("id", "in", caTypeIds)
          .execute()
      ).map((c) => [c.id, c]),
    );
    return input.items.map((item, index) => {
      const subject = subjects.get(item.subjectId);
      // Another account's subject is simply not found: ids do not reveal what exists elsewhere.
      if (!subject) throw invalidField(`items.${index}.subjectId`, `第 ${index + 1} 项：主体不存在`);
      if (subject.kind !== input.subjectKind) {
        throw invalidField(`items.${index}.subjectId`, `第 ${index + 1} 项：主体类型与订单不符`);
      }
      const caType = caTypes.get(item.caTypeId);
      if (!caType) throw invalidField(`items.${index}.caTypeId`, `第 ${index + 1} 项：CA 类型不存在或已停售`);
      if (caType.subject_kind !== subject.kind) {
        throw invalidField(
          `items.${index}.caTypeId`,
          `第 ${index + 1} 项：「${caType.name}」不适用于${subject.kind === "company" ? "企业" : "个人"}`,
        );
      }
      if (!Number.isInteger(item.years) || item.years < 1 || item.years > 5) {
        throw invalidField(`items.${index}.years`, `第 ${index + 1} 项：年限应为 1–5 年`);
      }
      const lines = itemFeeLines(input.business, pricesOf(caType), { years: item.years, eseal: item.eseal });
      return { item, subject, caType, lines, amount: sumLines(lines) };
    });
  }

  async function writeItems(trx: Trx, orderId: string, priced: Awaited<ReturnType<typeof priceItems>>) {
    await trx.deleteFrom("order_items").where("order_id", "=", orderId).execute();
    await trx
      .insertInto("order_items")
      .values(
        priced.map((p, position) => ({
          id: newId(),
          order_id: orderId,
          position,
          subject_id: p.subject.id,
          ca_type_id: p.caType.id,
          years: p.item.years,
          eseal: p.item.eseal ? 1 : 0,
          fee_lines: JSON.stringify(p.lines),
          amount_fen: p.amount,
          target_serial: null,
          certificate_serial: null,
          media_serial: null,
          details: null,
        })),
      )
      .execute();
  }

  async function create(
    accountId: string,
    input: OrderInput & { clientToken?: string; submit?: boolean },
    meta: Meta,
  ) {
    assertBusinessAvailable(input.business);
    const handler = input.handler;
    if (input.clientToken) {
      const prior = await db
        .selectFrom("orders")
        .selectAll()
        .where("account_id", "=", accountId)
        .where("client_token", "=", input.clientToken)
        .executeTakeFirst();
      if (prior) return prior; // the same form submitted twice: one order
    }
    const priced = await priceItems(db, accountId, input);
    const applicant: TransitionActor = { role: "applicant", type: "applicant", id: accountId };
    for (let attempt = 0; ; attempt++) {
      const now = clock();
      const order: Order = {
        id: newId(),
        order_no: `CH${shanghaiDate(now).replaceAll("-", "")}${String(randomInt(1_000_000)).padStart(6, "0")}`,
        account_id: accountId,
        business: input.business,
        subject_kind: input.subjectKind,
        state: "draft",
        version: 1,
        handler_name: handler.name,
        handler_id_number: handler.idNumber,
        handler_phone: handler.phone,
        total_fen: priced.reduce((s, p) => s + p.amount, 0),
        remittance_code: randomCode(8),
        delivery_method: null,
        window_id: null,
        appointment_date: null,
        return_address: null,
        courier: null,
        tracking_no: null,
        last_note: null,
        reviewer_id: null,
        client_token: input.clientToken ?? null,
        submitted_at: null,
        completed_at: null,
        created_at: iso(now),
        updated_at: iso(now),
      };
      try {
        return await db.transaction().execute(async (trx) => {
          await trx.insertInto("orders").values(order).execute();
          await writeItems(trx, order.id, priced);
          await rememberHandler(trx, accountId, handler, clock());
          const created: AuditInput = {
            at: now,
            actorType: "applicant",
            actorId: accountId,
            action: "order.create",
            objectType: "order",
            objectId: order.id,
            detail: {
              orderNo: order.order_no,
              business: order.business,
              items: priced.length,
              totalFen: order.total_fen,
            },
            ip: meta.ip,
          };
          if (!input.submit) {
            await appendAudit(trx, created);
            return order;
          }
          return applyTransition(trx, tdeps, {
            order,
            event: "submit",
            actor: applicant,
            ip: meta.ip,
            auditBefore: [created],
          });
        });
      } catch (err) {
        if (input.clientToken) {
          const prior = await db
            .selectFrom("orders")
            .selectAll()
            .where("account_id", "=", accountId)
            .where("client_token", "=", input.clientToken)
            .executeTakeFirst();
          if (prior) return prior; // lost a race against our own double click
        }
        // A collision on order number or remittance code: try new ones a few times.
        const collided = await db
          .selectFrom("orders")
          .select("id")
          .where((eb) =>
            eb.or([eb("order_no", "=", order.order_no), eb("remittance_code", "=", order.remittance_code)]),
          )
          .executeTakeFirst();
        if (!collided || attempt >= 3) throw err;
      }
    }
  }

  const getOwned = (accountId: string, orderId: string) => findOwnedOrder(db, accountId, orderId);

  async function getAny(orderId: string): Promise<Order> {
    const o = await db.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
    if (!o) throw notFound("订单");
    return o;
  }

  async function update(
    accountId: string,
    orderId: string,
    input: OrderInput & { version: number },
    meta: Meta,
  ) {
    const order = await getOwned(accountId, orderId);
    if (input.business !== order.business) throw invalidField("business", "不能更改订单的业务类型");
    if (input.subjectKind !== order.subject_kind) throw invalidField("subjectKind", "不能更改订单的主体类型");
    const handler = input.handler;
    const priced = await priceItems(db, accountId, input);
    return db.transaction().execute(async (trx) => {
      const updated = await applyTransition(trx, tdeps, {
        order,
        event: "edit",
        actor: { role: "applicant", type: "applicant", id: accountId },
        expectedVersion: input.version,
        set: {
          handler_name: handler.name,
          handler_id_number: handler.idNumber,
          handler_phone: handler.phone,
          total_fen: priced.reduce((s, p) => s + p.amount, 0),
        },
        ip: meta.ip,
      });
      await writeItems(trx, order.id, priced);
      await rememberHandler(trx, accountId, handler, clock());
      return updated;
    });
  }

  /** A plain state step (submit, cancel, review decisions) on an order already loaded and authorised. */
  async function step(
    order: Order,
    event: OrderEvent,
    actor: TransitionActor,
    opts: {
      version?: number;
      note?: string | null;
      ip: string | null;
      set?: Parameters<typeof applyTransition>[2]["set"];
    },
  ) {
    return db.transaction().execute((trx) =>
      applyTransition(trx, tdeps, {
        order,
        event,
        actor,
        expectedVersion: opts.version,
        note: opts.note,
        set: opts.set,
        ip: opts.ip,
      }),
    );
  }

  async function items(orderId: string) {
    return orderItemRows(db)
      .where("order_items.order_id", "=", orderId)
      .orderBy("order_items.position")
      .execute();
  }

  async function events(orderId: string) {
    return db
      .selectFrom("order_events")
      .selectAll()
      .where("order_id", "=", orderId)
      .orderBy("version")
      .execute();
  }

  async function list(
    filter: { accountId?: string; states?: OrderState[]; business?: BusinessCode; q?: string },
    page: { limit: number; offset: number },
  ) {
    let q = db.selectFrom("orders").selectAll();
    if (filter.accountId) q = q.where("account_id", "=", filter.accountId);
    if (filter.states?.length) q = q.where("state", "in", filter.states);
    if (filter.business) q = q.where("business", "=", filter.business);
    if (filter.q) {
      const term = filter.q.trim();
      // Search by order number, remittance code, or a subject's name / identity on the order.
      q = q.where((eb) =>
        eb.or([
          eb("order_no", "=", term.toUpperCase()),
          eb("remittance_code", "=", term.toUpperCase()),
          eb(
            "id",
            "in",
            eb
              .selectFrom("order_items")
              .innerJoin("subjects", "subjects.id", "order_items.subject_id")
              .select("order_items.order_id")
              .where((e) =>
                e.or([
                  e("subjects.name", "like", `%${term.replace(/[%_]/g, "")}%`),
                  e("subjects.identity_key", "=", term.toUpperCase()),
                ]),
              ),
          ),
        ]),
      );
    }
    const rows = await q
      .orderBy("updated_at", "desc")
      .orderBy("id")
      .limit(page.limit + 1)
      .offset(page.offset)
      .execute();
    return { rows: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
  }

  return { create, update, getOwned, getAny, step, items, events, list };
}

export type OrderService = ReturnType<typeof createOrderService>;

/** The progress timeline: what happened (events) and what comes next, and who acts. */
export function timeline(
  order: Order,
  evts: { at: string; event: string; actor_type: string; note: string | null; to_state: string }[],
) {
  const state = order.state as OrderState;
  const business = order.business as BusinessCode;
  const path = expectedPath(business);
  const idx = path.indexOf(state);
  const upcoming = idx >= 0 ? path.slice(idx + 1) : [];
  return {
    done: evts.map((e) => ({
      at: e.at,
      event: e.event,
      label: ORDER_TRANSITIONS[e.event as OrderEvent]?.labelZh ?? e.event,
      actor: ACTOR_LABELS[e.actor_type as OrderActor] ?? e.actor_type,
      note: e.note,
      state: e.to_state,
    })),
    current: {
      state,
      label: ORDER_STATE_INFO[state].labelZh,
      next: ORDER_STATE_INFO[state].nextZh,
      nextActor: ORDER_STATE_INFO[state].nextActor ? ACTOR_LABELS[ORDER_STATE_INFO[state].nextActor!] : null,
    },
    upcoming: upcoming.map((s) => ({
      state: s,
      label: ORDER_STATE_INFO[s].labelZh,
      actor: ORDER_STATE_INFO[s].nextActor ? ACTOR_LABELS[ORDER_STATE_INFO[s].nextActor!] : null,
    })),
  };
}

export function presentOrderSummary(o: Order) {
  const state = o.state as OrderState;
  return {
    id: o.id,
    orderNo: o.order_no,
    business: o.business,
    businessName: BUSINESS_TYPES[o.business as BusinessCode]?.name ?? o.business,
    subjectKind: o.subject_kind,
    state,
    stateLabel: ORDER_STATE_INFO[state]?.labelZh ?? state,
    version: o.version,
    totalFen: o.total_fen,
    handlerName: o.handler_name,
    handlerPhoneMasked: maskPhone(o.handler_phone),
    submittedAt: o.submitted_at,
    createdAt: o.created_at,
    updatedAt: o.updated_at,
  };
}

export function presentOrderDetail(
  o: Order,
  itemRows: Awaited<ReturnType<OrderService["items"]>>,
  evts: Awaited<ReturnType<OrderService["events"]>>,
  viewer: OrderActor,
) {
  const staff = viewer !== "applicant";
  return {
    ...presentOrderSummary(o),
    handler: {
      name: o.handler_name,
      // Staff check identity against the materials; the applicant's own screens show it masked.
      idNumber: staff ? o.handler_id_number : maskIdCard(o.handler_id_number),
      phone: staff ? o.handler_phone : maskPhone(o.handler_phone),
    },
    remittanceCode: o.remittance_code,
    lastNote: o.last_note,
    delivery: {
      method: o.delivery_method,
      windowId: o.window_id,
      appointmentDate: o.appointment_date,
      returnAddress: o.return_address ? (JSON.parse(o.return_address) as Record<string, string>) : null,
      courier: o.courier,
      trackingNo: o.tracking_no,
    },
    items: itemRows.map((i) => ({
      id: i.id,
      subject: {
        id: i.subject_id,
        kind: i.subject_kind,
        name: i.subject_name,
        identity: i.subject_kind === "person" && !staff ? maskIdCard(i.subject_identity) : i.subject_identity,
        legalRep: i.subject_legal_rep,
        address: i.subject_address,
      },
      caType: { id: i.ca_type_id, name: i.ca_type_name },
      years: i.years,
      eseal: i.eseal === 1,
      feeLines: JSON.parse(i.fee_lines) as { code: string; labelZh: string; amount: number }[],
      amountFen: i.amount_fen,
      certificateSerial: i.certificate_serial,
      mediaSerial: i.media_serial,
    })),
    timeline: timeline(o, evts),
    actions: availableEvents(o.state as OrderState, viewer, o.business as BusinessCode),
  };
}
