// Online trades of an order that is cancelled or edited are closed (issue 18): in the order's own
// transaction the open payments become "closed" (our records no longer accept them), then, after the
// commit, the provider is asked to close each trade so the payer can no longer pay it. A payment the
// provider reports anyway (the close came too late, or failed) is recorded as refund_due by the
// notification handler, never dropped.
import type { Db, Trx } from "../../db/database";
import type { Payment } from "../../db/tables.orders";
import { type Clock, iso } from "../../lib/clock";
import { appendAudit } from "../audit/audit.service";
import type { PaymentProvider } from "./payment.provider";

/** Marks the order's open online trades closed, in the caller's transaction; returns them. */
export async function markOpenTradesClosed(trx: Trx, orderId: string, clock: Clock): Promise<Payment[]> {
  const open = await trx
    .selectFrom("payments")
    .selectAll()
    .where("order_id", "=", orderId)
    .where("method", "=", "online")
    .where("status", "=", "created")
    .execute();
  if (open.length === 0) return [];
  await trx
    .updateTable("payments")
    .set({ status: "closed", updated_at: iso(clock()) })
    .where(
      "id",
      "in",
      open.map((p) => p.id),
    )
    .where("status", "=", "created")
    .execute();
  return open;
}

/** After the commit: closes each trade at its provider; the outcome is audited, a failure logged. */
export type CloseTradesAtProvider = (payments: Payment[], ip: string | null) => Promise<void>;

export function createProviderTradeCloser(deps: {
  db: Db;
  clock: Clock;
  provider: PaymentProvider | null;
  /** The WeChat channel's provider, when it is on. */
  wechat?: PaymentProvider | null;
  log: { warn(obj: object, msg: string): void };
}): CloseTradesAtProvider {
  async function closeOne(p: Payment, ip: string | null) {
    let result: "closed" | "not_found" | "failed";
    let error: string | null = null;
    const provider = [deps.provider, deps.wechat].find((x) => x && x.name === p.provider);
    if (!provider) {
      result = "failed";
      error = `provider ${p.provider} is not enabled`;
    } else {
      try {
        result = await provider.closeTrade(p);
      } catch (err) {
        result = "failed";
        error = String((err as Error).message ?? err).slice(0, 300);
      }
    }
    if (error) {
      // The trade may still be paid until the provider's own timeout (2 h): such money is refund_due.
      deps.log.warn({ paymentId: p.id, outTradeNo: p.out_trade_no, error }, "closing an online trade failed");
    }
    await deps.db.transaction().execute((trx) =>
      appendAudit(trx, {
        at: deps.clock(),
        actorType: "system",
        actorId: null,
        action: "payment.trade_closed",
        objectType: "payment",
        objectId: p.id,
        detail: { outTradeNo: p.out_trade_no, provider: p.provider, result, ...(error ? { error } : {}) },
        ip,
      }),
    );
  }

  return async (payments, ip) => {
    for (const p of payments) await closeOne(p, ip);
  };
}
