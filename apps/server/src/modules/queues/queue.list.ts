import {
  BUSINESS_TYPES,
  type BusinessCode,
  maskIdCard,
  maskPhone,
  ORDER_STATE_INFO,
  type OrderState,
} from "@certhall/domain";
import type { Db } from "../../db/database";
import { invalidField } from "../../errors";
import { orderItemRows } from "../orders/order.queries";

/** What a staff queue may be narrowed by (every field optional; the queue fixes states or delivery). */
export interface QueueFilter {
  states: readonly OrderState[];
  business?: BusinessCode;
  caTypeId?: string;
  windowId?: string;
  delivery?: "mail" | "window";
  appointmentDate?: string;
  /** Submitted on or after / before (ISO instants, [from, to)). */
  from?: string;
  to?: string;
  minFen?: number;
  maxFen?: number;
  /** Order number, 汇款识别码, company or person name, USCC, handler phone. */
  q?: string;
  /** mail queue: only envelopes not yet / already received. */
  mail?: "expected" | "received";
}

export interface QueuePage {
  limit: number;
  /** The cursor of the last row of the previous page (`next` of its answer). */
  after?: string;
}

/** Keyset cursor: the row's (submitted_at, id), base64url of JSON. Opaque to the browser. */
export function encodeCursor(submittedAt: string, id: string): string {
  return Buffer.from(JSON.stringify([submittedAt, id])).toString("base64url");
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "string"))
      return v as [string, string];
  } catch {
    // fall through
  }
  throw invalidField("after", "分页位置无效，请回到第一页");
}

/**
 * One page of a queue, oldest first: a keyset walk over orders (state, submitted_at, id) — the
 * `orders_queue` index of migration 0018 — so page 5,000 costs what page 1 costs. The page's items
 * (subjects, CA types) are read in one second query for the page's ids only.
 */
export async function listQueue(db: Db, filter: QueueFilter, page: QueuePage, now: Date) {
  let q = db
    .selectFrom("orders")
    .leftJoin("inbound_mail", "inbound_mail.order_id", "orders.id")
    .leftJoin("review_claims", (j) =>
      j
        .onRef("review_claims.order_id", "=", "orders.id")
        .on("review_claims.expires_at", ">", now.toISOString()),
    )
    .leftJoin("staff as claimer", "claimer.id", "review_claims.staff_id")
    .select([
      "orders.id",
      "orders.order_no",
      "orders.business",
      "orders.subject_kind",
      "orders.state",
      "orders.version",
      "orders.total_fen",
      "orders.handler_name",
      "orders.handler_phone",
      "orders.remittance_code",
      "orders.delivery_method",
      "orders.window_id",
      "orders.appointment_date",
      "orders.submitted_at",
      "orders.updated_at",
      "inbound_mail.courier as mail_courier",
      "inbound_mail.waybill as mail_waybill",
      "inbound_mail.received_at as mail_received_at",
      "claimer.name as claimed_by",
    ])
    .where("orders.submitted_at", "is not", null);
  if (filter.states.length === 1) q = q.where("orders.state", "=", filter.states[0]!);
  else q = q.where("orders.state", "in", filter.states);
  if (filter.business) q = q.where("orders.business", "=", filter.business);
  if (filter.windowId) q = q.where("orders.window_id", "=", filter.windowId);
  if (filter.delivery) q = q.where("orders.delivery_method", "=", filter.delivery);
  if (filter.appointmentDate) q = q.where("orders.appointment_date", "=", filter.appointmentDate);
  if (filter.from) q = q.where("orders.submitted_at", ">=", filter.from);
  if (filter.to) q = q.where("orders.submitted_at", "<", filter.to);
  if (filter.minFen !== undefined) q = q.where("orders.total_fen", ">=", filter.minFen);
  if (filter.maxFen !== undefined) q = q.where("orders.total_fen", "<=", filter.maxFen);
  if (filter.mail === "expected") q = q.where("inbound_mail.received_at", "is", null);
  if (filter.mail === "received") q = q.where("inbound_mail.received_at", "is not", null);
  if (filter.caTypeId) {
    const caTypeId = filter.caTypeId;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("order_items")
          .select("order_items.id")
          .whereRef("order_items.order_id", "=", "orders.id")
          .where("order_items.ca_type_id", "=", caTypeId),
      ),
    );
  }
  if (filter.q) {
    const term = filter.q;
    q = q.where("orders.id", "in", () => searchOrderIds(db, term));
  }
  if (page.after) {
    const [s, id] = decodeCursor(page.after);
    q = q.where((eb) => eb(eb.refTuple("orders.submitted_at", "orders.id"), ">", eb.tuple(s, id)));
  }
  const rows = await q
    .orderBy("orders.submitted_at")
    .orderBy("orders.id")
    .limit(page.limit + 1)
    .execute();
  const pageRows = rows.slice(0, page.limit);
  const items = await itemsOf(
    db,
    pageRows.map((r) => r.id),
  );
  const last = pageRows.at(-1);
  return {
    rows: pageRows.map((r) => presentQueueRow(r, items.get(r.id) ?? [], now)),
    next: rows.length > page.limit && last ? encodeCursor(last.submitted_at!, last.id) : null,
  };
}

