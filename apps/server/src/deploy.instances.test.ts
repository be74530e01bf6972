// Several instances (issue 14, DESIGN §10): two real server processes (one of them a node:cluster of
// two workers) behind nginx with deploy/nginx/certhall.conf, on one fresh PostgreSQL schema and one
// Redis (a key prefix of this run's own). Needs PostgreSQL (DATABASE_URL), nginx and Redis; without
// one of them it is skipped and says which.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Config, loadConfig } from "./config";
import type { DbHandle } from "./db/database";
import { verifyAuditChain } from "./modules/audit/audit.service";
import type { CaService } from "./modules/pki/ca.service";
import { ENTERPRISE, makeCsr, opensslOk, write } from "./modules/pki/test-support";
import { queueSms } from "./modules/sms/sms.outbox";
import { SMS_TEMPLATES } from "./modules/sms/sms.templates";
import { bootstrapCa, openPreparedDatabase } from "./runtime";
import { DEMO_APPLICANT_PHONE, DEMO_PASSWORD } from "./seed";
import {
  freePort,
  type Instance,
  makeTlsCert,
  type Nginx,
  onPath,
  request,
  startInstance,
  startNginx,
  WebClient,
} from "./test/instances";
import { testRedis } from "./test/redis";

const PG_URL = process.env.DATABASE_URL?.startsWith("postgres") ? process.env.DATABASE_URL : null;
const missing = [
  ...(PG_URL ? [] : ["PostgreSQL (DATABASE_URL=postgres://…)"]),
  ...(onPath("nginx") ? [] : ["nginx on PATH (Debian package nginx)"]),
];
const redis = missing.length ? null : await testRedis("two instances behind nginx");
if (missing.length) console.warn(`SKIPPED two instances behind nginx: needs ${missing.join(" and ")}`);
const TOKEN = `svc-${randomBytes(16).toString("hex")}`;

let dir: string;
let schema: string;
let env: Record<string, string>;
let config: Config;
let database: DbHandle;
let ca: CaService;
let a: Instance; // WORKERS=2
let b: Instance; // one process: the one killed
let nginx: Nginx;
let gateway: Server;
/** The demo applicant, logged in through nginx (its one login counts towards the login limit). */
let web: WebClient;
const sentOutIds = new Map<string, number>();

async function adminQuery(q: string) {
  const c = new pg.Client({ connectionString: PG_URL! });
  await c.connect();
  try {
    await c.query(q);
  } finally {
    await c.end();
  }
}

