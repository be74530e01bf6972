// Benchmark: `certhall audit verify` over a long chain (issue 14: 1,000,000 entries at
// ≥ 100,000 entries/s in ≤ 256 MB). The chain is written by the server's own appendAuditEntries (1,000
// entries a transaction), then the real CLI runs under /usr/bin/time, which reports its peak RSS. The
// rate is the walk's as the CLI reports it; the whole run (start-up, migrations check) is shown too.
//   npm run bench:audit-verify -- [--entries=1000000] [--only=sqlite|postgres]
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { loadConfig } from "../apps/server/src/config";
import { type AuditInput, appendAuditEntries } from "../apps/server/src/modules/audit/audit.service";
import { openPreparedDatabase } from "../apps/server/src/runtime";
import { arg } from "./measure";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..");
const entries = Number(arg("entries", "1000000"));
const only = arg("only", "");
const PG_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const GOAL_RATE = 100_000;
const GOAL_RSS_MB = 256;

async function pgAvailable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

async function admin(q: string) {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(q);
  await c.end();
}

async function run(engine: "sqlite" | "postgres") {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "certhall-bench-audit-"));
  const schema = `bench_audit_${process.pid}`;
  const env: Record<string, string> = {
    NODE_ENV: "development",
    DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    SEED_DEMO: "false",
    SECRET_KEY: randomBytes(32).toString("hex"),
    AUDIT_KEY: randomBytes(32).toString("hex"),
    CA_MASTER_KEY: randomBytes(32).toString("hex"),
    ...(engine === "postgres" ? { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema } : {}),
  };
  if (engine === "postgres") await admin(`drop schema if exists ${schema} cascade; create schema ${schema}`);
  try {
    const config = loadConfig(env);
    const database = await openPreparedDatabase(config);
    const t0 = performance.now();
    const at = new Date();
    for (let done = 0; done < entries; ) {
      const n = Math.min(1000, entries - done);
      const batch: AuditInput[] = Array.from({ length: n }, (_, i) => ({
        at,
        actorType: "staff",
        actorId: "bench-staff",
        action: "order.approve",
        objectType: "order",
        objectId: `order-${done + i}`,
        detail: { from: "in_review", to: "awaiting_payment", note: "审核通过" },
        ip: "10.0.0.1",
      }));
      await database.db.transaction().execute((trx) => appendAuditEntries(trx, batch));
      done += n;
    }
    await database.close();
    const fillSeconds = (performance.now() - t0) / 1000;

    const timed = spawnSync(
      "/usr/bin/time",
      [
        "-f",
        "RSS_KB=%M WALL=%e",
        process.execPath,
        "--import",
        "tsx",
        "apps/server/src/cli/main.ts",
        "audit",
        "verify",
      ],
      { cwd: repo, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
    );
    const out = `${timed.stdout}${timed.stderr}`;
    const rssKb = Number(/RSS_KB=(\d+)/.exec(out)?.[1]);
    const wall = Number(/WALL=([\d.]+)/.exec(out)?.[1]);
    const checked = Number(/共校验 (\d+) 条/.exec(out)?.[1]);
    const verifySeconds = Number(/用时 ([\d.]+) 秒/.exec(out)?.[1]);
    if (timed.status !== 0 || checked !== entries)
      throw new Error(`verify failed (${timed.status}):\n${out}`);
    return {
      engine,
      fillSeconds,
      wall,
      verifySeconds,
      rate: entries / verifySeconds,
      wholeRate: entries / wall,
      rssMb: rssKb / 1024,
    };
  } finally {
    if (engine === "postgres") await admin(`drop schema if exists ${schema} cascade`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

execFileSync("/usr/bin/time", ["-f", "", "true"]); // fails early when GNU time is missing
const engines: ("sqlite" | "postgres")[] = ["sqlite"];
if (await pgAvailable()) engines.push("postgres");
else console.log(`PostgreSQL at ${PG_URL} not reachable: measuring SQLite only`);
console.log(`\ncerthall audit verify over ${entries.toLocaleString("en")} entries (whole CLI run)`);
for (const engine of engines) {
  if (only && only !== engine) continue;
  const r = await run(engine);
  console.log(
    `  ${engine.padEnd(9)} ${r.rate.toFixed(0).padStart(8)} entries/s verifying (${r.verifySeconds.toFixed(1)} s; whole run ${r.wall.toFixed(1)} s, ${r.wholeRate.toFixed(0)}/s)  peak RSS ${r.rssMb.toFixed(0)} MB  [chain written in ${r.fillSeconds.toFixed(0)} s]`,
  );
  console.log(`ratio_${engine}_rate_vs_goal=${(r.rate / GOAL_RATE).toFixed(3)}`);
  console.log(`ratio_${engine}_rss_vs_limit=${(r.rssMb / GOAL_RSS_MB).toFixed(3)}`);
}
process.exit(0);
