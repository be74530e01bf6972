import type { Kysely } from "kysely";

// Issue 18 (secrets). A one-time code whose use was refused counts it (`refused_uses`): an online-update
// code is void after one refusal, an unlock code after three (modules/renewal, modules/unlock).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("item_authorisations")
    .addColumn("refused_uses", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("item_authorisations").dropColumn("refused_uses").execute();
}
