import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance, InjectOptions } from "fastify";
import pg from "pg";
import { buildApp } from "../app";
import { type Config, loadConfig } from "../config";
import { type DbHandle, openDatabase } from "../db/database";
import { migrateToLatest } from "../db/migrate";
import type { Clock } from "../lib/clock";
import { seedDemoData, seedReferenceData } from "../seed";

/**
 * A clean database for one test file: a fresh SQLite file in a temp dir, or — when DATABASE_URL is
 * set (CI's second pass) — a fresh PostgreSQL schema that is dropped afterwards.
 */
export async function createTestDatabase(overrides: Record<string, string> = {}): Promise<{
  config: Config;
  database: DbHandle;
  cleanup(): Promise<void>;
}> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "certhall-test-"));
  const url = process.env.DATABASE_URL;
  let schema: string | undefined;
  if (url) {
    schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
  }
  const config = loadConfig({
    NODE_ENV: "test",
    DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    SECRET_KEY: "test-secret-key-test-secret-key-0123456789",
    RATE_LIMIT_PER_MINUTE: "10000",
    ...(url ? { DATABASE_URL: url, DATABASE_SCHEMA: schema } : {}),
    ...overrides,
  });
  const database = openDatabase(config);
  await migrateToLatest(database.db);
  return {
    config,
    database,
    async cleanup() {
      await database.close();
      if (url && schema) {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`drop schema ${schema} cascade`);
        await client.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A clock tests can move. */
export function testClock(start = "2026-11-25T02:00:00.000Z") {
  let now = new Date(start);
  const clock: Clock = () => new Date(now);
  return {
    clock,
    set: (iso: string) => {
      now = new Date(iso);
    },
    advance: (seconds: number) => {
      now = new Date(now.getTime() + seconds * 1000);
    },
  };
}

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  database: DbHandle;
  time: ReturnType<typeof testClock>;
  close(): Promise<void>;
}

export async function createTestApp(
  opts: { demo?: boolean; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const { config, database, cleanup } = await createTestDatabase(opts.env);
  const time = testClock();
  await seedReferenceData(database.db, time.clock);
  if (opts.demo !== false) await seedDemoData(database.db, time.clock);
  const app = await buildApp({ config, database, clock: time.clock, webDist: null });
  await app.ready();
  return {
    app,
    config,
    database,
    time,
    async close() {
      await app.close();
      await cleanup();
    },
  };
}

let ipCounter = 1;

/**
 * A browser-like client: keeps cookies, echoes the CSRF cookie in x-csrf-token on writes, and has its
 * own client IP (so per-IP limits of one test do not leak into another).
 */
export class Client {
  readonly cookies = new Map<string, string>();
  readonly ip: string;
  sendCsrf = true;

  constructor(
    private readonly app: FastifyInstance,
    ip?: string,
  ) {
    this.ip = ip ?? `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter++ & 255}`;
  }

  async request(
    method: InjectOptions["method"],
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    if (method !== "GET" && !this.cookies.has("certhall_csrf")) await this.request("GET", "/api/v1/csrf");
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await this.app.inject({
      method,
      url,
      remoteAddress: this.ip,
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(method !== "GET" && this.sendCsrf
          ? { "x-csrf-token": this.cookies.get("certhall_csrf") ?? "" }
          : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()) || c.value === "";
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return { status: res.statusCode, body: res.body ? safeJson(res.body) : null, headers: res.headers };
  }

  get = (url: string) => this.request("GET", url);
  post = (url: string, body?: unknown) => this.request("POST", url, body ?? {});
  put = (url: string, body?: unknown) => this.request("PUT", url, body ?? {});
  patch = (url: string, body?: unknown) => this.request("PATCH", url, body ?? {});
  delete = (url: string) => this.request("DELETE", url);
}

function safeJson(s: string): any {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** The newest code the dev outbox holds for a phone, read the way a developer would. */
export async function latestSmsCode(t: TestApp, phone: string): Promise<string> {
  const row = await t.database.db
    .selectFrom("sms_outbox")
    .select(["text"])
    .where("phone", "=", phone)
    .where("template", "=", "verify_code")
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirstOrThrow();
  const m = /验证码 (\d{6})/.exec(row.text);
  if (!m?.[1]) throw new Error(`no code in ${row.text}`);
  return m[1];
}

export const STRONG_PASSWORD = "Str0ng-Pass!";

export async function registerApplicant(t: TestApp, phone: string, client = new Client(t.app)) {
  const sent = await client.post("/api/v1/auth/sms-codes", { phone, purpose: "register" });
  if (sent.status !== 200) throw new Error(`sms-codes ${sent.status} ${JSON.stringify(sent.body)}`);
  const code = await latestSmsCode(t, phone);
  const res = await client.post("/api/v1/auth/register", { phone, code, password: STRONG_PASSWORD });
  if (res.status !== 201) throw new Error(`register ${res.status} ${JSON.stringify(res.body)}`);
  return client;
}

export async function staffClient(t: TestApp, username: string, password = "Certhall@2026") {
  const c = new Client(t.app);
  const res = await c.post("/api/v1/admin/auth/login", { username, password });
  if (res.status !== 200) throw new Error(`staff login ${res.status} ${JSON.stringify(res.body)}`);
  return c;
}

/** A fresh session for an existing applicant (e.g. after the test clock jumped past a session's life). */
export async function loginApplicant(t: TestApp, phone: string, password = STRONG_PASSWORD) {
  const c = new Client(t.app);
  const res = await c.post("/api/v1/auth/login", { phone, password });
  if (res.status !== 200) throw new Error(`login ${res.status} ${JSON.stringify(res.body)}`);
  return c;
}
