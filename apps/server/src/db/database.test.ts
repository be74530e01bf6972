import { chmodSync, existsSync, mkdtempSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config";
import { openDatabase } from "./database";
import { migrateToLatest } from "./migrate";

const mode = (file: string) => statSync(file).mode & 0o777;

// SQLite only: PostgreSQL keeps its files itself (the engine under test there has none of ours).
describe.skipIf(Boolean(process.env.DATABASE_URL))("SQLite files", () => {
  it("are owner-only: the data folder 0700, the database and its WAL and SHM files 0600", async () => {
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), "certhall-db-")), "data");
    const config = loadConfig({ NODE_ENV: "test", DATA_DIR: dataDir, SECRET_KEY: "s".repeat(40) });
    const handle = openDatabase(config as never);
    await migrateToLatest(handle.db);
    const file = path.join(dataDir, "certhall.db");
    expect(existsSync(`${file}-wal`)).toBe(true);
    expect([mode(dataDir), mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual([
      0o700, 0o600, 0o600, 0o600,
    ]);
    await handle.close();
  });

  it("tightens the files of a database made by an earlier version (0644 in a 0755 folder)", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "certhall-db-"));
    const config = loadConfig({ NODE_ENV: "test", DATA_DIR: dataDir, SECRET_KEY: "s".repeat(40) });
    const first = openDatabase(config as never);
    await migrateToLatest(first.db);
    await first.close();
    const file = path.join(dataDir, "certhall.db");
    chmodSync(dataDir, 0o755);
    chmodSync(file, 0o644);
    const again = openDatabase(config as never);
    await again.db.selectFrom("audit_head").selectAll().execute();
    expect([mode(dataDir), mode(file)]).toEqual([0o700, 0o600]);
    await again.close();
  });
});
