// Starts the real server for the browser tests on a fresh data directory (dev SMS outbox, demo data),
// exactly as `npm start` would after the web app is built: on SQLite by default, or with
// E2E_DATABASE_URL on PostgreSQL, in a schema of its own that is dropped when the server stops.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const dataDir = mkdtempSync(path.join(os.tmpdir(), "certhall-e2e-"));
// Walks that personalise a USB key's SO PIN derive it from the dev secret there (support/assistant.ts).
writeFileSync(
  path.join(os.tmpdir(), `certhall-e2e-${process.env.E2E_PORT ?? "3210"}.json`),
  JSON.stringify({ dataDir }),
);
const require = createRequire(import.meta.url);
const pg = require("pg");

const databaseUrl = process.env.E2E_DATABASE_URL;
const schema = databaseUrl ? `e2e_${Date.now()}_${process.pid}` : undefined;

async function onPostgres(sql) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

if (schema) {
  // Schemas of runs that were killed before they could drop their own (named e2e_<ms>_<pid>).
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query("select nspname from pg_namespace where nspname like 'e2e\\_%'");
    for (const { nspname } of rows) {
      const started = Number(nspname.split("_")[1]);
      if (Date.now() - started > 6 * 3600_000) await client.query(`drop schema ${nspname} cascade`);
    }
    await client.query(`create schema ${schema}`);
  } finally {
    await client.end();
  }
}

const child = spawn(
  process.execPath,
  [require.resolve("tsx/cli"), path.join(here, "../../apps/server/src/main.ts")],
  {
    stdio: "inherit",
    env: {
      ...process.env,
      ...(schema ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema } : {}),
      NODE_ENV: "development",
      DATA_DIR: dataDir,
      PORT: process.env.E2E_PORT ?? "3210",
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      SMS_WORKER_INTERVAL_MS: "200",
      RATE_LIMIT_PER_MINUTE: "5000",
      // Every walk's people share 127.0.0.1: scale the login and SMS-code limits and the daily code cap.
      RATE_LIMIT_STRICT_FACTOR: "20",
      SMS_IP_DAILY_CAP: "1000",
    },
  },
);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", async (code) => {
  if (schema) await onPostgres(`drop schema ${schema} cascade`).catch(() => undefined);
  process.exit(code ?? 0);
});
