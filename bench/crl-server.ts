// Benchmark: publishing a CRL with 100,000 revoked entries through certhall's CA service — read the
// revoked rows from the database, build and sign the CRL, store it with its audit entry — against
// `openssl ca -gencrl` over the same entries (its index.txt) and the same P-256 issuing key. Then
// revocations at that size (DESIGN §10): each answers in the time of one row (status + audit + OCSP
// re-signed, one transaction), OCSP says revoked as soon as it returns, and the CRL re-signed in the
// background lists it within the limit. Printed as figures against the goals, never asserted in a test.
// (bench/crl.ts, `npm run bench:crl -w bench`, compares the library's buildCrl alone.)
//
//   npm run bench:crl -- [--entries=100000] [--runs=3] [--revocations=40] [--db=sqlite|postgres]
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildCertId, createCsr, generateKeyPair, localSigner, openKey, toPem } from "@certhall/pki";
import { loadConfig } from "../apps/server/src/config";
import { bootstrapCa, openPreparedDatabase } from "../apps/server/src/runtime";
import { runBenchCeremony } from "./ca-ceremony";
import { arg } from "./measure";

const count = Number(arg("entries", "100000"));
const runs = Number(arg("runs", "3"));
const dbKind = arg("db", "sqlite");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "certhall-bench-crl-server-"));
let schema: string | undefined;
if (dbKind === "postgres") {
  if (!process.env.DATABASE_URL) throw new Error("--db=postgres needs DATABASE_URL");
  schema = `bench_crl_${process.pid}`;
  execFileSync("psql", [process.env.DATABASE_URL, "-qc", `create schema ${schema}`]);
}
const env: NodeJS.ProcessEnv = {
  NODE_ENV: "production",
  DATA_DIR: dir,
  LOG_LEVEL: "silent",
  SECRET_KEY: crypto.randomBytes(32).toString("hex"),
  CA_MASTER_KEY: crypto.randomBytes(32).toString("hex"),
  AUDIT_KEY: crypto.randomBytes(32).toString("hex"),
  SEED_DEMO: "false",
  ...(schema ? { DATABASE_URL: process.env.DATABASE_URL, DATABASE_SCHEMA: schema } : {}),
  // e.g. CRL_COALESCE_MS=60000 times the revocations with no background signing in between.
  ...(process.env.CRL_COALESCE_MS ? { CRL_COALESCE_MS: process.env.CRL_COALESCE_MS } : {}),
};
await runBenchCeremony(env, `${dir}-offline`);
const config = loadConfig(env);
const database = await openPreparedDatabase(config);
const ca = await bootstrapCa(config, database);
const issuing = ca.issuing();

/** A one-CertID OCSPRequest (RFC 6960 4.1.1) for `serialHex`, answered by the CA service directly. */
function derSeq(...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([0x30, ...len]), body]);
}
async function ocspSaysRevoked(serialHex: string): Promise<boolean> {
  const certId = buildCertId(issuing.certDer, serialHex, "sha1");
  const answer = await ca.ocsp(derSeq(derSeq(derSeq(derSeq(certId.raw)))));
  // SingleResponse: the CertID, then certStatus: [0] good, [1] revoked, [2] unknown.
  const at = answer.der.indexOf(certId.raw);
  return at >= 0 && answer.der[at + certId.raw.length] === 0xa1;
}
/** Whether the DER CRL holds the serial's INTEGER (a bench check; openssl reads the whole CRL below). */
function crlListsSerial(der: Buffer, serialHex: string): boolean {
  const serial = Buffer.from(serialHex.length % 2 ? `0${serialHex}` : serialHex, "hex");
  const integer = serial[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), serial]) : serial;
  return der.includes(Buffer.concat([Buffer.from([0x02, integer.length]), integer]));
}

