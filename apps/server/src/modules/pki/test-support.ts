// Test helpers for the CA module: a bootstrapped CA on a clean database (SQLite, or PostgreSQL when
// DATABASE_URL is set) and the real openssl binary, run asynchronously so it can talk to the app
// listening in the same process. Not imported by production code.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../app";
import type { Config } from "../../config";
import type { DbHandle } from "../../db/database";
import { seedReferenceData } from "../../seed";
import { createTestDatabase } from "../../test/harness";
import { type CaService, createCaService } from "./ca.service";

export interface CaTestApp {
  app: FastifyInstance;
  ca: CaService;
  config: Config;
  database: DbHandle;
  dir: string;
  /** Base URL once `listen()` was called. */
  url: string;
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function createCaTestApp(env: Record<string, string> = {}): Promise<CaTestApp> {
  const { config, database, cleanup } = await createTestDatabase({
    PUBLIC_URL: "http://ca.test.example",
    CA_SERVICE_TOKEN: TEST_SERVICE_TOKEN,
    ...env,
  });
  await seedReferenceData(database.db, () => new Date());
  const ca = createCaService({ db: database.db, clock: () => new Date(), config });
  await ca.bootstrap();
  const app = await buildApp({ config, database, ca, webDist: null });
  await app.ready();
  const dir = mkdtempSync(path.join(os.tmpdir(), "certhall-ca-"));
  const t: CaTestApp = {
    app,
    ca,
    config,
    database,
    dir,
    url: "",
    async listen() {
      t.url = await app.listen({ port: 0, host: "127.0.0.1" });
      return t.url;
    },
    async close() {
      await app.close();
      ca.close();
      await cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

export const TEST_SERVICE_TOKEN = "test-service-token-0123456789abcdef-XYZ";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  out: string;
}

/** Runs openssl without blocking the event loop (the app under test may be serving it). */
export function openssl(args: string[], cwd: string, input?: string | Buffer): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "openssl",
      args,
      { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof (err as { code?: unknown }).code !== "number") return reject(err);
        const code = err ? Number((err as { code?: number }).code) : 0;
        resolve({ code, stdout, stderr, out: stdout + stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

export async function opensslOk(args: string[], cwd: string, input?: string | Buffer): Promise<string> {
  const r = await openssl(args, cwd, input);
  if (r.code !== 0) throw new Error(`openssl ${args.join(" ")} failed (${r.code}):\n${r.out}`);
  return r.stdout;
}

export type KeyKind = "p256" | "rsa1024" | "rsa2048" | "sm2";

/** Key with `openssl genpkey`, CSR with `openssl req`; returns the CSR PEM (key in {name}.key). */
export async function makeCsr(
  dir: string,
  kind: KeyKind,
  name: string,
  subj = "/CN=ignored",
): Promise<string> {
  const gen: Record<KeyKind, string[]> = {
    p256: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    sm2: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2"],
    rsa1024: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
    rsa2048: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
  };
  await opensslOk(["genpkey", ...gen[kind], "-out", `${name}.key`], dir);
  const sig = kind === "sm2" ? ["-sm3", "-sigopt", "distid:1234567812345678"] : [];
  await opensslOk(
    ["req", "-new", "-utf8", "-key", `${name}.key`, "-subj", subj, ...sig, "-out", `${name}.csr`],
    dir,
  );
  return readFileSync(path.join(dir, `${name}.csr`), "utf8");
}

export function write(dir: string, name: string, data: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, data);
  return file;
}

export function derToPem(der: Buffer, label: string): string {
  const b64 = der.toString("base64").replace(/.{64}/g, "$&\n");
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith("\n") ? "" : "\n"}-----END ${label}-----\n`;
}

/** A valid enterprise subject (USCC with a correct GB 32100 check character). */
export const ENTERPRISE = { kind: "enterprise", name: "三明市测试科技有限公司", uscc: "91350400MA2Y3Q4K5C" };
