import { mkdirSync } from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from "kysely";
import pg from "pg";
import type { Config } from "../config";
import type { Database } from "./tables";

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
export type DbKind = "sqlite" | "postgres";

export interface DbHandle {
  db: Db;
  kind: DbKind;
  close(): Promise<void>;
}

export function openDatabase(config: Pick<Config, "database">): DbHandle {
  const c = config.database;
  if (c.kind === "sqlite") {
    mkdirSync(path.dirname(c.file), { recursive: true });
    const sqlite = new SQLite(c.file);
    // WAL: readers do not block the writer; NORMAL sync is durable across app crashes in WAL mode.
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    return { db, kind: "sqlite", close: () => db.destroy() };
  }
  const pool = new pg.Pool({
    connectionString: c.url,
    max: 10,
    ...(c.schema ? { options: `-c search_path=${c.schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: "postgres", close: () => db.destroy() };
}
