import {
  type BusinessCode,
  decideTransition,
  ORDER_STATE_INFO,
  type OrderActor,
  type OrderEvent,
  type OrderState,
  type PaymentMethod,
} from "@certhall/domain";
import type { Updateable } from "kysely";
import type { Trx } from "../../db/database";
import type { Order, OrdersTable } from "../../db/tables.orders";
import { AppError } from "../../errors";
import { type Clock, iso, newId } from "../../lib/clock";
import { type AuditInput, appendAuditEntries } from "../audit/audit.service";
import { queueSms } from "../sms/sms.outbox";
import { assertNotOwnOrder } from "../staff/staff.duties";
import { serverBusiness } from "./businesses";
import { releaseHolds } from "./order.targets";

/** Who fires a transition: their role in the order machine and their identity for the records. */
export interface TransitionActor {
  role: OrderActor;
  type: "applicant" | "staff" | "system";
  id: string | null;
}

export interface TransitionDeps {
  clock: Clock;
  signName: string;
}

export interface TransitionInput {
  order: Order;
  event: OrderEvent;
  actor: TransitionActor;
  /** The version the caller saw; a different current version means someone else acted first. */
  expectedVersion?: number;
  note?: string | null;
  method?: PaymentMethod;
  /** Other columns changed by the same step (delivery details, reviewer id, …). */
  set?: Omit<Updateable<OrdersTable>, "id" | "state" | "version">;
  ip?: string | null;
  /** Extra detail for the audit entry. */
  detail?: Record<string, unknown>;
  /** Audit entries of the same transaction that come before this step's (appended together, last). */
  auditBefore?: AuditInput[];
}

/**
 * Applies one step of the order machine inside the caller's transaction: decides it with the pure
 * rules of packages/domain, updates the order under an optimistic version check, records the order
 * event and the audit entry, and queues the SMS the step sends. Nothing else changes order state.
 */
export async function applyTransition(
  trx: Trx,
  deps: TransitionDeps,
  input: TransitionInput,
): Promise<Order> {
  const { order, event, actor } = input;
  if (input.expectedVersion !== undefined && input.expectedVersion !== order.version) {
    throw new AppError("CONFLICT", "订单已被更新，请刷新页面后重试");
  }
  if (actor.type === "staff" && actor.id) await assertNotOwnOrder(trx, actor.id, order);
  const from = order.state as OrderState;
  const decision = decideTransition(
    from,
    event,
    actor.role,
    {
      business: order.business as BusinessCode,
      method: input.method,
      needsReview: order.needs_review === 1,
    },
    input.note ?? undefined,
  );
  if (!decision.ok) {
    if (decision.code === "WRONG_ACTOR") throw new AppError("FORBIDDEN", decision.reason);
    if (decision.code === "NOTE_REQUIRED")
      throw new AppError("VALIDATION_FAILED", decision.reason, { field: "note" });
    throw new AppError("INVALID_STATE", decision.reason);
  }
  const now = deps.clock();
  const to = decision.to;
  const note = input.note?.trim() || null;
  const r = await trx
    .updateTable("orders")
    .set({
      ...input.set,
      state: to,
      version: order.version + 1,
      updated_at: iso(now),
      ...(note ? { last_note: note } : {}),
      ...(event === "submit" ? { submitted_at: iso(now) } : {}),
      ...(to === "completed" ? { completed_at: iso(now) } : {}),
    })
    .where("id", "=", order.id)
    .where("version", "=", order.version)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new AppError("CONFLICT", "订单已被他人更新，请刷新页面后重试");

  // A final state frees the certificates the order held (one open order per certificate).
  if (ORDER_STATE_INFO[to].final) await releaseHolds(trx, order.id);
  const onReady = serverBusiness(order.business as BusinessCode).onReady;
  const ready = to !== "ready" ? null : onReady ? await onReady(trx, order, deps) : { notified: false };

  await trx
    .insertInto("order_events")
    .values({
      id: newId(),
      order_id: order.id,
      version: order.version + 1,
      at: iso(now),
      actor_type: actor.role,
      actor_id: actor.id,
      event,
      from_state: from,
      to_state: to,
      note,
    })
    .execute();
  const sms = { clock: deps.clock, signName: deps.signName };
  const phone = order.handler_phone;
  const orderNo = order.order_no;
  if (event === "approve") {
    // The handler, and the account holder (the registered phone) when the handler is someone else.
    const holder = await trx
      .selectFrom("accounts")
      .select("phone")
      .where("id", "=", order.account_id)
      .executeTakeFirst();
    for (const to of new Set([phone, holder?.phone ?? phone]))
      await queueSms(trx, sms, to, "order_approved", { orderNo });
  }
  if (event === "reject") await queueSms(trx, sms, phone, "order_rejected", { orderNo, reason: note ?? "" });
  if (event === "return_payment")
    await queueSms(trx, sms, phone, "payment_returned", { orderNo, reason: note ?? "" });
  if (event === "receive_materials") await queueSms(trx, sms, phone, "materials_received", { orderNo });
  // Each step's message says what happened: booked by finance, paid online, or accepted free of charge.
  if (to === "awaiting_materials") {
    const template =
      event === "book" ? "payment_booked" : input.method === "zero" ? "order_accepted" : "payment_received";
    await queueSms(trx, sms, phone, template, { orderNo });
  }
  if (ready && !ready.notified) await queueSms(trx, sms, phone, "order_ready", { orderNo });

  const updated = await trx
    .selectFrom("orders")
    .selectAll()
    .where("id", "=", order.id)
    .executeTakeFirstOrThrow();
  // Last: the audit append holds the chain's head lock until commit (see appendAuditEntries).
  await appendAuditEntries(trx, [
    ...(input.auditBefore ?? []),
    {
      at: now,
      actorType: actor.type,
      actorId: actor.id,
      action: `order.${event}`,
      objectType: "order",
      objectId: order.id,
      detail: { orderNo: order.order_no, from, to, ...(note ? { note } : {}), ...input.detail },
      ip: input.ip ?? null,
    },
  ]);
  return updated;
}
