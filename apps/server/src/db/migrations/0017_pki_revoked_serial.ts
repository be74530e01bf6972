// The CRL is signed in the background from pages of revoked rows in serial order (ca.crl.ts): an index
// on (ca_id, status, serial_hex) makes each page a range scan. It replaces the (ca_id, status) index,
// which is its prefix.
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex("pki_certificates_revoked_serial")
    .on("pki_certificates")
    .columns(["ca_id", "status", "serial_hex"])
    .execute();
  await db.schema.dropIndex("pki_certificates_revoked").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex("pki_certificates_revoked")
    .on("pki_certificates")
    .columns(["ca_id", "status"])
    .execute();
  await db.schema.dropIndex("pki_certificates_revoked_serial").execute();
}