// 1. 100,000 revoked certificates in the database (rows only; the CRL needs serial, time, reason).
const reasons = ["keyCompromise", "superseded", "cessationOfOperation", "unspecified"];
const lines: string[] = [];
const ymd = (d: Date) => `${d.toISOString().replace(/[-:T]/g, "").slice(2, 14)}Z`;
let t = performance.now();
for (let i = 0; i < count; i += 1000) {
  const rows = [];
  for (let k = i; k < Math.min(count, i + 1000); k++) {
    const serial = crypto.randomBytes(16);
    serial[0] = (serial[0]! & 0x7f) | 0x10;
    const serialHex = serial.toString("hex");
    const revokedAt = new Date(Date.UTC(2026, 0, 1) + k * 30_000);
    const reason = reasons[k % reasons.length]!;
    rows.push({
      serial_hex: serialHex,
      ca_id: issuing.id,
      subject: `CN=x${k}`,
      profile: "enterprise-sign",
      key_name: "ecdsa-p256",
      subject_key_id: "00",
      not_before: "2026-01-01T00:00:00.000Z",
      not_after: "2027-01-01T00:00:00.000Z",
      cert_der: "",
      status: "revoked" as const,
      revoked_at: revokedAt.toISOString(),
      revocation_reason: reason,
      invalidity_date: null,
      account_id: null,
      order_id: null,
      created_at: "2026-01-01T00:00:00.000Z",
    });
    const rev = reason === "unspecified" ? ymd(revokedAt) : `${ymd(revokedAt)},${reason}`;
    lines.push(
      `R\t${ymd(new Date(Date.UTC(2027, 0, 1)))}\t${rev}\t${serialHex.toUpperCase()}\tunknown\t/CN=x${k}`,
    );
  }
  await database.db.insertInto("pki_certificates").values(rows).execute();
}
const loadMs = performance.now() - t;

// 2. openssl ca over the same list, same key.
const [row] = await database.db
  .selectFrom("pki_cas")
  .select("key_sealed")
  .where("id", "=", issuing.id)
  .execute();
const pkcs8 = openKey(Buffer.from(row!.key_sealed!, "base64"), config.ca.masterKey);
fs.writeFileSync(path.join(dir, "index.txt"), `${lines.join("\n")}\n`);
fs.writeFileSync(path.join(dir, "index.txt.attr"), "unique_subject = no\n");
fs.writeFileSync(path.join(dir, "crlnumber"), "01\n");
fs.writeFileSync(path.join(dir, "ca.pem"), issuing.certPem);
fs.writeFileSync(path.join(dir, "ca.key"), toPem(pkcs8, "PRIVATE KEY"), { mode: 0o600 });
fs.writeFileSync(
  path.join(dir, "ca.cnf"),
  "[ca]\ndefault_ca = bench\n[bench]\ndir = .\ndatabase = index.txt\ncrlnumber = crlnumber\ncertificate = ca.pem\nprivate_key = ca.key\ndefault_md = sha256\ndefault_crl_days = 1\ncrl_extensions = crl_ext\n[crl_ext]\nauthorityKeyIdentifier = keyid:always\n",
);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const ours: number[] = [];
const theirs: number[] = [];
let crlDer: Buffer = Buffer.alloc(0);
for (let r = 0; r < runs; r++) {
  t = performance.now();
  crlDer = (await ca.generateCrl(issuing.slug)).der;
  ours.push(performance.now() - t);
  t = performance.now();
  execFileSync("openssl", ["ca", "-gencrl", "-config", "ca.cnf", "-out", "openssl.crl"], {
    cwd: dir,
    stdio: ["ignore", "ignore", "pipe"],
  });
  theirs.push(performance.now() - t);
}

