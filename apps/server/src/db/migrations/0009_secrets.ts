import type { Kysely } from "kysely";

interface OutboxRow {
  id: string;
  template: string;
  params: string;
  text: string;
  status: string;
}

// Issue 18 (secrets). A one-time code whose use was refused counts it (`refused_uses`): an online-update
// code is void after one refusal, an unlock code after three (modules/renewal, modules/unlock).
// The SMS outbox keeps no code once a message is sent or given up (modules/sms): messages from before
// this rule lose theirs here. Frozen copy of the rule as it was written (templates with a `code`).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("item_authorisations")
    .addColumn("refused_uses", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await redactDeliveredCodes(db);
}

/** Replaces the code of every sent or failed verification and unlock message with ******. */
export async function redactDeliveredCodes(db: Kysely<unknown>): Promise<void> {
  const outbox = db as unknown as Kysely<{ sms_outbox: OutboxRow }>;
  const rows = await outbox
    .selectFrom("sms_outbox")
    .selectAll()
    .where("template", "in", ["verify_code", "unlock_code"])
    .where("status", "in", ["sent", "failed"])
    .execute();
  for (const row of rows) {
    const params = JSON.parse(row.params) as Record<string, string>;
    const code = params.code;
    if (!code || code === "******") continue;
    await outbox
      .updateTable("sms_outbox")
      .set({
        params: JSON.stringify({ ...params, code: "******" }),
        text: row.text.split(code).join("******"),
      })
      .where("id", "=", row.id)
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("item_authorisations").dropColumn("refused_uses").execute();
}
