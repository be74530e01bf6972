import type { Kysely } from "kysely";

// Certificates as lineages (DESIGN §8): each certificate issued through an order item records the
// lineage it belongs to (the serial of the lineage's first certificate), its predecessor and the
// business that made it. 新证 and 其他厂商介质证书更换 start a lineage; 延期, 变更, 补证 and 换证 continue
// the one of the item's target. The newest valid certificate of a lineage is its head.
//
// An open order holds a lineage (certificate_holds.lineage_id, unique), not only a certificate, so two
// open orders never act on one lineage at once.
//
// Existing data is rebuilt from the order items that carry an issued certificate, in the order the
// certificates were made: an item of a continuing business links its certificate to its target's.

/** The businesses whose new certificate continues the lineage of the item's target (frozen here). */
const CONTINUES = new Set(["renew", "change", "reissue", "replace"]);

interface Tables {
  certificate_lineage: {
    serial_hex: string;
    lineage_id: string;
    predecessor_serial: string | null;
    business: string;
    order_id: string | null;
    item_id: string | null;
    created_at: string;
  };
  certificate_holds: { serial_hex: string; order_id: string; created_at: string; lineage_id: string | null };
  order_items: {
    id: string;
    order_id: string;
    certificate_serial: string | null;
    target_serial: string | null;
  };
  orders: { id: string; business: string };
  pki_certificates: { serial_hex: string; created_at: string; not_before: string };
  platform_settings: { key: string; value: string; updated_at: string };
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("certificate_lineage")
    .addColumn("serial_hex", "text", (c) => c.primaryKey())
    .addColumn("lineage_id", "text", (c) => c.notNull())
    .addColumn("predecessor_serial", "text")
    .addColumn("business", "text", (c) => c.notNull())
    .addColumn("order_id", "text")
    .addColumn("item_id", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("certificate_lineage_lineage")
    .on("certificate_lineage")
    .columns(["lineage_id", "created_at"])
    .execute();
  await db.schema.alterTable("certificate_holds").addColumn("lineage_id", "text").execute();

  const q = db as unknown as Kysely<Tables>;
  // DESIGN §8: a 延期 revokes its predecessor (superseded) once the new certificate is issued, unless
  // the admin chooses to keep predecessors valid until they expire ("1").
  await q
    .insertInto("platform_settings")
    .values({ key: "renewal_keeps_predecessor", value: "0", updated_at: new Date().toISOString() })
    .execute();
  const rows = await q
    .selectFrom("order_items")
    .innerJoin("orders", "orders.id", "order_items.order_id")
    .innerJoin("pki_certificates", "pki_certificates.serial_hex", "order_items.certificate_serial")
    .select([
      "order_items.id as item_id",
      "order_items.order_id",
      "order_items.certificate_serial as serial",
      "order_items.target_serial as target",
      "orders.business",
      "pki_certificates.created_at",
    ])
    .orderBy("pki_certificates.created_at")
    .orderBy("pki_certificates.not_before")
    .orderBy("pki_certificates.serial_hex")
    .execute();
  const lineageOf = new Map<string, string>();
  for (const r of rows) {
    const serial = r.serial as string;
    if (lineageOf.has(serial)) continue;
    const predecessor =
      CONTINUES.has(r.business) && r.target && !r.target.startsWith("vendor:") ? r.target : null;
    const lineage = predecessor ? (lineageOf.get(predecessor) ?? predecessor) : serial;
    lineageOf.set(serial, lineage);
    await q
      .insertInto("certificate_lineage")
      .values({
        serial_hex: serial,
        lineage_id: lineage,
        predecessor_serial: predecessor,
        business: r.business,
        order_id: r.order_id,
        item_id: r.item_id,
        created_at: r.created_at,
      })
      .execute();
  }

  // Open holds take their certificate's lineage; should two open orders already share one (possible
  // before this rule), the earlier keeps the lineage and the later stays a plain certificate hold.
  const holds = await q.selectFrom("certificate_holds").selectAll().orderBy("created_at").execute();
  const taken = new Set<string>();
  for (const h of holds) {
    const lineage = lineageOf.get(h.serial_hex);
    if (!lineage || taken.has(lineage)) continue;
    taken.add(lineage);
    await q
      .updateTable("certificate_holds")
      .set({ lineage_id: lineage })
      .where("serial_hex", "=", h.serial_hex)
      .execute();
  }
  await db.schema
    .createIndex("certificate_holds_lineage")
    .on("certificate_holds")
    .column("lineage_id")
    .unique()
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await (db as unknown as Kysely<Tables>)
    .deleteFrom("platform_settings")
    .where("key", "=", "renewal_keeps_predecessor")
    .execute();
  await db.schema.dropIndex("certificate_holds_lineage").execute();
  await db.schema.alterTable("certificate_holds").dropColumn("lineage_id").execute();
  await db.schema.dropTable("certificate_lineage").execute();
}
