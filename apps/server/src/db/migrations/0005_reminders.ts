import type { Kysely } from "kysely";

// Expiry reminders sent (issue 6 item 9). The primary key (serial_hex, threshold_days) is what makes a
// reminder go out at most once per certificate and threshold: the job inserts the row with
// "on conflict do nothing" in the same transaction that queues the SMS, so two app instances running
// the job at once, or a re-run, find the row taken and queue nothing. Rows are never deleted.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("certificate_reminders")
    .addColumn("serial_hex", "text", (c) => c.notNull())
    .addColumn("threshold_days", "integer", (c) => c.notNull()) // 90 | 30 | 7
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("phone", "text", (c) => c.notNull())
    .addColumn("days_left", "integer", (c) => c.notNull())
    .addColumn("sms_id", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("certificate_reminders_pk", ["serial_hex", "threshold_days"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("certificate_reminders").execute();
}
