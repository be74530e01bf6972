// Benchmark: publishing a CRL with 100,000 revoked entries through certhall's CA service — read the
// revoked rows from the database, build and sign the CRL, store it with its audit entry — against
// `openssl ca -gencrl` over the same entries (its index.txt) and the same P-256 issuing key. Also
// times one revocation at that size (status + audit + OCSP re-signed + new CRL, one transaction).
// (bench/crl.ts, `npm run bench:crl -w bench`, compares the library's buildCrl alone.)
//
//   npm run bench:crl -- [--entries=100000] [--runs=3] [--db=sqlite|postgres]
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createCsr, generateKeyPair, localSigner, openKey, toPem } from "@certhall/pki";
import { loadConfig } from "../apps/server/src/config";
import { bootstrapCa, openPreparedDatabase } from "../apps/server/src/runtime";
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
const config = loadConfig({
  NODE_ENV: "production",
  DATA_DIR: dir,
  LOG_LEVEL: "silent",
  SECRET_KEY: crypto.randomBytes(32).toString("hex"),
  CA_MASTER_KEY: crypto.randomBytes(32).toString("hex"),
  AUDIT_KEY: crypto.randomBytes(32).toString("hex"),
  SEED_DEMO: "false",
  ...(schema ? { DATABASE_URL: process.env.DATABASE_URL, DATABASE_SCHEMA: schema } : {}),
});
const database = await openPreparedDatabase(config);
const ca = await bootstrapCa(config, database);
const issuing = ca.issuing();

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

// 3. One revocation at this size: status, audit, OCSP re-signed and the 100,001-entry CRL, one transaction.
const csrPem = (
  await createCsr([{ type: "CN", value: "x" }], localSigner(generateKeyPair("ecdsa-p256").pkcs8))
).pem;
const actor = { type: "system" as const, id: "bench" };
const cert = await ca.issue(actor, {
  csrPem,
  profile: "enterprise-sign",
  subject: { kind: "enterprise", name: "三明市基准测试有限公司", uscc: "91350400MA2Y3Q4K5C" },
});
t = performance.now();
await ca.revoke(actor, { serialHex: cert.serialHex, reason: "keyCompromise" });
const revokeMs = performance.now() - t;

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
console.log(
  `  one revocation incl. new ${count + 1}-entry CRL             ${revokeMs.toFixed(0).padStart(6)} ms`,
);
await database.close();
if (schema)
  execFileSync("psql", [process.env.DATABASE_URL!, "-qc", `drop schema ${schema} cascade`], {
    stdio: "ignore",
  });
fs.rmSync(dir, { recursive: true, force: true });
console.log(`ratio_vs_openssl=${(median(theirs) / median(ours)).toFixed(2)}`);