/**
 * The ids of orders a search term names: order number, 汇款识别码, handler phone, waybill, USCC / ID
 * number, or part of a subject's name. One indexed lookup per kind of key, united (an OR over joined
 * columns would scan the orders); only the name's substring search reads the subjects, one row per
 * company or person, not per order.
 */
export function searchOrderIds(db: Db, text: string) {
  const term = text.trim();
  const upper = term.toUpperCase();
  const like = `%${term.replace(/[%_\\]/g, "")}%`;
  return db
    .selectFrom("orders as o")
    .select("o.id")
    .where("o.order_no", "=", upper)
    .union(db.selectFrom("orders as o").select("o.id").where("o.remittance_code", "=", upper))
    .union(db.selectFrom("orders as o").select("o.id").where("o.handler_phone", "=", term))
    .union(db.selectFrom("inbound_mail as m").select("m.order_id as id").where("m.waybill", "=", term))
    .union(
      db
        .selectFrom("order_items as i")
        .innerJoin("subjects as s", "s.id", "i.subject_id")
        .select("i.order_id as id")
        .where((e) => e.or([e("s.identity_key", "=", upper), e("s.name", "like", like)])),
    );
}

async function itemsOf(db: Db, orderIds: string[]) {
  const by = new Map<string, { subject: string; identity: string; kind: string; caType: string }[]>();
  if (orderIds.length === 0) return by;
  const rows = await orderItemRows(db)
    .where("order_items.order_id", "in", orderIds)
    .orderBy("order_items.order_id")
    .orderBy("order_items.position")
    .execute();
  for (const r of rows) {
    const list = by.get(r.order_id) ?? [];
    list.push({
      subject: r.subject_name,
      identity: r.subject_identity,
      kind: r.subject_kind,
      caType: r.ca_type_name,
    });
    by.set(r.order_id, list);
  }
  return by;
}

interface Row {
  id: string;
  order_no: string;
  business: string;
  subject_kind: string;
  state: string;
  version: number;
  total_fen: number;
  handler_name: string;
  handler_phone: string;
  remittance_code: string;
  delivery_method: string | null;
  window_id: string | null;
  appointment_date: string | null;
  submitted_at: string | null;
  mail_courier: string | null;
  mail_waybill: string | null;
  mail_received_at: string | null;
  claimed_by: string | null;
}

function presentQueueRow(
  r: Row,
  items: { subject: string; identity: string; kind: string; caType: string }[],
  now: Date,
) {
  const state = r.state as OrderState;
  // The company first: a queue row names who the order is for; persons' ID numbers stay masked.
  const first = items.find((i) => i.kind === "company") ?? items[0];
  const subjects = [...new Set(items.map((i) => i.subject))];
  return {
    id: r.id,
    orderNo: r.order_no,
    business: r.business,
    businessName: BUSINESS_TYPES[r.business as BusinessCode]?.name ?? r.business,
    state,
    stateLabel: ORDER_STATE_INFO[state]?.labelZh ?? state,
    version: r.version,
    totalFen: r.total_fen,
    subjectName: first?.subject ?? "",
    subjectIdentity: first ? (first.kind === "company" ? first.identity : maskIdCard(first.identity)) : "",
    otherSubjects: Math.max(0, subjects.length - 1),
    caTypes: [...new Set(items.map((i) => i.caType))],
    handlerName: r.handler_name,
    handlerPhoneMasked: maskPhone(r.handler_phone),
    remittanceCode: r.remittance_code,
    delivery: r.delivery_method,
    windowId: r.window_id,
    appointmentDate: r.appointment_date,
    mail: r.mail_waybill
      ? { courier: r.mail_courier ?? "", waybill: r.mail_waybill, receivedAt: r.mail_received_at }
      : null,
    claimedBy: r.claimed_by,
    submittedAt: r.submitted_at!,
    waitedMinutes: Math.max(0, Math.floor((now.getTime() - Date.parse(r.submitted_at!)) / 60_000)),
  };
}

export type QueueRow = ReturnType<typeof presentQueueRow>;
