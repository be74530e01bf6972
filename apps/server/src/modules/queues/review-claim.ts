import type { Db } from "../../db/database";
import type { Order } from "../../db/tables.orders";
import { AppError } from "../../errors";
import { type Clock, iso } from "../../lib/clock";
import { appendAudit } from "../audit/audit.service";
import { applyTransition } from "../orders/order.transition";
import { assertNotOwnOrder } from "../staff/staff.duties";

/** How long a claim (领取) holds an order for its reviewer; after that the next 领取下一单 may take it. */
export const CLAIM_MINUTES = 30;

/** How many candidates one 领取下一单 tries before answering that nothing is free. */
const MAX_TRIES = 20;

/** Codes a candidate may fail on and the claim moves on to the next one (taken by a colleague, own order). */
const SKIP = new Set(["CONFLICT", "FORBIDDEN", "INVALID_STATE"]);

/**
 * 领取下一单: the oldest order waiting for review that no live claim holds, claimed for `staffId` and
 * taken into review in one transaction. The claim row is written by one conditional upsert (insert, or
 * take over an expired claim): on PostgreSQL a second reviewer's upsert of the same order waits for the
 * first's commit and then finds a live claim, on SQLite writers are serialised, so no two reviewers ever
 * hold the same order. A reviewer who already holds a live claim on an order in review gets it back.
 */
export async function claimNextForReview(
  db: Db,
  deps: { clock: Clock; signName: string },
  staffId: string,
  ip: string | null,
): Promise<Order | null> {
  const now = deps.clock();
  const nowIso = iso(now);
  const mine = await db
    .selectFrom("review_claims")
    .innerJoin("orders", "orders.id", "review_claims.order_id")
    .selectAll("orders")
    .where("review_claims.staff_id", "=", staffId)
    .where("review_claims.expires_at", ">", nowIso)
    .where("orders.state", "=", "in_review")
    .orderBy("orders.submitted_at")
    .executeTakeFirst();
  if (mine) return mine;

  const tried = new Set<string>();
  while (tried.size < MAX_TRIES) {
    const candidates = await db
      .selectFrom("orders")
      .leftJoin("review_claims", "review_claims.order_id", "orders.id")
      .select(["orders.id"])
      .where((eb) =>
        eb.or([
          // Waiting and never claimed (or its claim ran out before the review started).
          eb.and([
            eb("orders.state", "=", "submitted"),
            eb.or([eb("review_claims.order_id", "is", null), eb("review_claims.expires_at", "<=", nowIso)]),
          ]),
          // Taken into review through a claim that ran out: the reviewer walked away.
          eb.and([eb("orders.state", "=", "in_review"), eb("review_claims.expires_at", "<=", nowIso)]),
        ]),
      )
      .$if(tried.size > 0, (q) => q.where("orders.id", "not in", [...tried]))
      .orderBy("orders.submitted_at")
      .orderBy("orders.id")
      .limit(5)
      .execute();
    if (candidates.length === 0) return null;
    for (const { id } of candidates) {
      tried.add(id);
      const claimed = await tryClaim(db, deps, id, staffId, now, ip);
      if (claimed) return claimed;
    }
  }
  return null;
}

async function tryClaim(
  db: Db,
  deps: { clock: Clock; signName: string },
  orderId: string,
  staffId: string,
  now: Date,
  ip: string | null,
): Promise<Order | null> {
  const nowIso = iso(now);
  const expires = iso(new Date(now.getTime() + CLAIM_MINUTES * 60_000));
  try {
    return await db.transaction().execute(async (trx) => {
      const won = await trx
        .insertInto("review_claims")
        .values({ order_id: orderId, staff_id: staffId, claimed_at: nowIso, expires_at: expires })
        .onConflict((oc) =>
          oc
            .column("order_id")
            .doUpdateSet({ staff_id: staffId, claimed_at: nowIso, expires_at: expires })
            .where("review_claims.expires_at", "<=", nowIso),
        )
        .returning("order_id")
        .executeTakeFirst();
      if (!won) return null;
      const order = await trx
        .selectFrom("orders")
        .selectAll()
        .where("id", "=", orderId)
        .executeTakeFirstOrThrow();
      const actor = { role: "reviewer" as const, type: "staff" as const, id: staffId };
      const audit = {
        at: now,
        actorType: "staff" as const,
        actorId: staffId,
        action: "order.review_claimed",
        objectType: "order",
        objectId: orderId,
        detail: { orderNo: order.order_no, expiresAt: expires, previousReviewer: order.reviewer_id },
        ip,
      };
      if (order.state === "submitted") {
        return applyTransition(trx, deps, {
          order,
          event: "start_review",
          actor,
          set: { reviewer_id: staffId },
          ip,
          auditBefore: [audit],
        });
      }
      if (order.state !== "in_review") return null;
      await assertNotOwnOrder(trx, staffId, order);
      const taken = await trx
        .updateTable("orders")
        .set({ reviewer_id: staffId, version: order.version + 1, updated_at: nowIso })
        .where("id", "=", orderId)
        .where("version", "=", order.version)
        .returningAll()
        .executeTakeFirst();
      if (!taken) return null;
      await appendAudit(trx, audit);
      return taken;
    });
  } catch (err) {
    if (err instanceof AppError && SKIP.has(err.code)) return null;
    throw err;
  }
}

/** The live claim on an order, with its reviewer's name (the review page says who holds it). */
export async function liveClaim(db: Db, orderId: string, now: Date) {
  return db
    .selectFrom("review_claims")
    .innerJoin("staff", "staff.id", "review_claims.staff_id")
    .select(["review_claims.staff_id", "staff.name", "review_claims.expires_at"])
    .where("review_claims.order_id", "=", orderId)
    .where("review_claims.expires_at", ">", iso(now))
    .executeTakeFirst();
}
