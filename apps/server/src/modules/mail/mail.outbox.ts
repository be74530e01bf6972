// Email outbox, the same pattern as the SMS outbox (modules/sms/sms.outbox.ts): a message is queued in
// the transaction of the change that causes it (an invoice issued), a worker claims due rows with a
// lease and delivers them, retrying with backoff.
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Db, Trx } from "../../db/database";
import { addSeconds, type Clock, iso, newId } from "../../lib/clock";
import { claimDueOutboxRows } from "../../lib/outbox";
import type { MailSender } from "./mail.provider";

export async function queueEmail(
  trx: Trx,
  clock: Clock,
  mail: {
    to: string;
    subject: string;
    text: string;
    attachment?: { filename: string; content: Buffer };
    ref?: { type: string; id: string };
  },
): Promise<string> {
  const now = iso(clock());
  const id = newId();
  await trx
    .insertInto("email_outbox")
    .values({
      id,
      to_addr: mail.to,
      subject: mail.subject,
      text: mail.text,
      attachment_name: mail.attachment?.filename ?? null,
      attachment: mail.attachment ? mail.attachment.content.toString("base64") : null,
      ref_type: mail.ref?.type ?? null,
      ref_id: mail.ref?.id ?? null,
      status: "pending",
      attempts: 0,
      next_attempt_at: now,
      lease_until: null,
      last_error: null,
      provider: null,
      created_at: now,
      sent_at: null,
    })
    .execute();
  return id;
}

export const EMAIL_MAX_ATTEMPTS = 6;

/** One pass over due emails; returns how many were sent. */
export async function deliverDueEmail(
  deps: { db: Db; sender: MailSender; clock: Clock; log: Pick<FastifyBaseLogger, "warn"> },
  batch = 10,
): Promise<number> {
  const now = deps.clock();
  let sent = 0;
  for (const id of await claimDueOutboxRows(deps.db, "email_outbox", now, batch, 120)) {
    const m = await deps.db
      .selectFrom("email_outbox")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    const attempts = m.attempts + 1;
    try {
      await deps.sender.send({
        id: m.id,
        to: m.to_addr,
        subject: m.subject,
        text: m.text,
        ...(m.attachment && m.attachment_name
          ? {
              attachment: {
                filename: m.attachment_name,
                content: Buffer.from(m.attachment, "base64"),
                contentType: "application/pdf",
              },
            }
          : {}),
      });
      await deps.db
        .updateTable("email_outbox")
        .set({
          status: "sent",
          attempts,
          lease_until: null,
          last_error: null,
          provider: deps.sender.name,
          sent_at: iso(deps.clock()),
        })
        .where("id", "=", id)
        .execute();
      sent++;
    } catch (err) {
      const giveUp = attempts >= EMAIL_MAX_ATTEMPTS;
      await deps.db
        .updateTable("email_outbox")
        .set({
          status: giveUp ? "failed" : "pending",
          attempts,
          lease_until: null,
          next_attempt_at: iso(addSeconds(deps.clock(), 2 ** attempts * 5)),
          provider: deps.sender.name,
          last_error: String((err as Error).message ?? err).slice(0, 500),
        })
        .where("id", "=", id)
        .execute();
      deps.log.warn({ emailId: id, attempts, giveUp }, "email delivery failed");
    }
  }
  return sent;
}

/** Masks the local part of an address for lists and logs: zh***@example.com. */
export function maskEmail(addr: string): string {
  const at = addr.indexOf("@");
  if (at <= 0) return "***";
  return `${addr.slice(0, Math.min(2, at))}***${addr.slice(at)}`;
}

/** The dev outbox (never in production): what would have been emailed, without the attachments. */
export function devMailRoutes(deps: { db: Db }) {
  return async (app: FastifyInstance) => {
    app.get("/dev/mail", { schema: { hide: true } }, async () => {
      const rows = await deps.db
        .selectFrom("email_outbox")
        .select(["id", "to_addr", "subject", "text", "attachment_name", "status", "created_at", "sent_at"])
        .orderBy("created_at", "desc")
        .limit(50)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        to: r.to_addr,
        subject: r.subject,
        text: r.text,
        attachment: r.attachment_name,
        status: r.status,
        createdAt: r.created_at,
        sentAt: r.sent_at,
      }));
    });
  };
}
