import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "./app";
import { redactSecretPaths } from "./lib/log-url";
import { Client, createTestApp, createTestDatabase, type TestApp } from "./test/harness";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ demo: false });
});
afterAll(async () => {
  await t.close();
});

describe("GET /api/health", () => {
  it("answers ok with the database engine in use", async () => {
    const res = await new Client(t.app).get("/api/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok", db: process.env.DATABASE_URL ? "postgres" : "sqlite" });
  });
});

describe("errors are problem+json, never a stack trace", () => {
  it("answers an unknown API path with a 404 problem", async () => {
    const res = await new Client(t.app).get("/api/v1/nope");
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.body).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });

  it("answers malformed JSON with a 400 naming the body", async () => {
    const c = new Client(t.app);
    const res = await c.request("POST", "/api/v1/auth/login", "{not json", {
      "content-type": "application/json",
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "VALIDATION_FAILED", field: "body" });
  });

  it("names every missing field in Chinese", async () => {
    const res = await new Client(t.app).post("/api/v1/auth/register", {});
    expect(res.status).toBe(400);
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(["code", "password", "phone"]);
    expect(res.body.errors.find((e: { field: string }) => e.field === "code").message).toBe("请填写验证码");
  });

  it("hides internal errors behind a generic 500 and logs them with the request id", async () => {
    const { config, database, cleanup } = await createTestDatabase();
    const lines: string[] = [];
    const logStream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const app = await buildApp({
      config: { ...config, logLevel: "info" },
      database,
      webDist: null,
      logStream,
    });
    app.get("/api/boom", async () => {
      throw new Error("SELECT secret FROM internals failed at line 42");
    });
    await app.ready();
    const res = await app.inject({ method: "GET", url: "/api/boom" });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("SELECT");
    expect(res.body).not.toContain("at line");
    expect(JSON.parse(res.body)).toMatchObject({ code: "INTERNAL", detail: "服务器内部错误，请稍后重试" });
    expect(lines.join("")).toContain("SELECT secret");
    expect(lines.join("")).toContain(res.headers["x-request-id"]);
    await app.close();
    await cleanup();
  });
});

describe("logs", () => {
  it("redact phones, ID numbers, passwords, codes and cookies", async () => {
    const { config, database, cleanup } = await createTestDatabase();
    const lines: string[] = [];
    const logStream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const app = await buildApp({
      config: { ...config, logLevel: "info" },
      database,
      webDist: null,
      logStream,
    });
    app.log.info(
      {
        user: { phone: "13800138000", idNumber: "11010519491231002X", password: "Secret-1", code: "123456" },
      },
      "x",
    );
    await app.inject({
      method: "GET",
      url: "/api/health",
      headers: { cookie: "certhall_sid=topsecretcookie" },
    });
    // Search terms in URLs (the workbench's and the lists' q) are personal data too.
    await app.inject({ method: "GET", url: "/api/v1/admin/workbench/find?q=13900139000" });
    await app.inject({ method: "GET", url: "/api/v1/orders?limit=5&q=350102199001011234&state=draft" });
    const out = lines.join("");
    for (const secret of [
      "13800138000",
      "11010519491231002X",
      "Secret-1",
      "123456",
      "topsecretcookie",
      "13900139000",
      "350102199001011234",
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain("[redacted]");
    expect(out).toContain("/api/v1/orders?limit=5&q=[redacted]&state=draft");
    await app.close();
    await cleanup();
  });
});

describe("redactSecretPaths", () => {
  it("hides the capability in a URL's path and keeps the rest", () => {
    expect(redactSecretPaths("/api/v1/online-update/ABCDEFGH")).toBe("/api/v1/online-update/[redacted]");
    expect(redactSecretPaths("/api/v1/unlock/ABC/done?x=1")).toBe("/api/v1/unlock/[redacted]/done?x=1");
    expect(redactSecretPaths("/api/v1/unlock/done")).toBe("/api/v1/unlock/done");
    expect(redactSecretPaths("/api/v1/verify/CH1.abcdef")).toBe("/api/v1/verify/[redacted]");
    expect(redactSecretPaths("/sandbox-pay/6f1c/confirm")).toBe("/sandbox-pay/[redacted]/confirm");
    expect(redactSecretPaths("/api/v1/orders/1/items/2/online-update")).toBe(
      "/api/v1/orders/1/items/2/online-update",
    );
    expect(redactSecretPaths("/api/v1/admin/orders/1/items/2/unlock-code")).toBe(
      "/api/v1/admin/orders/1/items/2/unlock-code",
    );
  });
});

describe("OpenAPI", () => {
  it("documents every route at /api/docs", async () => {
    const res = await new Client(t.app).get("/api/docs/json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/auth/register",
        "/api/v1/admin/staff",
        "/api/v1/windows",
        "/api/health",
      ]),
    );
    const ui = await t.app.inject({ method: "GET", url: "/api/docs/" });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain("swagger");
  });
});

