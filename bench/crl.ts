// Benchmark: buildCrl with 100,000 revoked entries against `openssl ca -gencrl` over the same
// 100,000 entries (its index.txt), both signing with the same P-256 issuing CA key. openssl's time
// includes process start and reading index.txt, which is its real cost when a CA shells out to it.
//
//   npm run bench:crl -w bench -- [--entries=100000] [--runs=3]
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildCrl, createCaHierarchy, type RevocationReason, type RevokedEntry, toPem } from "@certhall/pki";
import { arg } from "./measure";

const count = Number(arg("entries", "100000"));
const runs = Number(arg("runs", "3"));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "certhall-bench-crl-"));
const ca = await createCaHierarchy({
  algorithm: "ecdsa-p256",
  rootName: "基准测试根CA",
  issuingName: "基准测试签发CA",
});

const reasons: (RevocationReason | undefined)[] = [
  "keyCompromise",
  "superseded",
  "cessationOfOperation",
  undefined,
];
const opensslReason: Record<string, string> = {
  keyCompromise: "keyCompromise",
  superseded: "superseded",
  cessationOfOperation: "cessationOfOperation",
};
const entries: RevokedEntry[] = [];
const lines: string[] = [];
const ymd = (d: Date) => `${d.toISOString().replace(/[-:T]/g, "").slice(2, 14)}Z`;
for (let i = 0; i < count; i++) {
  const serialHex = crypto
    .randomBytes(16)
    .toString("hex")
    .replace(/^./, (c) => (Number.parseInt(c, 16) & 7 || 1).toString(16));
  const revokedAt = new Date(Date.UTC(2025, 0, 1) + i * 30_000);
  const reason = reasons[i % reasons.length];
  entries.push({ serialHex, revokedAt, reason });
  const rev = reason ? `${ymd(revokedAt)},${opensslReason[reason]}` : ymd(revokedAt);
  lines.push(
    `R\t${ymd(new Date(Date.UTC(2027, 0, 1)))}\t${rev}\t${serialHex.toUpperCase()}\tunknown\t/CN=x${i}`,
  );
}
fs.writeFileSync(path.join(dir, "index.txt"), `${lines.join("\n")}\n`);
fs.writeFileSync(path.join(dir, "index.txt.attr"), "unique_subject = no\n");
fs.writeFileSync(path.join(dir, "crlnumber"), "01\n");
fs.writeFileSync(path.join(dir, "ca.pem"), ca.issuing.certPem);
fs.writeFileSync(path.join(dir, "ca.key"), toPem(ca.issuing.keyPkcs8, "PRIVATE KEY"), { mode: 0o600 });
fs.writeFileSync(
  path.join(dir, "ca.cnf"),
  `[ca]\ndefault_ca = bench\n[bench]\ndir = .\ndatabase = index.txt\ncrlnumber = crlnumber\ncertificate = ca.pem\nprivate_key = ca.key\ndefault_md = sha256\ndefault_crl_days = 1\ncrl_extensions = crl_ext\n[crl_ext]\nauthorityKeyIdentifier = keyid:always\n`,
);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const ours: number[] = [];
const theirs: number[] = [];
let ourDer: Buffer = Buffer.alloc(0);
for (let r = 0; r < runs; r++) {
  let t = performance.now();
  ourDer = await buildCrl({
    issuer: { certDer: ca.issuing.certDer, signer: ca.issuing.signer },
    entries,
    crlNumber: r + 1,
    thisUpdate: new Date(),
    nextUpdate: new Date(Date.now() + 86_400_000),
  });
  ours.push(performance.now() - t);
  t = performance.now();
  execFileSync("openssl", ["ca", "-gencrl", "-config", "ca.cnf", "-out", "openssl.crl"], {
    cwd: dir,
    stdio: ["ignore", "ignore", "pipe"],
  });
  theirs.push(performance.now() - t);
}
// `openssl ca` writes PEM only; its DER size is the base64 payload decoded.
const theirDer = Buffer.from(
  fs.readFileSync(path.join(dir, "openssl.crl"), "utf8").replace(/-----[^-]+-----|\s/g, ""),
  "base64",
);
// Both lists must really hold every entry: openssl parses ours and counts the serials.
fs.writeFileSync(path.join(dir, "ours.crl"), ourDer);
const listed = execFileSync(
  "openssl",
  ["crl", "-inform", "DER", "-in", "ours.crl", "-CAfile", "ca.pem", "-noout", "-text"],
  {
    cwd: dir,
    maxBuffer: 1 << 30,
    stdio: ["ignore", "pipe", "ignore"],
  },
)
  .toString()
  .match(/Serial Number: /g)?.length;

console.log(`\ncrl: ${count} revoked entries, P-256 issuing CA, median of ${runs} runs`);
console.log(
  `  @certhall/pki buildCrl   ${median(ours).toFixed(0).padStart(6)} ms  ${ourDer.length} bytes  (openssl lists ${listed} entries)`,
);
console.log(
  `  openssl ca -gencrl       ${median(theirs).toFixed(0).padStart(6)} ms  ${theirDer.length} bytes`,
);
console.log(`\nopenssl time / buildCrl time = ${(median(theirs) / median(ours)).toFixed(2)}`);
fs.rmSync(dir, { recursive: true, force: true });