// 3. Revocations at this size, one after another: each timed until it returns; OCSP asked at once.
const revocations = Number(arg("revocations", "40"));
const actor = { type: "system" as const, id: "bench" };
const serials: string[] = [];
for (let i = 0; i < revocations; i++) {
  const csrPem = (
    await createCsr([{ type: "CN", value: `r${i}` }], localSigner(generateKeyPair("ecdsa-p256").pkcs8))
  ).pem;
  const cert = await ca.issue(actor, {
    csrPem,
    profile: "enterprise-sign",
    subject: { kind: "enterprise", name: "三明市基准测试有限公司", uscc: "91350400MA2Y3Q4K5C" },
  });
  serials.push(cert.serialHex);
}
await ca.flushCrls();
const crlsBefore = (
  await database.db.selectFrom("pki_crls").select("id").where("ca_id", "=", issuing.id).execute()
).length;
const revokeMs: number[] = [];
let ocspRevoked = 0;
const lastAt = { t: 0 };
for (const serialHex of serials) {
  t = performance.now();
  await ca.revoke(actor, { serialHex, reason: "keyCompromise" });
  revokeMs.push(performance.now() - t);
  lastAt.t = performance.now();
  if (await ocspSaysRevoked(serialHex)) ocspRevoked++;
}
// The background CRL: how long after the last revocation returned until the served CRL lists it.
const lastSerial = serials[serials.length - 1]!;
let crlLagMs = Number.POSITIVE_INFINITY;
for (const deadline = performance.now() + 15_000; performance.now() < deadline; ) {
  const crl = await ca.currentCrl(issuing.slug);
  if (crl.entries >= count + revocations && crlListsSerial(crl.der, lastSerial)) {
    crlLagMs = performance.now() - lastAt.t;
    break;
  }
  await new Promise((r) => setTimeout(r, 20));
}
const crlsSigned = await database.db
  .selectFrom("pki_crls")
  .select("id")
  .where("ca_id", "=", issuing.id)
  .execute();

// Every entry really is in the CRL: openssl verifies it and counts the serials.
fs.writeFileSync(path.join(dir, "ours.crl"), crlDer);
const text = execFileSync(
  "openssl",
  ["crl", "-inform", "DER", "-in", "ours.crl", "-CAfile", "ca.pem", "-noout", "-text"],
  {
    cwd: dir,
    maxBuffer: 1 << 30,
    stdio: ["ignore", "pipe", "pipe"],
  },
).toString();
const listed = text.match(/Serial Number: /g)?.length ?? 0;
if (listed !== count) throw new Error(`CRL lists ${listed} entries, expected ${count}`);

console.log(
  `\ncrl-server: ${count} revoked entries in ${database.kind}, P-256 issuing CA, median of ${runs} runs`,
);
console.log(`  (rows loaded in ${(loadMs / 1000).toFixed(1)} s)`);
console.log(
  `  certhall generateCrl (DB read + sign + store + audit)  ${median(ours).toFixed(0).padStart(6)} ms  ${crlDer.length} bytes, openssl verifies, ${listed} entries`,
);
console.log(
  `  openssl ca -gencrl (index.txt)                        ${median(theirs).toFixed(0).padStart(6)} ms`,
);
const sorted = [...revokeMs].sort((a, b) => a - b);
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
console.log(
  `  revocation at ${count} revoked (${revocations}, one after another)  p50 ${pct(0.5).toFixed(1)} ms  p90 ${pct(0.9).toFixed(1)} ms  max ${sorted[sorted.length - 1]!.toFixed(1)} ms`,
);
console.log(`  OCSP answering revoked right after each returned          ${ocspRevoked}/${revocations}`);
console.log(
  `  CRL listing the last one, after it returned              ${crlLagMs.toFixed(0).padStart(6)} ms  (CRL_COALESCE_MS ${config.ca.crlCoalesceMs}; ${crlsSigned.length - crlsBefore} background signatures for ${revocations} revocations)`,
);
await database.close();
if (schema)
  execFileSync("psql", [process.env.DATABASE_URL!, "-qc", `drop schema ${schema} cascade`], {
    stdio: "ignore",
  });
fs.rmSync(dir, { recursive: true, force: true });
fs.rmSync(`${dir}-offline`, { recursive: true, force: true });
console.log(`ratio_vs_openssl=${(median(theirs) / median(ours)).toFixed(2)}`);
console.log(`revocation_p50_vs_goal_50ms=${(pct(0.5) / 50).toFixed(2)} (≤ 1 meets it)`);
console.log(`ocsp_revoked_at_once=${ocspRevoked === revocations ? "yes" : "no"}`);
console.log(`crl_lag_vs_limit_5s=${(crlLagMs / 5000).toFixed(2)} (≤ 1 meets it)`);