describe("the web app", () => {
  it("is served with a single-page fallback and security headers, while /api stays JSON", async () => {
    const dist = mkdtempSync(path.join(os.tmpdir(), "certhall-web-"));
    writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>certhall</title>");
    const app = await buildApp({ config: t.config, database: t.database, webDist: dist });
    await app.ready();
    const page = await app.inject({ method: "GET", url: "/admin/staff" });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<title>certhall</title>");
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
    // 证书助手 on this computer's loopback is the one other address pages may call.
    expect(page.headers["content-security-policy"]).toContain("connect-src 'self' http://127.0.0.1:*;");
    expect(page.headers["x-frame-options"]).toBe("DENY");
    const asset = await app.inject({ method: "GET", url: "/assets/index-gone.js" });
    expect(asset.statusCode).toBe(404);
    const api = await app.inject({ method: "GET", url: "/api/v1/missing" });
    expect(api.statusCode).toBe(404);
    expect(api.headers["content-type"]).toContain("problem+json");
    await app.close();
  });
});

describe("the dev SMS outbox", () => {
  it("does not exist unless SMS_PROVIDER is dev", async () => {
    expect((await new Client(t.app).get("/api/v1/dev/sms-outbox")).status).toBe(200);
    const prod = await buildApp({
      config: { ...t.config, sms: { ...t.config.sms, provider: "aliyun" } },
      database: t.database,
      webDist: null,
    });
    await prod.ready();
    expect((await prod.inject({ method: "GET", url: "/api/v1/dev/sms-outbox" })).statusCode).toBe(404);
    await prod.close();
  });

  it("does not exist in production even when SMS_PROVIDER is left at its dev default", async () => {
    // SMS_PROVIDER defaults to dev in every environment: a production deploy that forgets it must not
    // publish every verification code (anyone could then register or reset any phone's password).
    const prod = await buildApp({
      config: { ...t.config, env: "production" },
      database: t.database,
      webDist: null,
    });
    await prod.ready();
    expect(prod.hasRoute({ method: "GET", url: "/api/v1/dev/sms-outbox" })).toBe(false);
    expect((await prod.inject({ method: "GET", url: "/api/v1/dev/sms-outbox" })).statusCode).toBe(404);
    await prod.close();
  });
});

describe("the tighter per-route rate limits", () => {
  // POST /auth/sms-codes allows 5 a minute per address; each try below uses a fresh phone, so only the
  // route's limit can refuse it.
  async function codesAccepted(app: TestApp, tries: number): Promise<number[]> {
    const c = new Client(app.app);
    const statuses: number[] = [];
    for (let i = 0; i < tries; i++) {
      const phone = `1371234${String(i).padStart(4, "0")}`;
      statuses.push((await c.post("/api/v1/auth/sms-codes", { phone, purpose: "register" })).status);
    }
    return statuses;
  }

  it("refuses the sixth SMS code request of a minute from one address", async () => {
    const fresh = await createTestApp({ demo: false });
    try {
      const statuses = await codesAccepted(fresh, 6);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses[5]).toBe(429);
    } finally {
      await fresh.close();
    }
  });

  it("scales by RATE_LIMIT_STRICT_FACTOR for a test suite whose clients share one address", async () => {
    const scaled = await createTestApp({ demo: false, env: { RATE_LIMIT_STRICT_FACTOR: "2" } });
    try {
      const statuses = await codesAccepted(scaled, 11);
      expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
      expect(statuses[10]).toBe(429);
    } finally {
      await scaled.close();
    }
  });
});
