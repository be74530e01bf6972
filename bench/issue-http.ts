// Benchmark: certificates issued per second through certhall's whole HTTP path — POST
// /api/v1/pki/issue with a CSR and the service token → proof-of-possession check → sign → stored
// (certificate row + pre-signed OCSP response) → audit entry → JSON response — against cfssl's
// `cfssl serve` /api/v1/cfssl/sign (Debian golang-cfssl, P-256 CA), both loaded by the same client
// (http-load.ts) with the same CSRs and concurrency in one run, and node:crypto's bare ECDSA P-256
// sign on one core as the limit. The real server runs as its own process (SQLite in a temp
// DATA_DIR, or PostgreSQL with --db=postgres and DATABASE_URL).
//
// What limits certhall here (profiled with --profile): one event loop does HTTP + Fastify hooks + zod,
// the CSR's DER parse and the import of its public key (about half a millisecond: the EC point check,
// even though node:crypto then verifies on libuv's pool), TBS assembly and lint, the OCSP pre-sign,
// and the database. The writes are grouped: one transaction per batch of concurrent issuances, one
// multi-row INSERT per table and one audit-chain step for the batch (each entry still hashed on its
// own). Signatures are made on libuv's thread pool. A worker_threads pool for the signature checks was
// tried: it took ~100 µs per request off the event loop but lost more to message passing and to its
// two threads against libuv's four, on 2 cores, so it is not used. cfssl signs and answers on all
// cores with no database or audit log; several Node processes (node:cluster) are the way to match it.
//
//   npm run bench:issue -- [--seconds=10] [--concurrency=32] [--db=sqlite|postgres] [--profile=DIR]
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createCsr, generateKeyPair, localSigner } from "@certhall/pki";
import { runBenchCeremony } from "./ca-ceremony";
import { type HttpLoadResult, httpLoad, printHttpLoad, waitFor } from "./http-load";
import { arg } from "./measure";

const seconds = Number(arg("seconds", "10"));
const concurrency = Number(arg("concurrency", "32"));
const dbKind = arg("db", "sqlite");
const root = path.resolve(import.meta.dirname, "..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "certhall-bench-issue-"));
const children: ChildProcess[] = [];
const stop = () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
};
process.on("exit", stop);
process.on("SIGINT", () => process.exit(130));

// 1. CSRs from 256 distinct P-256 keys, shared by both sides.
const csrs: string[] = [];
for (let i = 0; i < 256; i++) {
  const signer = localSigner(generateKeyPair("ecdsa-p256").pkcs8);
  const dn = [
    { type: "C" as const, value: "CN" },
    { type: "CN" as const, value: `bench-${i}` },
  ];
  csrs.push((await createCsr(dn, signer)).pem);
}

async function measure(
  name: string,
  url: string,
  headers: Record<string, string>,
  body: (n: number) => string,
  check: (s: number, b: Buffer) => string | undefined,
): Promise<HttpLoadResult> {
  await httpLoad({ name, url, concurrency, seconds: 1, headers, body, check }); // warm-up
  return httpLoad({ name, url, concurrency, seconds, headers, body, check });
}

const results: HttpLoadResult[] = [];

// 2. cfssl serve with a P-256 CA.
{
  const init = JSON.parse(
    execFileSync("cfssl", ["gencert", "-initca", "-"], {
      input: JSON.stringify({
        CN: "cfssl bench CA",
        key: { algo: "ecdsa", size: 256 },
        names: [{ C: "CN" }],
      }),
      stdio: ["pipe", "pipe", "ignore"],
    }).toString(),
  ) as { cert: string; key: string };
  fs.writeFileSync(path.join(dir, "ca.pem"), init.cert);
  fs.writeFileSync(path.join(dir, "ca-key.pem"), init.key);
  fs.writeFileSync(
    path.join(dir, "config.json"),
    JSON.stringify({
      signing: { default: { expiry: "8760h", usages: ["digital signature", "client auth"] } },
    }),
  );
  const port = 18781;
  const cfssl = spawn(
    "cfssl",
    [
      "serve",
      "-address",
      "127.0.0.1",
      "-port",
      String(port),
      "-ca",
      "ca.pem",
      "-ca-key",
      "ca-key.pem",
      "-config",
      "config.json",
      "-loglevel",
      "5",
    ],
    { cwd: dir, stdio: "ignore" },
  );
  children.push(cfssl);
  const url = `http://127.0.0.1:${port}/api/v1/cfssl/sign`;
  const headers = { "content-type": "application/json" };
  const body = (n: number) => JSON.stringify({ certificate_request: csrs[n % csrs.length] });
  const check = (status: number, b: Buffer) => {
    if (status !== 200) return `HTTP ${status}: ${b.toString().slice(0, 200)}`;
    const j = JSON.parse(b.toString()) as { success?: boolean; result?: { certificate?: string } };
    return j.success && j.result?.certificate?.startsWith("-----BEGIN CERTIFICATE-----")
      ? undefined
      : b.toString().slice(0, 200);
  };
  await waitFor(
    async () => {
      const r = await fetch(url, { method: "POST", headers, body: body(0) });
      return check(r.status, Buffer.from(await r.arrayBuffer())) === undefined;
    },
    30_000,
    () => cfssl.exitCode !== null,
  );
  results.push(await measure("cfssl serve /api/v1/cfssl/sign", url, headers, body, check));
  cfssl.kill("SIGTERM");
}

