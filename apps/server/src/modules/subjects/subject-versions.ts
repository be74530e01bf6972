// Subject versions (DESIGN §8): a company or person has versions, and 变更 makes a new one. Order items
// point at the version they were filed with and certificates at the one they were issued with, so an
// order, a receipt or a certificate shows the name of its day; the subjects row holds the current
// values (what a new order starts from).
import type { Db, Trx } from "../../db/database";
import type { Subject } from "../../db/tables.orders";
import { iso, newId } from "../../lib/clock";

type Values = Pick<Subject, "kind" | "name" | "identity_key" | "legal_rep" | "address">;

/** Appends a version with these values (the subject's next number). */
export async function addSubjectVersion(
  trx: Trx,
  subjectId: string,
  values: Values,
  p: { orderId: string | null; at: Date },
): Promise<string> {
  const last = await trx
    .selectFrom("subject_versions")
    .select((eb) => eb.fn.max("version").as("v"))
    .where("subject_id", "=", subjectId)
    .executeTakeFirst();
  const id = newId();
  await trx
    .insertInto("subject_versions")
    .values({
      id,
      subject_id: subjectId,
      version: Number(last?.v ?? 0) + 1,
      kind: values.kind,
      name: values.name,
      identity_key: values.identity_key,
      legal_rep: values.legal_rep,
      address: values.address,
      order_id: p.orderId,
      created_at: iso(p.at),
    })
    .execute();
  return id;
}

/**
 * The current version of each subject (its newest); a subject without any (made before versions, or
 * written by a test or the seed directly) gets version 1 from its current values.
 */
export async function currentSubjectVersions(
  trx: Trx,
  subjectIds: string[],
  at: Date,
): Promise<Map<string, string>> {
  const ids = [...new Set(subjectIds)];
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  const rows = await trx
    .selectFrom("subject_versions")
    .select(["id", "subject_id", "version"])
    .where("subject_id", "in", ids)
    .orderBy("version")
    .execute();
  for (const r of rows) out.set(r.subject_id, r.id);
  const missing = ids.filter((id) => !out.has(id));
  if (missing.length) {
    const subjects = await trx.selectFrom("subjects").selectAll().where("id", "in", missing).execute();
    for (const s of subjects) out.set(s.id, await addSubjectVersion(trx, s.id, s, { orderId: null, at }));
  }
  return out;
}

/** The version's values, or null. */
export async function subjectVersion(q: Db | Trx, id: string | null) {
  if (!id) return null;
  return (await q.selectFrom("subject_versions").selectAll().where("id", "=", id).executeTakeFirst()) ?? null;
}
