// Benchmark: the portal's two hot applicant paths — submit an order (validate, price from the catalog,
// insert order + items + handler + event + audit entry in one transaction) and list my orders — at 50
// and 200 concurrent sessions, on SQLite and on PostgreSQL, each as a ratio to a bare Fastify route
// measured by the same client in the same run. The server runs as its own process, as in production.
//
//   npm run bench:portal [-- --seconds=6 --only=sqlite|postgres]
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hash } from "@node-rs/argon2";
import Database from "better-sqlite3";
import pg from "pg";
import { freePort } from "./http-load";
import { arg } from "./measure";

const here = path.dirname(fileURLToPath(import.meta.url));
const seconds = Number(arg("seconds", "6"));
const only = arg("only", "");
const PG_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SECRET = randomBytes(32).toString("hex");
const LEVELS = [50, 200];
const children: ChildProcess[] = [];
process.on("exit", () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
});
process.on("SIGINT", () => process.exit(130));

async function start(
  script: string,
  env: Record<string, string>,
): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const tsx = path.join(here, "../node_modules/tsx/dist/cli.mjs");
  const child = spawn(process.execPath, [tsx, script], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (/READY|certhall is running/.test(out)) resolve({ port, child });
    });
    child.on("exit", (code) => reject(new Error(`${script} exited with ${code}: ${out.slice(-500)}`)));
  });
}

interface Session {
  cookie: string;
  csrf: string;
  subjectId: string;
}

/**
 * Session cookies made the way the server makes them (sha256 of the token in the sessions table), and
 * the CSRF token bound to the applicant session cookie (plugins/security.ts).
 */
function csrfToken(sessionToken: string): string {
  const nonce = randomBytes(18).toString("base64url");
  const mac = createHmac("sha256", Buffer.from(SECRET, "utf8"))
    .update(`csrf:${nonce}:${sessionToken}|`)
    .digest("hex")
    .slice(0, 32);
  return `${nonce}.${mac}`;
}

type Exec = (sql: string, params: unknown[]) => Promise<void>;

async function seedSessions(exec: Exec, n: number): Promise<Session[]> {
  const now = new Date().toISOString();
  const later = new Date(Date.now() + 6 * 3600_000).toISOString();
  const pw = await hash("Bench-Pass-2026");
  const sessions: Session[] = [];
  for (let i = 0; i < n; i++) {
    const accountId = randomUUID();
    const subjectId = randomUUID();
    const token = randomBytes(32).toString("base64url");
    const phone = `188${String(10_000_000 + i).padStart(8, "0")}`;
    await exec(
      "insert into accounts (id, phone, password_hash, name, created_at, updated_at) values ($1,$2,$3,null,$4,$4)",
      [accountId, phone, pw, now],
    );
    await exec(
      "insert into subjects (id, account_id, kind, name, identity_key, legal_rep, address, archived, created_at, updated_at) values ($1,$2,'company',$3,'91350100M000100Y43','张三','福州',0,$4,$4)",
      [subjectId, accountId, `压测企业${i}有限公司`, now],
    );
    await exec(
      "insert into sessions (id, realm, subject_id, created_at, last_seen_at, expires_at, revoked_at, ip, user_agent) values ($1,'applicant',$2,$3,$3,$4,null,null,'bench')",
      [createHash("sha256").update(token).digest("hex"), accountId, now, later],
    );
    const csrf = csrfToken(token);
    sessions.push({ cookie: `certhall_sid=${token}; certhall_csrf=${csrf}`, csrf, subjectId });
  }
  return sessions;
}

interface Result {
  name: string;
  perSecond: number;
  p95Ms: number;
  failed: number;
  firstError?: string;
}

