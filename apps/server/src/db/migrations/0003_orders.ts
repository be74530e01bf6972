import type { Kysely } from "kysely";

// Subjects, the product catalog, orders on the one state machine, payments and the material intake
// (issue 5). Portable column types only. Nothing is deleted: records stay (电子签名法 §24).
export async function up(db: Kysely<unknown>): Promise<void> {
  // Companies and persons an account manages. identity_key = 统一社会信用代码 or 身份证号, unique per account.
  await db.schema
    .createTable("subjects")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull()) // company | person
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("identity_key", "text", (c) => c.notNull())
    .addColumn("legal_rep", "text")
    .addColumn("address", "text")
    .addColumn("archived", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("subjects_identity", ["account_id", "kind", "identity_key"])
    .execute();

  // The handler (经办人) of an account's orders, remembered for the next order.
  await db.schema
    .createTable("handlers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("id_number", "text", (c) => c.notNull())
    .addColumn("phone", "text", (c) => c.notNull())
    .addColumn("last_used_at", "text", (c) => c.notNull())
    .addUniqueConstraint("handlers_identity", ["account_id", "id_number"])
    .execute();

  // The products applicants buy (CA 类型), each tied to a CA profile; fees in fen.
  await db.schema
    .createTable("ca_types")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("code", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("subject_kind", "text", (c) => c.notNull()) // company | person
    .addColumn("profile", "text", (c) => c.notNull())
    .addColumn("cert_fee", "integer", (c) => c.notNull())
    .addColumn("media_fee", "integer", (c) => c.notNull())
    .addColumn("annual_fee", "integer", (c) => c.notNull())
    .addColumn("eseal_fee", "integer", (c) => c.notNull())
    .addColumn("change_fee", "integer", (c) => c.notNull())
    .addColumn("reissue_fee", "integer", (c) => c.notNull())
    .addColumn("replace_fee", "integer", (c) => c.notNull())
    .addColumn("demo_prices", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("sort_order", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("orders")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("order_no", "text", (c) => c.notNull().unique())
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("business", "text", (c) => c.notNull())
    .addColumn("subject_kind", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("handler_name", "text", (c) => c.notNull())
    .addColumn("handler_id_number", "text", (c) => c.notNull())
    .addColumn("handler_phone", "text", (c) => c.notNull())
    .addColumn("total_fen", "integer", (c) => c.notNull())
    // 汇款识别码: quoted on a bank transfer so finance can match the statement line to the order.
    .addColumn("remittance_code", "text", (c) => c.notNull().unique())
    .addColumn("delivery_method", "text") // mail | window
    .addColumn("window_id", "text")
    .addColumn("appointment_date", "text")
    .addColumn("return_address", "text") // JSON {name, phone, address}
    .addColumn("courier", "text")
    .addColumn("tracking_no", "text")
    .addColumn("last_note", "text")
    .addColumn("reviewer_id", "text")
    // Set by the browser when the form opens: a double-clicked "submit" creates one order, not two.
    .addColumn("client_token", "text")
    .addColumn("submitted_at", "text")
    .addColumn("completed_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("orders_account").on("orders").columns(["account_id", "created_at"]).execute();
  await db.schema
    .createIndex("orders_client_token")
    .on("orders")
    .columns(["account_id", "client_token"])
    .unique()
    .execute();
  await db.schema.createIndex("orders_state").on("orders").columns(["state", "updated_at"]).execute();

  await db.schema
    .createTable("order_items")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("order_id", "text", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("subject_id", "text", (c) => c.notNull())
    .addColumn("ca_type_id", "text", (c) => c.notNull())
    .addColumn("years", "integer", (c) => c.notNull())
    .addColumn("eseal", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("fee_lines", "text", (c) => c.notNull()) // JSON FeeLine[] as priced when saved
    .addColumn("amount_fen", "integer", (c) => c.notNull())
    // The certificate this item acts on (renew, change, …) and the one it produced.
    .addColumn("target_serial", "text")
    .addColumn("certificate_serial", "text")
    .addColumn("media_serial", "text")
    .addColumn("details", "text") // JSON for business-specific data (changes, vendor certificate, …)
    .execute();
  await db.schema.createIndex("order_items_order").on("order_items").column("order_id").execute();

  await db.schema
    .createTable("order_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("order_id", "text", (c) => c.notNull())
    // The order's version after this event: orders the timeline even when two events share a timestamp.
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("at", "text", (c) => c.notNull())
    .addColumn("actor_type", "text", (c) => c.notNull())
    .addColumn("actor_id", "text")
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("from_state", "text", (c) => c.notNull())
    .addColumn("to_state", "text", (c) => c.notNull())
    .addColumn("note", "text")
    .execute();
  await db.schema
    .createIndex("order_events_order")
    .on("order_events")
    .columns(["order_id", "version"])
    .unique()
    .execute();

  await db.schema
    .createTable("payments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("order_id", "text", (c) => c.notNull())
    .addColumn("method", "text", (c) => c.notNull()) // online | transfer | zero
    .addColumn("provider", "text") // sandbox | alipay
    .addColumn("amount_fen", "integer", (c) => c.notNull())
    // created → paid (online/zero) | declared (transfer) → booked | returned; refunded
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("out_trade_no", "text", (c) => c.notNull().unique())
    .addColumn("provider_trade_no", "text")
    .addColumn("voucher_upload_id", "text")
    .addColumn("paid_at", "text")
    .addColumn("booked_by", "text")
    .addColumn("booked_at", "text")
    .addColumn("return_reason", "text")
    .addColumn("notify_payload", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("payments_order").on("payments").column("order_id").execute();
  await db.schema.createIndex("payments_status").on("payments").columns(["status", "created_at"]).execute();

  // Uploaded files (transfer vouchers; later seal images, vendor certificates), checked by size and content.
  await db.schema
    .createTable("uploads")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("order_id", "text")
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("filename", "text", (c) => c.notNull())
    .addColumn("mime", "text", (c) => c.notNull())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("data", "text", (c) => c.notNull()) // base64
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  // The materials checklist the window ticks off (codes from the receipt's list).
  await db.schema
    .createTable("order_materials")
    .addColumn("order_id", "text", (c) => c.notNull())
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("received_by", "text", (c) => c.notNull())
    .addColumn("received_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("order_materials_pk", ["order_id", "code"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    "order_materials",
    "uploads",
    "payments",
    "order_events",
    "order_items",
    "orders",
    "ca_types",
    "handlers",
    "subjects",
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
