import { type Migration, type MigrationProvider, Migrator } from "kysely/migration";
import type { Db } from "./database";
import * as m0001 from "./migrations/0001_foundation";

/** Migrations are listed here (not scanned from disk) so they run the same under tsx, vitest and a bundle. */
const migrations: Record<string, Migration> = {
  "0001_foundation": m0001,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
