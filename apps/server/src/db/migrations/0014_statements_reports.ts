import type { Kysely } from "kysely";

// Bank-statement reconciliation and the reports' indexes (finance imports the bank's export; credits are matched to orders by
// the 汇款识别码 and the amount). A line's fingerprint (bank, the bank's transaction number, date and
// amount) is unique, so importing the same file, or an overlapping period, never books a credit twice:
// the repeated line is stored with no fingerprint and status already_imported. A booked payment keeps
// the statement line it came from.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("bank_statements")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("bank", "text", (c) => c.notNull())
    .addColumn("filename", "text", (c) => c.notNull())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("credit_count", "integer", (c) => c.notNull())
    .addColumn("imported_by", "text", (c) => c.notNull())
    .addColumn("imported_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("bank_statements_imported")
    .on("bank_statements")
    .columns(["imported_at", "id"])
    .execute();
  await db.schema
    .createTable("statement_lines")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("statement_id", "text", (c) => c.notNull().references("bank_statements.id"))
    .addColumn("line_no", "integer", (c) => c.notNull())
    .addColumn("tx_date", "text", (c) => c.notNull())
    .addColumn("amount_fen", "integer", (c) => c.notNull())
    .addColumn("payer_name", "text", (c) => c.notNull())
    .addColumn("payer_account", "text", (c) => c.notNull())
    .addColumn("remark", "text", (c) => c.notNull())
    .addColumn("reference", "text", (c) => c.notNull())
    .addColumn("fingerprint", "text", (c) => c.unique())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("order_id", "text")
    .addColumn("payment_id", "text")
    .addColumn("note", "text")
    .addColumn("decided_by", "text")
    .addColumn("decided_at", "text")
    .execute();
  await db.schema
    .createIndex("statement_lines_statement")
    .on("statement_lines")
    .columns(["statement_id", "line_no"])
    .execute();
  await db.schema.createIndex("statement_lines_order").on("statement_lines").column("order_id").execute();
  await db.schema.alterTable("payments").addColumn("statement_line_id", "text").execute();
  // The reports (modules/reports) read ranges of these instants; without an index each is a full scan.
  await db.schema.createIndex("orders_submitted").on("orders").column("submitted_at").execute();
  await db.schema.createIndex("orders_completed").on("orders").column("completed_at").execute();
  await db.schema.createIndex("payments_paid").on("payments").column("paid_at").execute();
  await db.schema.createIndex("order_events_at").on("order_events").column("at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const i of ["orders_submitted", "orders_completed", "payments_paid", "order_events_at"]) {
    await db.schema.dropIndex(i).execute();
  }
  await db.schema.alterTable("payments").dropColumn("statement_line_id").execute();
  await db.schema.dropTable("statement_lines").execute();
  await db.schema.dropTable("bank_statements").execute();
}
