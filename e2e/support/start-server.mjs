// Starts the real server for the browser tests on a fresh data directory (SQLite, dev SMS outbox,
// demo data), exactly as `npm start` would after the web app is built.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const dataDir = mkdtempSync(path.join(os.tmpdir(), "certhall-e2e-"));
const require = createRequire(import.meta.url);
const child = spawn(
  process.execPath,
  [require.resolve("tsx/cli"), path.join(here, "../../apps/server/src/main.ts")],
  {
    stdio: "inherit",
    env: {
      ...process.env,
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
child.on("exit", (code) => process.exit(code ?? 0));
