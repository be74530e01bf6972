import type { Kysely } from "kysely";

// Issue 6: the eight businesses that act on a certificate already issued.
export async function up(db: Kysely<unknown>): Promise<void> {
  // A 延期 of a certificate expired more than a year goes to review although 延期 has none (DESIGN §4).
  await db.schema
    .alterTable("orders")
    .addColumn("needs_review", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  // 【是否换证】/【是否注销】: the applicant ticked the business's confirmation box.
  await db.schema
    .alterTable("orders")
    .addColumn("confirmed", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  // One open order per certificate: the primary key is the guard two concurrent orders race on. A row
  // lives from the order's creation until it reaches a final state (completed, cancelled, refunded).
  // serial_hex is ours, or "vendor:<sha256>" for another vendor's certificate.
  await db.schema
    .createTable("certificate_holds")
    .addColumn("serial_hex", "text", (c) => c.primaryKey())
    .addColumn("order_id", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("certificate_holds_order").on("certificate_holds").column("order_id").execute();

  // One-time authorisations the platform hands the applicant for an item: an online update (证书在线更新
  // with the token client) or an unlock (解锁). Only the code's hash is kept.
  await db.schema
    .createTable("item_authorisations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("order_id", "text", (c) => c.notNull())
    .addColumn("item_id", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull()) // online_update | unlock
    .addColumn("code_hash", "text", (c) => c.notNull().unique())
    .addColumn("created_by", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .addColumn("done_at", "text")
    .execute();
  await db.schema
    .createIndex("item_authorisations_item")
    .on("item_authorisations")
    .columns(["item_id", "purpose"])
    .execute();

  // E-seal service enabled on a certificate (电子签章开通); the seal image stays in uploads.
  await db.schema
    .createTable("eseals")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("certificate_serial", "text", (c) => c.notNull())
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("order_id", "text", (c) => c.notNull())
    .addColumn("item_id", "text", (c) => c.notNull().unique())
    .addColumn("seal_name", "text", (c) => c.notNull())
    .addColumn("seal_kind", "text", (c) => c.notNull())
    .addColumn("image_upload_id", "text", (c) => c.notNull())
    .addColumn("enabled_at", "text", (c) => c.notNull())
    .addColumn("downloaded_at", "text")
    .execute();
  await db.schema.createIndex("eseals_certificate").on("eseals").column("certificate_serial").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("eseals").execute();
  await db.schema.dropTable("item_authorisations").execute();
  await db.schema.dropTable("certificate_holds").execute();
  await db.schema.alterTable("orders").dropColumn("confirmed").execute();
  await db.schema.alterTable("orders").dropColumn("needs_review").execute();
}
