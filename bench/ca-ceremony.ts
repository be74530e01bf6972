// Benchmarks run certhall in production mode, which refuses to make its own root (DESIGN §9): this
// runs the root key ceremony first, as an operator would (`certhall ca ceremony init` and
// `sign-issuing`), with the root key file outside DATA_DIR, where the server never looks.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { loadConfig } from "../apps/server/src/config";
import { createCaService } from "../apps/server/src/modules/pki/ca.service";
import { createCeremony, rootKeyAccess } from "../apps/server/src/modules/pki/ceremony";
import { openPreparedDatabase } from "../apps/server/src/runtime";

/** Creates the root (in `offlineDir`) and the issuing CA in the database that `env` names. */
export async function runBenchCeremony(env: NodeJS.ProcessEnv, offlineDir: string): Promise<void> {
  fs.mkdirSync(offlineDir, { recursive: true, mode: 0o700 });
  const passFile = path.join(offlineDir, "root.pass");
  fs.writeFileSync(passFile, crypto.randomBytes(24).toString("base64url"), { mode: 0o600 });
  const config = loadConfig({
    ...env,
    CA_ROOT_KEY_FILE: path.join(offlineDir, "root.key"),
    CA_ROOT_PASSPHRASE_FILE: passFile,
  });
  const database = await openPreparedDatabase(config);
  const deps = { db: database.db, clock: () => new Date(), config };
  const ca = createCaService(deps);
  try {
    const ceremony = createCeremony(ca, deps);
    const access = rootKeyAccess(config);
    const actor = { type: "system" as const, id: "bench-ceremony" };
    await ceremony.init(access, actor);
    await ceremony.signIssuing(access, actor);
  } finally {
    ca.close();
    await database.close();
  }
}
