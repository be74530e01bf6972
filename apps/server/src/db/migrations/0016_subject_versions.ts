import type { Kysely } from "kysely";

// Subject versions (DESIGN §8): a company or person has versions; 变更 makes a new one. Order items
// point at the version they were filed with, certificates (certificate_lineage) at the one they were
// issued with, so a reprinted receipt shows the name of its day. subjects keeps the current values.
//
// Existing data: each subject gets version 1 with its current values, and every item and certificate
// points at it. Names a 变更 overwrote before this migration are not recoverable from the RA's tables
// (the certificates issued before keep them in their own subject DN).

interface Tables {
  subjects: {
    id: string;
    kind: string;
    name: string;
    identity_key: string;
    legal_rep: string | null;
    address: string | null;
    created_at: string;
  };
  subject_versions: {
    id: string;
    subject_id: string;
    version: number;
    kind: string;
    name: string;
    identity_key: string;
    legal_rep: string | null;
    address: string | null;
    order_id: string | null;
    created_at: string;
  };
  order_items: {
    id: string;
    subject_id: string;
    subject_version_id: string | null;
    certificate_serial: string | null;
  };
  certificate_lineage: { serial_hex: string; item_id: string | null; subject_version_id: string | null };
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("subject_versions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("subject_id", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("identity_key", "text", (c) => c.notNull())
    .addColumn("legal_rep", "text")
    .addColumn("address", "text")
    .addColumn("order_id", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("subject_versions_subject_version", ["subject_id", "version"])
    .execute();
  await db.schema.alterTable("order_items").addColumn("subject_version_id", "text").execute();
  await db.schema.alterTable("certificate_lineage").addColumn("subject_version_id", "text").execute();

  const q = db as unknown as Kysely<Tables>;
  const subjects = await q.selectFrom("subjects").selectAll().execute();
  for (const s of subjects) {
    // The version's id is derived from the subject's, so the backfill needs no id generator.
    const id = `${s.id}.1`;
    await q
      .insertInto("subject_versions")
      .values({
        id,
        subject_id: s.id,
        version: 1,
        kind: s.kind,
        name: s.name,
        identity_key: s.identity_key,
        legal_rep: s.legal_rep,
        address: s.address,
        order_id: null,
        created_at: s.created_at,
      })
      .execute();
    await q
      .updateTable("order_items")
      .set({ subject_version_id: id })
      .where("subject_id", "=", s.id)
      .execute();
  }
  const items = await q
    .selectFrom("order_items")
    .select(["id", "subject_version_id"])
    .where("certificate_serial", "is not", null)
    .execute();
  for (const i of items) {
    await q
      .updateTable("certificate_lineage")
      .set({ subject_version_id: i.subject_version_id })
      .where("item_id", "=", i.id)
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("certificate_lineage").dropColumn("subject_version_id").execute();
  await db.schema.alterTable("order_items").dropColumn("subject_version_id").execute();
  await db.schema.dropTable("subject_versions").execute();
}
