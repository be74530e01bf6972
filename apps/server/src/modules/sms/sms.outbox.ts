import type { FastifyBaseLogger } from "fastify";
import type { Db, Trx } from "../../db/database";
import { addSeconds, type Clock, iso, newId } from "../../lib/clock";
import type { RunExclusive } from "../../lib/exclusive";
import { claimDueOutboxRows } from "../../lib/outbox";
import type { SmsProvider } from "./sms.provider";
import { redactSms, renderSms, type SmsTemplateName, type SmsTemplateParams } from "./sms.templates";

/**
 * Transactional outbox: a message is queued in the same transaction as the change that causes it,
 * so a rolled-back change sends nothing and a committed one is never lost. A worker delivers it.
 */
export async function queueSms<T extends SmsTemplateName>(
  trx: Trx,
  opts: { clock: Clock; signName: string },
  phone: string,
  template: T,
  params: SmsTemplateParams<T>,
): Promise<string> {
  const now = iso(opts.clock());
  const id = newId();
  await trx
    .insertInto("sms_outbox")
    .values({
      id,
      phone,
      template,
      params: JSON.stringify(params),
      text: renderSms(opts.signName, template, params),
      status: "pending",
      attempts: 0,
      next_attempt_at: now,
      lease_until: null,
      last_error: null,
      provider: null,
      provider_message_id: null,
      created_at: now,
      sent_at: null,
    })
    .execute();
  return id;
}

export const SMS_MAX_ATTEMPTS = 6;
const LEASE_SECONDS = 60;

export interface SmsWorkerDeps {
  db: Db;
  provider: SmsProvider;
  clock: Clock;
  log: FastifyBaseLogger;
}

/**
 * One pass over due messages. Each is claimed with a conditional update (pending → sending with a
 * lease), so two workers never send the same row; a worker that dies mid-send leaves a lease that
 * expires and the row is retried. The provider gets our row id as its idempotency key (Aliyun OutId),
 * so such a retry after a crash between "sent" and "recorded" is recognisable downstream.
 */
export async function deliverDueSms(deps: SmsWorkerDeps, batch = 20): Promise<number> {
  const now = deps.clock();
  let sent = 0;
  for (const id of await claimDueOutboxRows(deps.db, "sms_outbox", now, batch, LEASE_SECONDS)) {
    const msg = await deps.db
      .selectFrom("sms_outbox")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    const attempts = msg.attempts + 1;
    const params = JSON.parse(msg.params) as Record<string, string>;
    // Once the gateway has the message (or never will), the outbox keeps no secret of it.
    const redacted = () => {
      if (deps.provider.deliversToOutbox) return {};
      const r = redactSms(msg.template, params, msg.text);
      return { params: JSON.stringify(r.params), text: r.text };
    };
    try {
      const result = await deps.provider.send({
        id: msg.id,
        phone: msg.phone,
        template: msg.template,
        params,
        text: msg.text,
      });
      await deps.db
        .updateTable("sms_outbox")
        .set({
          ...redacted(),
          status: "sent",
          attempts,
          lease_until: null,
          last_error: null,
          provider: deps.provider.name,
          provider_message_id: result.providerMessageId,
          sent_at: iso(deps.clock()),
        })
        .where("id", "=", id)
        .execute();
      sent++;
    } catch (err) {
      const retryable = (err as { retryable?: boolean }).retryable !== false;
      const giveUp = !retryable || attempts >= SMS_MAX_ATTEMPTS;
      // Exponential backoff: 2, 4, 8, 16, 32 s.
      const next = addSeconds(deps.clock(), 2 ** attempts);
      await deps.db
        .updateTable("sms_outbox")
        .set({
          ...(giveUp ? redacted() : {}),
          status: giveUp ? "failed" : "pending",
          attempts,
          lease_until: null,
          next_attempt_at: iso(next),
          provider: deps.provider.name,
          last_error: String((err as Error).message ?? err).slice(0, 500),
        })
        .where("id", "=", id)
        .execute();
      deps.log.warn({ smsId: id, attempts, giveUp }, "sms delivery failed");
    }
  }
  return sent;
}

/** Delivers due messages every `intervalMs`; with `exclusive`, one instance at a time does. */
export function startSmsWorker(
  deps: SmsWorkerDeps,
  intervalMs: number,
  exclusive?: RunExclusive,
): { stop(): Promise<void> } {
  const pass = () => deliverDueSms(deps).then(() => {});
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    running = running
      .then(async () => {
        await (exclusive ? exclusive("sms-outbox", pass) : pass());
      })
      .catch((err) => deps.log.error({ err }, "sms worker pass failed"));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

export async function listOutbox(db: Db, limit = 50) {
  return db
    .selectFrom("sms_outbox")
    .select(["id", "phone", "text", "status", "created_at", "sent_at", "attempts", "last_error"])
    .orderBy("created_at", "desc")
    .orderBy("id")
    .limit(limit)
    .execute();
}
