import type { Kysely } from "kysely";

// Login lockouts move off the accounts and staff rows into a table keyed by the identifier tried
// (realm + phone or username), so an unknown phone or username is counted and locked exactly like a
// known one and the answers of the login route do not tell which phones are registered. `locks` holds
// named rows that a transaction updates first to queue behind any other holder (SMS code sends).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("login_lockouts")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("failed_logins", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("locked_until", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  for (const table of ["accounts", "staff"]) {
    await db.schema.alterTable(table).dropColumn("failed_logins").execute();
    await db.schema.alterTable(table).dropColumn("locked_until").execute();
  }
  await db.schema
    .createTable("locks")
    .addColumn("name", "text", (c) => c.primaryKey())
    .execute();
  await (db as Kysely<{ locks: { name: string } }>)
    .insertInto("locks")
    .values({ name: "sms_codes.send" })
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("locks").execute();
  for (const table of ["accounts", "staff"]) {
    await db.schema
      .alterTable(table)
      .addColumn("failed_logins", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable(table).addColumn("locked_until", "text").execute();
  }
  await db.schema.dropTable("login_lockouts").execute();
}