/** A dysmsapi stand-in that counts each message (our row id travels as OutId), slow enough to overlap. */
async function startGateway(): Promise<string> {
  gateway = createServer((req, res) => {
    const outId = new URL(req.url ?? "/", "http://x").searchParams.get("OutId") ?? "";
    sentOutIds.set(outId, (sentOutIds.get(outId) ?? 0) + 1);
    setTimeout(() => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ Code: "OK", Message: "OK", BizId: outId, RequestId: outId }));
    }, 30);
  });
  await new Promise<void>((r) => gateway.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "certhall-instances-"));
  schema = `t_inst_${process.pid}_${randomBytes(4).toString("hex")}`;
  await adminQuery(`create schema ${schema}`);
  const tls = makeTlsCert(dir);
  const webRoot = path.join(dir, "web");
  mkdirSync(path.join(webRoot, "assets"), { recursive: true });
  writeFileSync(
    path.join(webRoot, "assets/index-3f2a9c1b.js"),
    `export const x = ${JSON.stringify("x".repeat(4000))};\n`,
  );
  // nginx first: its ports go into PUBLIC_URL and PKI_BASE_URL; the upstream ports are reserved now.
  const [portA, portB] = [await freePort(), await freePort()];
  nginx = await startNginx({ dir, upstreams: [portA, portB], webRoot, tls });
  env = {
    NODE_ENV: "development",
    DATA_DIR: path.join(dir, "data"),
    DATABASE_URL: PG_URL!,
    DATABASE_SCHEMA: schema,
    REDIS_URL: redis!.url,
    REDIS_KEY_PREFIX: redis!.prefix,
    LOG_LEVEL: "warn",
    SECRET_KEY: randomBytes(32).toString("hex"),
    AUDIT_KEY: randomBytes(32).toString("hex"),
    CA_MASTER_KEY: randomBytes(32).toString("hex"),
    CA_SERVICE_TOKEN: TOKEN,
    PUBLIC_URL: nginx.httpsUrl,
    PKI_BASE_URL: nginx.httpUrl,
    TRUST_PROXY: "127.0.0.1",
    NODE_EXTRA_CA_CERTS: tls.cert,
    RATE_LIMIT_PER_MINUTE: "100000",
    SMS_PROVIDER: "aliyun",
    SMS_ALIYUN_ACCESS_KEY_ID: "LTAItest",
    SMS_ALIYUN_ACCESS_KEY_SECRET: "secret",
    SMS_ALIYUN_ENDPOINT: await startGateway(),
    SMS_ALIYUN_TEMPLATES: JSON.stringify(
      Object.fromEntries(Object.keys(SMS_TEMPLATES).map((t, i) => [t, `SMS_${1000 + i}`])),
    ),
    SMS_WORKER_INTERVAL_MS: "200",
    PAYMENT_PROVIDER: "sandbox",
  };
  // What must be there before the instances start (the reminder pass runs at each start): the
  // database, the CA, certificates of the demo applicant ending in 20 days, and queued messages.
  config = loadConfig(env);
  database = await openPreparedDatabase(config);
  ca = await bootstrapCa(config, database);
  const applicant = await database.db
    .selectFrom("accounts")
    .select("id")
    .where("phone", "=", DEMO_APPLICANT_PHONE)
    .executeTakeFirstOrThrow();
  for (let i = 0; i < 4; i++) {
    const csrPem = await makeCsr(dir, "p256", `remind${i}`);
    await ca.issue(
      { type: "system", id: null },
      {
        csrPem,
        profile: "enterprise-sign",
        subject: ENTERPRISE,
        notAfter: new Date(Date.now() + 20 * 86_400_000),
        accountId: applicant.id,
      },
    );
  }
  await database.db.transaction().execute(async (trx) => {
    for (let i = 0; i < 30; i++)
      await queueSms(
        trx,
        { clock: () => new Date(), signName: config.sms.signName },
        `1390000${String(i).padStart(4, "0")}`,
        "password_changed",
        {},
      );
  });
  [a, b] = await Promise.all([
    startInstance({ ...env, WORKERS: "2" }, portA),
    startInstance({ ...env, WORKERS: "1" }, portB),
  ]);
  web = new WebClient(nginx.httpsUrl, nginx.tlsCert);
  await web.get("/api/v1/csrf");
  const login = await web.post("/api/v1/auth/login", {
    phone: DEMO_APPLICANT_PHONE,
    password: DEMO_PASSWORD,
  });
  if (login.status !== 200) throw new Error(`login ${login.status} ${login.text}`);
}, 150_000);

