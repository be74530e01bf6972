import { type Kysely, sql } from "kysely";

// Payments (issue 5, items 6–7). At most one settled payment per order, enforced by the database and
// not only by the service: a double-clicked "pay", two racing notifications or a transfer declared
// while an online payment lands can never leave an order with two live payments. "created" (an open
// online trade), "returned" (sent back by finance) and "refunded" are not settled and may repeat.
// Partial unique indexes exist in both SQLite (3.8+) and PostgreSQL with this syntax.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create unique index payments_one_settled on payments (order_id) where status in ('paid', 'declared', 'booked')`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("payments_one_settled").ifExists().execute();
}
