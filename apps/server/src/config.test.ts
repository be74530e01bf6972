import { mkdtempSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "certhall-config-"));

describe("loadConfig", () => {
  it("defaults to SQLite in DATA_DIR, port 3000 and the dev SMS outbox", () => {
    const dir = tmp();
    const c = loadConfig({ DATA_DIR: dir });
    expect(c.port).toBe(3000);
    expect(c.database).toEqual({ kind: "sqlite", file: path.join(dir, "certhall.db") });
    expect(c.sms.provider).toBe("dev");
    expect(c.publicUrl).toBe("http://localhost:3000");
    expect(c.seedDemo).toBe(true);
  });

  it("generates a development secret readable only by its owner", () => {
    const dir = tmp();
    const a = loadConfig({ DATA_DIR: dir });
    const b = loadConfig({ DATA_DIR: dir });
    expect(a.secretKey.equals(b.secretKey)).toBe(true);
    expect(statSync(path.join(dir, "secret.key")).mode & 0o777).toBe(0o600);
  });

  it("keeps the audit key outside the database: generated 0600 in development, required in production", () => {
    const dir = tmp();
    const a = loadConfig({ DATA_DIR: dir });
    expect(a.audit.key).toHaveLength(32);
    expect(loadConfig({ DATA_DIR: dir }).audit.key.equals(a.audit.key)).toBe(true);
    expect(statSync(path.join(dir, "audit.key")).mode & 0o777).toBe(0o600);
    expect(a.audit.anchorDir).toBe(path.join(dir, "audit-anchors"));
    const production = {
      NODE_ENV: "production",
      DATA_DIR: tmp(),
      SECRET_KEY: "s".repeat(40),
      CA_MASTER_KEY: "ab".repeat(32),
    };
    expect(() => loadConfig(production)).toThrow(/AUDIT_KEY/);
    expect(() => loadConfig({ ...production, AUDIT_KEY: "short" })).toThrow(/AUDIT_KEY/);
    const c = loadConfig({ ...production, AUDIT_KEY: "cd".repeat(32), AUDIT_ANCHOR_DIR: "/var/anchors" });
    expect(c.audit.key.toString("hex")).toBe("cd".repeat(32));
    expect(c.audit.anchorDir).toBe("/var/anchors");
  });

  it("refuses to start in production without SECRET_KEY", () => {
    expect(() => loadConfig({ NODE_ENV: "production", DATA_DIR: tmp() })).toThrow(/SECRET_KEY/);
  });

  it("refuses to loosen the login and SMS-code limits in production", () => {
    const production = {
      NODE_ENV: "production",
      DATA_DIR: tmp(),
      SECRET_KEY: "s".repeat(40),
      CA_MASTER_KEY: "ab".repeat(32),
      AUDIT_KEY: "cd".repeat(32),
    };
    expect(() => loadConfig({ ...production, RATE_LIMIT_STRICT_FACTOR: "20" })).toThrow(
      /RATE_LIMIT_STRICT_FACTOR/,
    );
    expect(loadConfig({ DATA_DIR: tmp(), RATE_LIMIT_STRICT_FACTOR: "20" }).rateLimitStrictFactor).toBe(20);
  });

  it("refuses the Aliyun provider without its keys, and a bad port", () => {
    expect(() => loadConfig({ DATA_DIR: tmp(), SMS_PROVIDER: "aliyun" })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: tmp(), PORT: "http" })).toThrow(/PORT/);
  });

  it("uses PostgreSQL when DATABASE_URL is set", () => {
    const c = loadConfig({ DATA_DIR: tmp(), DATABASE_URL: "postgres://u@h/db" });
    expect(c.database).toEqual({ kind: "postgres", url: "postgres://u@h/db", schema: undefined });
  });
});
