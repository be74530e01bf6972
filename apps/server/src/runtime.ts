import type { Config } from "./config";
import { type DbHandle, openDatabase } from "./db/database";
import { migrateToLatest } from "./db/migrate";
import { type Clock, systemClock } from "./lib/clock";
import { serialized } from "./lib/exclusive";
import type { SharedState } from "./lib/shared-state";
import { sharedCoordination } from "./modules/pki/ca.coordination";
import { type CaService, createCaService } from "./modules/pki/ca.service";
import { seedDemoData, seedReferenceData } from "./seed";

/** Opens and prepares the database: shared by the server, the CLI and tests. */
export async function openPreparedDatabase(config: Config, clock: Clock = systemClock): Promise<DbHandle> {
  const handle = openDatabase(config);
  try {
    // Several instances starting together on a fresh database take turns (lib/exclusive.ts).
    await serialized(handle, "prepare", async () => {
      await migrateToLatest(handle.db);
      await seedReferenceData(handle.db, clock);
      if (config.seedDemo) await seedDemoData(handle.db, clock);
    });
  } catch (err) {
    await handle.close();
    throw err;
  }
  return handle;
}

/** Server start: the CA hierarchy is created on first start (DESIGN §5) and its CRLs published. */
export async function bootstrapCa(
  config: Config,
  database: DbHandle,
  clock: Clock = systemClock,
  shared?: Pick<SharedState, "bus" | "exclusive">,
): Promise<CaService> {
  const coordination = shared ? sharedCoordination(shared.bus, shared.exclusive) : undefined;
  const ca = createCaService({ db: database.db, clock, config, coordination });
  await serialized(database, "ca-bootstrap", () => ca.bootstrap());
  return ca;
}
