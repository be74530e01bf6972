import { shanghaiDate } from "@certhall/domain";
import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../../db/database";
import { addSeconds, type Clock, iso } from "../../lib/clock";
import type { RunExclusive } from "../../lib/exclusive";
import { startPeriodic } from "../../lib/periodic";
import { lineagesOf } from "../certificates/lineage";
import { renewalWindowDays } from "../settings/settings.service";
import { queueSms } from "../sms/sms.outbox";

/** Reminder thresholds in days before notAfter, tightest first (issue 6 item 9: 90, 30 and 7 days). */
export const REMINDER_THRESHOLDS = [7, 30, 90] as const;
export type ReminderThreshold = (typeof REMINDER_THRESHOLDS)[number];

const DAY_MS = 24 * 3600 * 1000;

export interface ReminderDeps {
  db: Db;
  clock: Clock;
  /** SMS signature 【…】 (SMS_SIGN_NAME). */
  signName: string;
  /** PUBLIC_URL without a trailing slash; the SMS links to its 延期 page with the certificate picked. */
  publicUrl: string;
}

/**
 * Whole days from `now` to `notAfter`, counted in Asia/Shanghai calendar dates (how the applicant reads
 * "剩余 N 天"), not in 24-hour periods: a certificate ending tomorrow at 08:00 has 1 day left at 23:00.
 */
export function shanghaiDaysLeft(now: Date, notAfter: Date): number {
  return Math.round((Date.parse(shanghaiDate(notAfter)) - Date.parse(shanghaiDate(now))) / DAY_MS);
}

/**
 * The reminder a certificate is due for with `daysLeft` days left: the tightest threshold it has reached,
 * or null beyond 90 days. A certificate first seen at 29 days (short validity, or the job was down)
 * gets the 30-day reminder only, not a late 90-day one as well.
 */
export function dueThreshold(daysLeft: number): ReminderThreshold | null {
  if (daysLeft < 0) return null;
  return REMINDER_THRESHOLDS.find((t) => daysLeft <= t) ?? null;
}

/** "C=CN, O=某公司, CN=某公司" → "某公司": the name people know the certificate by. */
function commonName(dn: string): string {
  const cn = dn
    .split(/,\s*/)
    .map((part) => /^(?:CN|commonName|2\.5\.4\.3)=(.+)$/.exec(part)?.[1])
    .find((v) => v !== undefined);
  return cn ?? dn;
}

class AlreadySent extends Error {}

/**
 * One pass: queues the expiry SMS due now and returns how many were queued. Only good (not revoked),
 * not yet expired certificates held by an account get one. Exactly once per certificate and threshold:
 * the SMS is queued and the certificate_reminders row (primary key serial + threshold) inserted with
 * "on conflict do nothing" in one transaction; when the row already exists (another instance or an
 * earlier run won) the transaction is rolled back, taking its queued SMS with it.
 */
export async function runExpiryReminders(deps: ReminderDeps): Promise<number> {
  const { db, clock } = deps;
  const now = clock();
  // Shanghai dates differ by at most 90 only when notAfter is less than 91 days ahead; 92 is slack.
  const horizon = iso(addSeconds(now, 92 * 24 * 3600));
  const rows = await db
    .selectFrom("pki_certificates as c")
    .innerJoin("accounts as a", "a.id", "c.account_id")
    .leftJoin("order_items as oi", "oi.certificate_serial", "c.serial_hex")
    .leftJoin("subjects as s", "s.id", "oi.subject_id")
    .leftJoin("certificate_reminders as r", "r.serial_hex", "c.serial_hex")
    .select([
      "c.serial_hex",
      "c.subject as dn",
      "c.not_after",
      "a.id as account_id",
      "a.phone",
      "s.name as subject_name",
      "r.threshold_days as sent_threshold",
    ])
    .where("c.status", "=", "good")
    .where("c.not_after", ">", iso(now))
    .where("c.not_after", "<", horizon)
    .orderBy("c.not_after")
    .orderBy("c.serial_hex")
    .execute();

  type Candidate = {
    serial: string;
    notAfter: Date;
    accountId: string;
    phone: string;
    subject: string;
    sent: Set<number>;
  };
  const candidates = new Map<string, Candidate>();
  for (const r of rows) {
    let c = candidates.get(r.serial_hex);
    if (!c) {
      c = {
        serial: r.serial_hex,
        notAfter: new Date(r.not_after),
        accountId: r.account_id,
        phone: r.phone,
        subject: r.subject_name ?? commonName(r.dn),
        sent: new Set(),
      };
      candidates.set(r.serial_hex, c);
    }
    if (r.sent_threshold !== null) c.sent.add(Number(r.sent_threshold));
  }

  // The SMS links to 延期: none goes out before the admin-set window lets the applicant renew (a window
  // under 90 days turns the 90-day reminder into one sent the day the window opens).
  const windowDays = await renewalWindowDays(db);
  // Only a lineage's head is reminded of: a certificate already renewed, changed or replaced (even one
  // kept valid until it expires) is never offered again (DESIGN §8).
  const lineages = await lineagesOf(db, [...candidates.keys()]);
  let queued = 0;
  for (const c of candidates.values()) {
    const head = lineages.get(c.serial)?.head;
    if (head && head !== c.serial) continue;
    const daysLeft = shanghaiDaysLeft(now, c.notAfter);
    const threshold = dueThreshold(daysLeft);
    if (threshold === null || c.sent.has(threshold) || daysLeft > windowDays) continue;
    try {
      await db.transaction().execute(async (trx) => {
        // Revoked since the scan (an order's 变更/注销 in between): nothing to remind of.
        const still = await trx
          .selectFrom("pki_certificates")
          .select("serial_hex")
          .where("serial_hex", "=", c.serial)
          .where("status", "=", "good")
          .executeTakeFirst();
        if (!still) throw new AlreadySent();
        const smsId = await queueSms(
          trx,
          { clock, signName: deps.signName },
          c.phone,
          "certificate_expiring",
          {
            subject: c.subject,
            date: shanghaiDate(c.notAfter),
            days: String(daysLeft),
            // One click to 延期 with this certificate already picked (the page asks for login first).
            url: `${deps.publicUrl}/business/renew?serial=${c.serial}`,
          },
        );
        const inserted = await trx
          .insertInto("certificate_reminders")
          .values({
            serial_hex: c.serial,
            threshold_days: threshold,
            account_id: c.accountId,
            phone: c.phone,
            days_left: daysLeft,
            sms_id: smsId,
            created_at: iso(now),
          })
          .onConflict((oc) => oc.columns(["serial_hex", "threshold_days"]).doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) throw new AlreadySent();
      });
      queued++;
    } catch (err) {
      if (!(err instanceof AlreadySent)) throw err;
    }
  }
  return queued;
}

/**
 * Runs the reminder pass at start and then every `intervalMs` (REMINDER_INTERVAL_MINUTES). Passes never
 * overlap within one process; across processes the primary key keeps each reminder single.
 */
export function startReminderScheduler(
  deps: ReminderDeps,
  log: FastifyBaseLogger,
  intervalMs: number,
  exclusive?: RunExclusive,
) {
  return startPeriodic(
    async () => {
      const queued = await runExpiryReminders(deps);
      if (queued > 0) log.info({ queued }, "certificate expiry reminders queued");
    },
    intervalMs,
    (err) => log.error({ err }, "certificate expiry reminders failed"),
    exclusive && { name: "reminders", run: exclusive },
  );
}
