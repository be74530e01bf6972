import type { Kysely } from "kysely";

// Issue 18, items 8 and 9e.
// The audit chain becomes keyed: new entries carry an HMAC-SHA-256 under AUDIT_KEY (hash_version 2).
// Entries written before keep their plain SHA-256 (hash_version 1) and are verified as such; nothing
// is re-keyed, and a plain entry may only come before the first keyed one.
// Separation of duties: a staff member's own phone and ID number (to refuse acting on an order of
// his own as applicant or handler), and the keyed hash of the browser an admin created the account
// in (the account cannot act from that browser).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("audit_log")
    .addColumn("hash_version", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable("staff").addColumn("phone", "text").execute();
  await db.schema.alterTable("staff").addColumn("id_number", "text").execute();
  await db.schema.alterTable("staff").addColumn("created_in_device", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("staff").dropColumn("created_in_device").execute();
  await db.schema.alterTable("staff").dropColumn("id_number").execute();
  await db.schema.alterTable("staff").dropColumn("phone").execute();
  await db.schema.alterTable("audit_log").dropColumn("hash_version").execute();
}