// 3. The certhall server, production mode, its own process.
{
  const port = 18782;
  const token = crypto.randomBytes(32).toString("base64url");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: path.join(dir, "data"),
    LOG_LEVEL: "warn",
    SECRET_KEY: crypto.randomBytes(32).toString("hex"),
    CA_MASTER_KEY: crypto.randomBytes(32).toString("hex"),
    AUDIT_KEY: crypto.randomBytes(32).toString("hex"),
    CA_SERVICE_TOKEN: token,
    SEED_DEMO: "false",
    ...(dbKind === "postgres" && process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  };
  if (dbKind === "postgres") {
    if (!process.env.DATABASE_URL) throw new Error("--db=postgres needs DATABASE_URL");
    const schema = `bench_${process.pid}`;
    execFileSync("psql", [process.env.DATABASE_URL, "-qc", `create schema ${schema}`]);
    env.DATABASE_SCHEMA = schema;
    process.on("exit", () => {
      try {
        execFileSync("psql", [process.env.DATABASE_URL!, "-qc", `drop schema ${schema} cascade`], {
          stdio: "ignore",
        });
      } catch {}
    });
  }
  await runBenchCeremony(env, path.join(dir, "offline"));
  // --profile=DIR: the server writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
  const profile = arg("profile", "");
  const prof = profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(profile)}`] : [];
  const server = spawn(
    process.execPath,
    [...prof, "--import", "tsx", path.join(root, "apps/server/src/main.ts")],
    {
      cwd: path.join(root, "apps/server"),
      env,
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  children.push(server);
  const url = `http://127.0.0.1:${port}/api/v1/pki/issue`;
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
  const subject = { kind: "enterprise", name: "三明市基准测试有限公司", uscc: "91350400MA2Y3Q4K5C" };
  const body = (n: number) =>
    JSON.stringify({ csrPem: csrs[n % csrs.length], profile: "enterprise-sign", subject });
  const check = (status: number, b: Buffer) => {
    if (status !== 201) return `HTTP ${status}: ${b.toString().slice(0, 200)}`;
    const j = JSON.parse(b.toString()) as { certificatePem?: string; serialHex?: string };
    return j.certificatePem?.startsWith("-----BEGIN CERTIFICATE-----") && j.serialHex
      ? undefined
      : b.toString().slice(0, 200);
  };
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${port}/api/health`)).ok,
    60_000,
    () => server.exitCode !== null,
  );
  results.push(
    await measure(`certhall POST /api/v1/pki/issue (${dbKind}, audit)`, url, headers, body, check),
  );
  // Everything the load issued is really stored, each with its audit entry.
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
}

// 4. The limit: node:crypto ECDSA P-256 sign of a certificate-sized TBS on one core.
const key = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
const tbs = crypto.randomBytes(420);
let ops = 0;
const t0 = performance.now();
while (performance.now() - t0 < 3000) {
  for (let i = 0; i < 16; i++) crypto.sign("sha256", tbs, key);
  ops += 16;
}
const rawRate = ops / ((performance.now() - t0) / 1000);

const [cfssl, certhall] = results as [HttpLoadResult, HttpLoadResult];
console.log(`\nissue-http: ${concurrency} concurrent clients, ${seconds}s each, ${os.cpus().length} CPUs`);
printHttpLoad(results);
console.log(`  ${"node:crypto sign P-256, 1 core (limit)".padEnd(40)}  ${rawRate.toFixed(0).padStart(6)}/s`);
console.log(`\ncerthall vs raw sign (1 core): ${(certhall.perSecond / rawRate).toFixed(3)}`);
stop();
fs.rmSync(dir, { recursive: true, force: true });
console.log(`ratio_vs_cfssl=${(certhall.perSecond / cfssl.perSecond).toFixed(2)}`);
