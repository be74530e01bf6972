import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, type KyselyPlugin, PostgresDialect, SqliteDialect, type Transaction } from "kysely";
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

/**
 * The audit chain's HMAC key travels with the database handle: a plugin that changes no query, so
 * every transaction made from the handle (`trx.getExecutor().plugins`) can append keyed audit entries
 * without each service being handed the key. The key itself never goes into the database.
 */
export class AuditKeyCarrier implements KyselyPlugin {
  constructor(readonly key: Buffer) {}
  transformQuery: KyselyPlugin["transformQuery"] = (args) => args.node;
  transformResult: KyselyPlugin["transformResult"] = async (args) => args.result;
}

/** The audit key of a database or transaction handle (the newest carrier wins, so a test can swap it). */
export function auditKeyOf(db: Db | Trx): Buffer {
  const carriers = db.getExecutor().plugins.filter((p) => p instanceof AuditKeyCarrier);
  const carrier = carriers.at(-1);
  if (!carrier) throw new Error("database handle opened without the audit key (openDatabase)");
  return carrier.key;
}

/**
 * SQLite keeps personal data and sealed keys: its folder is owner-only (0700), the database file too
 * (0600). SQLite creates the -wal and -shm files with the database file's mode; existing ones (a
 * database made by an earlier version) are tightened here as well.
 */
function ownerOnlySqliteFiles(file: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (!existsSync(file)) closeSync(openSync(file, "a", 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

export function openDatabase(config: Pick<Config, "database" | "audit">): DbHandle {
  const c = config.database;
  const plugins = [new AuditKeyCarrier(config.audit.key)];
  if (c.kind === "sqlite") {
    ownerOnlySqliteFiles(c.file);
    const sqlite = new SQLite(c.file);
    // WAL: readers do not block the writer; NORMAL sync is durable across app crashes in WAL mode.
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), plugins });
    return { db, kind: "sqlite", close: () => db.destroy() };
  }
  const pool = new pg.Pool({
    connectionString: c.url,
    max: 10,
    ...(c.schema ? { options: `-c search_path=${c.schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins });
  return { db, kind: "postgres", close: () => db.destroy() };
}