afterAll(async () => {
  await Promise.allSettled([a?.stop(), b?.stop(), nginx?.stop()]);
  gateway?.close();
  ca?.close();
  await database?.close();
  if (schema && PG_URL) await adminQuery(`drop schema if exists ${schema} cascade`);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function eventually<T>(ms: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(missing.length > 0 || !redis)(
  "two instances behind nginx on one PostgreSQL and Redis",
  () => {
    it("serves hashed assets immutable and gzipped, PKI over http, the rest moved to https", async () => {
      const asset = await request(`${nginx.httpsUrl}/assets/index-3f2a9c1b.js`, {
        ca: nginx.tlsCert,
        headers: { "accept-encoding": "gzip" },
      });
      expect(asset.status).toBe(200);
      expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(asset.headers["content-encoding"]).toBe("gzip");
      expect(
        (await request(`${nginx.httpsUrl}/assets/index-00000000.js`, { ca: nginx.tlsCert })).status,
      ).toBe(404);
      const crl = await request(`${nginx.httpUrl}/pki/crl/${ca.issuing().slug}.crl`);
      expect(crl.status).toBe(200);
      expect(crl.headers["content-type"]).toContain("application/pkix-crl");
      expect(crl.headers["content-encoding"]).toBeUndefined();
      const moved = await request(`${nginx.httpUrl}/login`);
      expect(moved.status).toBe(301);
      expect(moved.headers.location).toBe(`${nginx.httpsUrl.replace(/:\d+$/, "")}/login`);
      const api = await request(`${nginx.httpsUrl}/api/health`, { ca: nginx.tlsCert });
      expect(api.json()).toEqual({ status: "ok", db: "postgres" });
    });

    it("answers a revocation made on one instance as revoked by OCSP on the other within 1 s", async () => {
      const csrPem = await makeCsr(dir, "p256", "ocsp1");
      const issued = await request(`${a.url}/api/v1/pki/issue`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ csrPem, profile: "enterprise-sign", subject: ENTERPRISE }),
      });
      expect(issued.status).toBe(201);
      const cert = issued.json<{ serialHex: string; certificatePem: string }>();
      write(dir, "ocsp1.pem", cert.certificatePem);
      write(dir, "issuer.pem", ca.issuing().certPem);
      await opensslOk(
        ["ocsp", "-issuer", "issuer.pem", "-cert", "ocsp1.pem", "-no_nonce", "-reqout", "ocsp1.req"],
        dir,
      );
      const req = readFileSync(path.join(dir, "ocsp1.req"));
      const statusAt = async (base: string) => {
        const res = await request(`${base}/pki/ocsp`, {
          method: "POST",
          headers: { "content-type": "application/ocsp-request" },
          body: req,
        });
        write(dir, "ocsp1.resp", res.body);
        const out = await opensslOk(
          ["ocsp", "-respin", "ocsp1.resp", "-issuer", "issuer.pem", "-cert", "ocsp1.pem", "-noverify"],
          dir,
        );
        return /ocsp1\.pem: (\w+)/.exec(out)?.[1];
      };
      expect(await statusAt(b.url)).toBe("good"); // now in B's memory
      const revoked = await request(`${a.url}/api/v1/pki/revoke`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ serialHex: cert.serialHex, reason: "keyCompromise" }),
      });
      expect(revoked.status).toBe(200);
      const started = Date.now();
      await eventually(1000, async () => (await statusAt(b.url)) === "revoked");
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await statusAt(nginx.httpUrl)).toBe("revoked");
    });

    it("holds the login rate limit across both instances, also against a forged X-Forwarded-For", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 14; i++) {
        const c = new WebClient(nginx.httpsUrl, nginx.tlsCert);
        await c.get("/api/v1/csrf");
        const res = await c.post("/api/v1/auth/login", {
          phone: `1370000${String(i).padStart(4, "0")}`,
          password: "Wrong-Pass-2026",
        });
        statuses.push(res.status);
      }
      // 10 a minute per IP (account.routes.ts), counted in Redis whichever of the three processes
      // answered; the demo applicant's login in beforeAll was the first.
      expect(statuses.slice(0, 9).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(9)).toEqual([429, 429, 429, 429, 429]);
      // A forged X-Forwarded-For buys no fresh limit: nginx replaces it with the address it saw.
      const forger = new WebClient(nginx.httpsUrl, nginx.tlsCert);
      await forger.get("/api/v1/csrf");
      forger.extraHeaders = { "x-forwarded-for": "203.0.113.9" };
      const forged = await forger.post("/api/v1/auth/login", {
        phone: "13700009999",
        password: "Wrong-Pass-2026",
      });
      expect(forged.status).toBe(429);
    });

    it("sends each queued SMS and each expiry reminder once", async () => {
      const rows = await eventually(30_000, async () => {
        const all = await database.db.selectFrom("sms_outbox").select(["id", "template", "status"]).execute();
        const reminders = all.filter((r) => r.template === "certificate_expiring");
        return reminders.length === 4 && all.every((r) => r.status === "sent") && all;
      });
      expect(rows.filter((r) => r.template === "password_changed")).toHaveLength(30);
      for (const r of rows) expect(sentOutIds.get(r.id), `message ${r.id}`).toBe(1);
      const reminders = await database.db.selectFrom("certificate_reminders").selectAll().execute();
      expect(reminders).toHaveLength(4);
    });

    it("loses and doubles nothing when one instance is killed with -9 amid submissions and payments", async () => {
      const subject = await web.post("/api/v1/subjects", {
        kind: "company",
        name: "福建扩容测试科技有限公司",
        uscc: "91350100M000100Y43",
        legalRep: "张三",
        address: "福建省福州市鼓楼区八一七中路 1 号",
      });
      expect(subject.status).toBe(201);
      const subjectId = subject.json<{ subject: { id: string } }>().subject.id;
      const caTypes = await web.get("/api/v1/catalog/ca-types?kind=company");
      const caTypeId = caTypes.json<{ caTypes: { id: string }[] }>().caTypes[0]!.id;
      const order = () =>
        web.post("/api/v1/orders", {
          business: "new",
          subjectKind: "company",
          handler: { name: "扩容", idNumber: "11010519491231002X", phone: "13800138000" },
          items: [{ subjectId, caTypeId, years: 1, eseal: false }],
          submit: true,
        });
      // Orders to pay: submitted before, then (as a reviewer would) approved for payment.
      const toPay: string[] = [];
      for (let i = 0; i < 12; i++) {
        const r = await order();
        expect(r.status).toBe(201);
        toPay.push(r.json<{ id: string }>().id);
      }
      await database.db
        .updateTable("orders")
        .set({ state: "awaiting_payment" })
        .where("id", "in", toPay)
        .execute();
      const before = await database.db.selectFrom("orders").select("id").execute();

      const submitted: string[] = [];
      let submitFailed = 0;
      const payOutcomes: number[] = [];
      const submitLoop = async (n: number) => {
        for (let i = 0; i < n; i++) {
          const r = await order().catch(() => null);
          if (r?.status === 201) submitted.push(r.json<{ id: string }>().id);
          else submitFailed++;
        }
      };
      const payLoop = async (ids: string[]) => {
        for (const id of ids) {
          const start = await web.post(`/api/v1/orders/${id}/payments/online`).catch(() => null);
          if (start?.status !== 200) continue;
          const { paymentId } = start.json<{ paymentId: string }>();
          // The payer confirms twice (a double click, a retry after a dropped answer).
          for (let k = 0; k < 2; k++) {
            const r = await web
              .send(
                "POST",
                `/sandbox-pay/${paymentId}/confirm`,
                { _csrf: web.cookies.get("certhall_csrf")! },
                true,
              )
              .catch(() => null);
            payOutcomes.push(r?.status ?? 0);
          }
        }
      };
      const killer = (async () => {
        await eventually(60_000, async () => submitted.length >= 10);
        b.child.kill("SIGKILL");
      })();
      await Promise.all([
        submitLoop(20),
        submitLoop(20),
        payLoop(toPay.slice(0, 6)),
        payLoop(toPay.slice(6)),
        killer,
      ]);
      expect(b.child.signalCode).toBe("SIGKILL");

      // Every 2xx is stored once; nothing else appeared but what failed requests may have stored.
      const after = await database.db.selectFrom("orders").select("id").execute();
      const created = after.map((o) => o.id).filter((id) => !before.some((b0) => b0.id === id));
      for (const id of submitted) expect(created.filter((c) => c === id)).toHaveLength(1);
      expect(created.length).toBeGreaterThanOrEqual(submitted.length);
      expect(created.length).toBeLessThanOrEqual(submitted.length + submitFailed);
      expect(submitted.length).toBeGreaterThan(20); // A went on serving after B died

      // Notifications in flight settle (the sandbox retries); no order is paid twice.
      await new Promise((r) => setTimeout(r, 4000));
      const payments = await database.db
        .selectFrom("payments")
        .select(["order_id", "status"])
        .where("order_id", "in", toPay)
        .execute();
      const paidPerOrder = new Map<string, number>();
      for (const p of payments)
        if (p.status === "paid") paidPerOrder.set(p.order_id, (paidPerOrder.get(p.order_id) ?? 0) + 1);
      expect([...paidPerOrder.values()].every((n) => n === 1)).toBe(true);
      expect(paidPerOrder.size).toBeGreaterThan(0);
      const payEvents = await database.db
        .selectFrom("audit_log")
        .select("object_id")
        .where("action", "=", "order.pay")
        .execute();
      for (const id of toPay)
        expect(payEvents.filter((e) => e.object_id === id).length).toBeLessThanOrEqual(1);
      expect(payEvents.length).toBe(paidPerOrder.size);
      const states = await database.db
        .selectFrom("orders")
        .select(["id", "state"])
        .where("id", "in", toPay)
        .execute();
      for (const s of states) expect(s.state === "awaiting_booking").toBe(paidPerOrder.has(s.id));

      const chain = await verifyAuditChain(database.db);
      expect(chain.firstBad).toBeUndefined();
      expect(chain.ok).toBe(true);
    }, 120_000);
  },
);
