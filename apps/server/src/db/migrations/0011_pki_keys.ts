import { parseCertificate } from "@certhall/pki";
import type { Kysely } from "kysely";
import { holderOf, spkiSha256 } from "../../modules/pki/key-policy";

// Key checks and revocation semantics of the CA (issue 12 items 5 and 8):
// - pki_certificates.spki_sha256: SHA-256 of the certified SubjectPublicKeyInfo, so a key is found
//   again whoever asks (another account, another subject, another profile).
// - pki_certificates.holder: who the key was certified for, as the subject's serialNumber (the USCC
//   of a company, the hashed ID of a person) or else the whole subject name.
// - pki_certificates.status_changed_at: when the status or reason last changed (a revocation, a
//   released certificateHold, a reason raised to keyCompromise); other processes' OCSP caches follow it.
// - pki_blocked_keys: keys revoked for keyCompromise, refused for ever by their SPKI hash.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("pki_certificates").addColumn("spki_sha256", "text").execute();
  await db.schema.alterTable("pki_certificates").addColumn("holder", "text").execute();
  await db.schema.alterTable("pki_certificates").addColumn("status_changed_at", "text").execute();
  await db.schema.createIndex("pki_certificates_spki").on("pki_certificates").column("spki_sha256").execute();
  await db.schema
    .createIndex("pki_certificates_status_changed")
    .on("pki_certificates")
    .column("status_changed_at")
    .execute();
  await db.schema
    .createTable("pki_blocked_keys")
    .addColumn("spki_sha256", "text", (c) => c.primaryKey())
    .addColumn("serial_hex", "text", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("blocked_at", "text", (c) => c.notNull())
    .execute();

  // Backfill from the stored certificates.
  const t = db as Kysely<{
    pki_certificates: {
      serial_hex: string;
      cert_der: string;
      status: string;
      revoked_at: string | null;
      revocation_reason: string | null;
      spki_sha256: string | null;
      holder: string | null;
      status_changed_at: string | null;
    };
    pki_blocked_keys: { spki_sha256: string; serial_hex: string; reason: string; blocked_at: string };
  }>;
  const rows = await t
    .selectFrom("pki_certificates")
    .select(["serial_hex", "cert_der", "status", "revoked_at", "revocation_reason"])
    .execute();
  for (const r of rows) {
    const cert = parseCertificate(Buffer.from(r.cert_der, "base64"));
    const spki = spkiSha256(cert.spki);
    const holder = holderOf(cert.subjectRaw);
    await t
      .updateTable("pki_certificates")
      .set({ spki_sha256: spki, holder, status_changed_at: r.revoked_at })
      .where("serial_hex", "=", r.serial_hex)
      .execute();
    if (r.status === "revoked" && r.revocation_reason === "keyCompromise") {
      await t
        .insertInto("pki_blocked_keys")
        .values({
          spki_sha256: spki,
          serial_hex: r.serial_hex,
          reason: "keyCompromise",
          blocked_at: r.revoked_at!,
        })
        .onConflict((oc) => oc.column("spki_sha256").doNothing())
        .execute();
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("pki_blocked_keys").execute();
  await db.schema.dropIndex("pki_certificates_status_changed").execute();
  await db.schema.dropIndex("pki_certificates_spki").execute();
  for (const c of ["status_changed_at", "holder", "spki_sha256"]) {
    await db.schema.alterTable("pki_certificates").dropColumn(c).execute();
  }
}
