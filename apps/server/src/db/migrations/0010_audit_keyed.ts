import type { Kysely } from "kysely";

// The audit chain becomes keyed (issue 18 item 8): new entries carry an HMAC-SHA-256 under AUDIT_KEY
// (hash_version 2). Entries written before keep their plain SHA-256 (hash_version 1) and are verified
// as such; nothing is re-keyed, and a plain entry may only come before the first keyed one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("audit_log")
    .addColumn("hash_version", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("audit_log").dropColumn("hash_version").execute();
}
