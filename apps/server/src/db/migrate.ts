import { sql } from "kysely";
import { type Migration, type MigrationProvider, Migrator } from "kysely/migration";
import type { Db } from "./database";
import * as m0001 from "./migrations/0001_foundation";
import * as m0002 from "./migrations/0002_pki";
import * as m0003 from "./migrations/0003_orders";
import * as m0004 from "./migrations/0004_payments";
import * as m0005 from "./migrations/0005_reminders";
import * as m0006 from "./migrations/0006_businesses";
import * as m0007 from "./migrations/0007_platform_settings";
import * as m0008 from "./migrations/0008_auth_hardening";
import * as m0009 from "./migrations/0009_secrets";
import * as m0010 from "./migrations/0010_audit_keyed_duties";
import * as m0011 from "./migrations/0011_pki_keys";
import * as m0014 from "./migrations/0014_statements_reports";
import * as m0015 from "./migrations/0015_certificate_lineages";
import * as m0016 from "./migrations/0016_subject_versions";
import * as m0017 from "./migrations/0017_pki_revoked_serial";
import * as m0018 from "./migrations/0018_queues";
import * as m0019 from "./migrations/0019_materials";
import * as m0020 from "./migrations/0020_invoices";

/** Migrations are listed here (not scanned from disk) so they run the same under tsx, vitest and a bundle. */
const migrations: Record<string, Migration> = {
  "0001_foundation": m0001,
  "0002_pki": m0002,
  "0003_orders": m0003,
  "0004_payments": m0004,
  "0005_reminders": m0005,
  "0006_businesses": m0006,
  "0007_platform_settings": m0007,
  "0008_auth_hardening": m0008,
  "0009_secrets": m0009,
  "0010_audit_keyed_duties": m0010,
  "0011_pki_keys": m0011,
  "0014_statements_reports": m0014,
  "0015_certificate_lineages": m0015,
  "0016_subject_versions": m0016,
  "0017_pki_revoked_serial": m0017,
  "0018_queues": m0018,
  "0019_materials": m0019,
  "0020_invoices": m0020,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Db): Promise<string[]> {
  return migrate(db, (m) => m.migrateToLatest());
}

/** Migrates up or down to the named migration (tests of a migration over data of the schema before it). */
export async function migrateTo(db: Db, name: string): Promise<string[]> {
  return migrate(db, (m) => m.migrateTo(name));
}

async function migrate(
  db: Db,
  run: (m: Migrator) => ReturnType<Migrator["migrateToLatest"]>,
): Promise<string[]> {
  // PostgreSQL: name the schema of the migration tables. Without it Kysely's existence check sees
  // kysely_migration_lock in ANY schema (e.g. a parallel test file's) and skips creating its own.
  let migrationTableSchema: string | undefined;
  if (db.getExecutor().adapter.constructor.name === "PostgresAdapter") {
    const r = await sql<{ s: string }>`select current_schema() as s`.execute(db);
    migrationTableSchema = r.rows[0]?.s;
  }
  const migrator = new Migrator({ db, provider, migrationTableSchema });
  const { error, results } = await run(migrator);
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
