import type { Kysely } from "kysely";

// The back office's work queues (issue 15): a reviewer's claim on an order (领取下一单; one live claim per
// order, it expires), the waybill of the envelope an applicant mailed, each staff member's saved
// filters, and the indexes that keep every queue a keyset walk over an index at a million orders.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("review_claims")
    .addColumn("order_id", "text", (c) => c.primaryKey())
    .addColumn("staff_id", "text", (c) => c.notNull())
    .addColumn("claimed_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("review_claims_staff")
    .on("review_claims")
    .columns(["staff_id", "expires_at"])
    .execute();

  await db.schema
    .createTable("inbound_mail")
    .addColumn("order_id", "text", (c) => c.primaryKey())
    .addColumn("courier", "text", (c) => c.notNull())
    .addColumn("waybill", "text", (c) => c.notNull())
    .addColumn("declared_at", "text", (c) => c.notNull())
    .addColumn("received_at", "text")
    .addColumn("received_by", "text")
    .execute();
  await db.schema.createIndex("inbound_mail_waybill").on("inbound_mail").column("waybill").execute();

  await db.schema
    .createTable("saved_filters")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("staff_id", "text", (c) => c.notNull())
    .addColumn("queue", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("query", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("saved_filters_staff")
    .on("saved_filters")
    .columns(["staff_id", "queue", "name"])
    .unique()
    .execute();

  // Queues walk (state, submitted_at, id) oldest first; the window's appointments (window, date).
  await db.schema.createIndex("orders_queue").on("orders").columns(["state", "submitted_at", "id"]).execute();
  await db.schema
    .createIndex("orders_appointments")
    .on("orders")
    .columns(["window_id", "appointment_date", "submitted_at", "id"])
    .execute();
  await db.schema.createIndex("orders_handler_phone").on("orders").column("handler_phone").execute();
  await db.schema
    .createIndex("orders_account_keyset")
    .on("orders")
    .columns(["account_id", "updated_at", "id"])
    .execute();
  await db.schema
    .createIndex("order_items_ca_type")
    .on("order_items")
    .columns(["ca_type_id", "order_id"])
    .execute();
  await db.schema.createIndex("subjects_identity_key").on("subjects").column("identity_key").execute();
  await db.schema.createIndex("payments_created").on("payments").columns(["created_at", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const i of [
    "orders_queue",
    "orders_appointments",
    "orders_handler_phone",
    "orders_account_keyset",
    "order_items_ca_type",
    "subjects_identity_key",
    "payments_created",
  ]) {
    await db.schema.dropIndex(i).execute();
  }
  for (const t of ["saved_filters", "inbound_mail", "review_claims"]) await db.schema.dropTable(t).execute();
}
