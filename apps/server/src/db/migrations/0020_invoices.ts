import { type Kysely, sql } from "kysely";

// E-invoices (电子发票, issue 16): what the applicant asks for per order (抬头, 税号, email, 普票/专票),
// the invoices issued for it (one blue, and the red-letter one 红冲 after a refund: unique per order and
// colour, so a double click or two workers never issue twice), the email outbox that sends them, and the
// platform setting that says whether invoices go out automatically after payment.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("invoice_requests")
    .addColumn("order_id", "text", (c) => c.primaryKey().references("orders.id"))
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("buyer_type", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("tax_no", "text")
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("invoices")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("order_id", "text", (c) => c.notNull().references("orders.id"))
    .addColumn("color", "text", (c) => c.notNull())
    .addColumn("original_id", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("provider_serial", "text")
    .addColumn("invoice_code", "text")
    .addColumn("invoice_no", "text")
    .addColumn("amount_fen", "integer", (c) => c.notNull())
    .addColumn("buyer_type", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("tax_no", "text")
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("pdf", "text")
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("next_attempt_at", "text", (c) => c.notNull())
    .addColumn("lease_until", "text")
    .addColumn("last_error", "text")
    .addColumn("requested_by", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("issued_at", "text")
    .execute();
  await db.schema
    .createIndex("invoices_order_color")
    .on("invoices")
    .columns(["order_id", "color"])
    .unique()
    .execute();
  await db.schema.createIndex("invoices_due").on("invoices").columns(["status", "next_attempt_at"]).execute();
  await db.schema
    .createTable("email_outbox")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("to_addr", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("attachment_name", "text")
    .addColumn("attachment", "text")
    .addColumn("ref_type", "text")
    .addColumn("ref_id", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("next_attempt_at", "text", (c) => c.notNull())
    .addColumn("lease_until", "text")
    .addColumn("last_error", "text")
    .addColumn("provider", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("sent_at", "text")
    .execute();
  await db.schema
    .createIndex("email_outbox_due")
    .on("email_outbox")
    .columns(["status", "next_attempt_at"])
    .execute();
  // Finance issues by hand until the admin or finance turns automatic issuing on.
  await (db as Kysely<{ platform_settings: { key: string; value: string; updated_at: string } }>)
    .insertInto("platform_settings")
    .values({ key: "invoice_auto_issue", value: "false", updated_at: new Date().toISOString() })
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from platform_settings where key = 'invoice_auto_issue'`.execute(db);
  await db.schema.dropTable("email_outbox").execute();
  await db.schema.dropTable("invoices").execute();
  await db.schema.dropTable("invoice_requests").execute();
}
