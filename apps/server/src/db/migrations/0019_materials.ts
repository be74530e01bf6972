import type { Kysely } from "kysely";

// Materials uploaded online (issue 16): one row per file an applicant uploaded for one material (and
// part: an ID card's two sides) of one subject of an order. The bytes live outside the database, by SHA-256, in DATA_DIR/materials; the row
// holds what the content check found. A replaced file keeps its row (superseded_at), so the review
// history stays readable (records are never hard-deleted). The reviewer's verdict (rejected with a
// reason, or accepted with the order's approval) and the window's 原件备查 (the paper original
// checked against the upload) are columns of the current row.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("material_uploads")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("order_id", "text", (c) => c.notNull().references("orders.id"))
    .addColumn("subject_id", "text", (c) => c.notNull().references("subjects.id"))
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("part", "text", (c) => c.notNull())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("mime", "text", (c) => c.notNull())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("width", "integer")
    .addColumn("height", "integer")
    .addColumn("pages", "integer")
    .addColumn("filename", "text", (c) => c.notNull())
    .addColumn("uploaded_by", "text", (c) => c.notNull())
    .addColumn("uploaded_at", "text", (c) => c.notNull())
    .addColumn("superseded_at", "text")
    .addColumn("review_status", "text", (c) => c.notNull())
    .addColumn("review_reason", "text")
    .addColumn("reviewed_by", "text")
    .addColumn("reviewed_at", "text")
    .addColumn("original_result", "text")
    .addColumn("original_note", "text")
    .addColumn("original_by", "text")
    .addColumn("original_at", "text")
    .execute();
  await db.schema
    .createIndex("material_uploads_order")
    .on("material_uploads")
    .columns(["order_id", "subject_id", "code", "part", "uploaded_at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("material_uploads").execute();
}
