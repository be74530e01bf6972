import type { Kysely } from "kysely";

// The CA's own tables (DESIGN §5). Portable column types only (text, integer): binary values are
// stored as base64 text so SQLite and PostgreSQL hand back the same strings. Nothing here is ever
// deleted: revocation is a status change, old CRLs stay as the record of what was published.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("pki_cas")
    .addColumn("id", "text", (c) => c.primaryKey())
    // URL name: /pki/ca/{slug}.crt, /pki/crl/{slug}.crl
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("role", "text", (c) => c.notNull()) // root | issuing
    .addColumn("algorithm", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("serial_hex", "text", (c) => c.notNull())
    .addColumn("cert_pem", "text", (c) => c.notNull())
    // AES-256-GCM envelope (packages/pki sealKey) of the PKCS#8 key, base64; null = key held elsewhere
    .addColumn("key_sealed", "text")
    .addColumn("parent_id", "text")
    .addColumn("not_before", "text", (c) => c.notNull())
    .addColumn("not_after", "text", (c) => c.notNull())
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("imported", "integer", (c) => c.notNull().defaultTo(0))
    // Last CRL number handed out; bumped under the row lock so numbers never repeat (RFC 5280 5.2.3).
    .addColumn("crl_number", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("pki_certificates")
    .addColumn("serial_hex", "text", (c) => c.primaryKey())
    .addColumn("ca_id", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("profile", "text", (c) => c.notNull())
    .addColumn("key_name", "text", (c) => c.notNull())
    .addColumn("subject_key_id", "text", (c) => c.notNull())
    .addColumn("not_before", "text", (c) => c.notNull())
    .addColumn("not_after", "text", (c) => c.notNull())
    .addColumn("cert_der", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull()) // good | revoked
    .addColumn("revoked_at", "text")
    .addColumn("revocation_reason", "text")
    .addColumn("invalidity_date", "text")
    .addColumn("account_id", "text")
    .addColumn("order_id", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("pki_certificates_revoked")
    .on("pki_certificates")
    .columns(["ca_id", "status"])
    .execute();
  // OCSP's cross-process cache sync asks for recent revocations (ca.service.ts syncRevocations).
  await db.schema
    .createIndex("pki_certificates_revoked_at")
    .on("pki_certificates")
    .column("revoked_at")
    .execute();
  await db.schema
    .createIndex("pki_certificates_account")
    .on("pki_certificates")
    .column("account_id")
    .execute();

  await db.schema
    .createTable("pki_crls")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("ca_id", "text", (c) => c.notNull())
    .addColumn("crl_number", "integer", (c) => c.notNull())
    .addColumn("this_update", "text", (c) => c.notNull())
    .addColumn("next_update", "text", (c) => c.notNull())
    .addColumn("entries", "integer", (c) => c.notNull())
    .addColumn("der", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("pki_crls_number", ["ca_id", "crl_number"])
    .execute();

  // Pre-signed OCSP responses (RFC 5019 style), one per certificate and CertID hash algorithm;
  // replaced in the revoking transaction, re-signed when half their validity has passed.
  await db.schema
    .createTable("pki_ocsp_responses")
    .addColumn("ca_id", "text", (c) => c.notNull())
    .addColumn("serial_hex", "text", (c) => c.notNull())
    .addColumn("hash_alg", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("der", "text", (c) => c.notNull())
    .addColumn("this_update", "text", (c) => c.notNull())
    .addColumn("next_update", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("pki_ocsp_responses_pk", ["ca_id", "serial_hex", "hash_alg"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ["pki_ocsp_responses", "pki_crls", "pki_certificates", "pki_cas"]) {
    await db.schema.dropTable(t).execute();
  }
}