/** Closed loop: each of `concurrency` workers has its own session and sends back to back. */
async function load(
  name: string,
  concurrency: number,
  make: (worker: number, n: number) => { url: string; init: RequestInit; ok: (status: number) => boolean },
): Promise<Result> {
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  const warmEnd = performance.now() + 1000;
  const end = warmEnd + seconds * 1000;
  let counter = 0;
  const worker = async (w: number) => {
    while (performance.now() < end) {
      const req = make(w, counter++);
      const t = performance.now();
      try {
        const res = await fetch(req.url, req.init);
        const text = await res.text();
        const ms = performance.now() - t;
        if (t < warmEnd) continue;
        if (req.ok(res.status)) {
          ok++;
          latencies.push(ms);
        } else {
          failed++;
          firstError ??= `HTTP ${res.status} ${text.slice(0, 200)}`;
        }
      } catch (err) {
        failed++;
        firstError ??= String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  latencies.sort((a, b) => a - b);
  return {
    name,
    perSecond: ok / seconds,
    p95Ms: latencies[Math.floor(latencies.length * 0.95)] ?? Number.NaN,
    failed,
    firstError,
  };
}

async function caTypeId(base: string, cookie: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/catalog/ca-types?kind=company`, { headers: { cookie } });
  const body = (await res.json()) as { caTypes: { id: string }[] };
  if (!body.caTypes?.[0]) throw new Error(`no CA types: ${JSON.stringify(body).slice(0, 200)}`);
  return body.caTypes[0].id;
}

async function scenario(engine: "sqlite" | "postgres"): Promise<Result[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "certhall-bench-portal-"));
  const env: Record<string, string> = {
    NODE_ENV: "production",
    SECRET_KEY: SECRET,
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    SEED_DEMO: "false",
    RATE_LIMIT_PER_MINUTE: "100000000",
    CA_MASTER_KEY: randomBytes(32).toString("hex"),
    AUDIT_KEY: randomBytes(32).toString("hex"),
  };
  let exec: Exec;
  let close: () => Promise<void>;
  let schema = "";
  if (engine === "postgres") {
    schema = `bench_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    Object.assign(env, { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema });
  }
  const server = await start(path.join(here, "../apps/server/src/main.ts"), env);
  const base = `http://127.0.0.1:${server.port}`;
  if (engine === "postgres") {
    const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await client.connect();
    exec = async (sql, params) => {
      await client.query(sql, params);
    };
    close = async () => {
      await client.end();
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    };
  } else {
    const db = new Database(path.join(dataDir, "certhall.db"));
    db.pragma("busy_timeout = 5000");
    exec = async (sql, params) => {
      // Positional "$n" (PostgreSQL style) → one "?" per occurrence, values repeated as needed.
      const values: unknown[] = [];
      const text = sql.replace(/\$(\d+)/g, (_m, n: string) => {
        values.push(params[Number(n) - 1]);
        return "?";
      });
      db.prepare(text).run(...values);
    };
    close = async () => {
      db.close();
    };
  }
  const sessions = await seedSessions(exec, Math.max(...LEVELS));
  const ca = await caTypeId(base, sessions[0]!.cookie);
  const results: Result[] = [];
  for (const c of LEVELS) {
    results.push(
      await load(`${engine} submit-order c=${c}`, c, (w) => {
        const s = sessions[w]!;
        return {
          url: `${base}/api/v1/orders`,
          init: {
            method: "POST",
            headers: { cookie: s.cookie, "x-csrf-token": s.csrf, "content-type": "application/json" },
            body: JSON.stringify({
              business: "new",
              subjectKind: "company",
              handler: { name: "压测", idNumber: "11010519491231002X", phone: "13800138000" },
              items: [{ subjectId: s.subjectId, caTypeId: ca, years: 1, eseal: false }],
              submit: true,
            }),
          },
          ok: (st) => st === 201,
        };
      }),
    );
    results.push(
      await load(`${engine} list-orders c=${c}`, c, (w) => ({
        url: `${base}/api/v1/orders?limit=20`,
        init: { headers: { cookie: sessions[w]!.cookie } },
        ok: (st) => st === 200,
      })),
    );
  }
  server.child.kill("SIGTERM");
  await close();
  return results;
}

const bareServer = await start(path.join(here, "bare-server.ts"), {});
const bareBase = `http://127.0.0.1:${bareServer.port}`;
const bareResults: Record<number, Result> = {};
for (const c of LEVELS) {
  bareResults[c] = await load(`bare fastify c=${c}`, c, () => ({
    url: `${bareBase}/bare`,
    init: {},
    ok: (st) => st === 200,
  }));
}
bareServer.child.kill("SIGTERM");

const rows: (Result & { ratio?: number })[] = [...Object.values(bareResults)];
const ratios: string[] = [];
for (const engine of ["sqlite", "postgres"] as const) {
  if (only && only !== engine) continue;
  // The bare rate at the same concurrency is the limit each certhall route is compared with.
  const res = await scenario(engine);
  for (const r of res) {
    const c = Number(/c=(\d+)/.exec(r.name)![1]);
    const ratio = r.perSecond / bareResults[c]!.perSecond;
    rows.push({ ...r, ratio });
    ratios.push(`ratio_${r.name.replace(/[ =-]+/g, "_")}=${ratio.toFixed(3)}`);
  }
}

console.log("\nportal throughput (closed loop, one session per concurrent client)");
for (const r of rows) {
  console.log(
    `  ${r.name.padEnd(32)} ${r.perSecond.toFixed(0).padStart(7)}/s  p95 ${r.p95Ms.toFixed(1).padStart(7)} ms` +
      (r.ratio !== undefined ? `  ratio_vs_bare ${r.ratio.toFixed(3)}` : "") +
      (r.failed ? `  failed ${r.failed} (${r.firstError})` : ""),
  );
}
for (const line of ratios) console.log(line);
process.exit(0);
