import type { Kysely } from "kysely";

// Platform settings the admin edits in the back office, one row per setting (key → value as text).
// The rows are written here with their defaults, so the database is the one place a setting's value
// lives; the admin's edits replace the value (modules/settings, audited).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("platform_settings")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("updated_by", "text")
    .execute();
  // DESIGN §4: 延期 is allowed from 90 days before expiry (admin-set window).
  await (db as Kysely<{ platform_settings: { key: string; value: string; updated_at: string } }>)
    .insertInto("platform_settings")
    .values({ key: "renewal_window_days", value: "90", updated_at: new Date().toISOString() })
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("platform_settings").execute();
}
