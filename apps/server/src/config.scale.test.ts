import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config";

const dir = () => mkdtempSync(path.join(os.tmpdir(), "certhall-config-"));
const PG = "postgres://postgres@127.0.0.1:5432/x";

describe("WORKERS and REDIS_URL", () => {
  it("is one process without Redis by default", () => {
    expect(loadConfig({ DATA_DIR: dir() }).scale).toEqual({ workers: 1, redis: null });
  });

  it("refuses several workers on SQLite, saying why", () => {
    expect(() => loadConfig({ DATA_DIR: dir(), WORKERS: "2", REDIS_URL: "redis://127.0.0.1:6379" })).toThrow(
      /WORKERS=2 needs PostgreSQL \(DATABASE_URL\): SQLite is the embedded database of one process/,
    );
  });

  it("refuses several workers without Redis, saying why", () => {
    expect(() => loadConfig({ DATA_DIR: dir(), WORKERS: "3", DATABASE_URL: PG })).toThrow(
      /WORKERS=3 needs REDIS_URL: the instances must share their rate limits/,
    );
  });

  it("takes auto as one worker per core, and a key prefix for Redis", () => {
    const c = loadConfig({
      DATA_DIR: dir(),
      WORKERS: "auto",
      DATABASE_URL: PG,
      REDIS_URL: "redis://127.0.0.1:6379/2",
      REDIS_KEY_PREFIX: "ca-a:",
    });
    expect(c.scale.workers).toBe(os.availableParallelism());
    expect(c.scale.redis).toEqual({ url: "redis://127.0.0.1:6379/2", prefix: "ca-a:" });
  });

  it("names the bad variable", () => {
    expect(() => loadConfig({ DATA_DIR: dir(), WORKERS: "zero" })).toThrow(/WORKERS/);
    expect(() => loadConfig({ DATA_DIR: dir(), REDIS_URL: "http://x" })).toThrow(/REDIS_URL/);
  });
});
