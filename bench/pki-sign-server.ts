// A minimal HTTP front for @certhall/pki's issueCertificate that speaks cfssl's sign API
// (POST /api/v1/cfssl/sign {"certificate_request": PEM} → {"success":true,"result":{"certificate":PEM}}),
// so cfssl-http.ts can load both with the same client. It stands in for the server route until the
// real one is wired (apps/server); it has no auth, no database and no audit log.
//
// With --workers=N (default: one per CPU) it forks N processes sharing the port (node:cluster), the
// way a Node deployment would use several cores; cfssl (Go) uses every core by itself.
//
// With --pool=1 each process checks CSRs and signs on libuv's thread pool (parseCsrAsync and
// localSigner's threadPool option) instead of on its main thread.
//
//   tsx pki-sign-server.ts --port=8899 [--workers=2] [--pool=1]
import cluster from "node:cluster";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { createCaHierarchy, issueCertificate, localSigner, PkiError, parseCsrAsync } from "@certhall/pki";
import { arg } from "./measure";

const port = Number(arg("port", "8899"));
const workers = Number(arg("workers", String(os.availableParallelism())));
const pool = arg("pool", "0") === "1";

if (cluster.isPrimary && workers > 1) {
  // One CA for all workers: generated here, handed over through a private temporary directory.
  const ca = await createCaHierarchy({
    algorithm: "ecdsa-p256",
    rootName: "基准测试根CA",
    issuingName: "基准测试签发CA",
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "certhall-bench-ca-"));
  fs.writeFileSync(path.join(dir, "issuing.der"), ca.issuing.certDer);
  fs.writeFileSync(path.join(dir, "issuing.key"), ca.issuing.keyPkcs8, { mode: 0o600 });
  cluster.setupPrimary({ args: [...process.argv.slice(2), `--ca-dir=${dir}`] });
  let ready = 0;
  for (let i = 0; i < workers; i++) {
    cluster.fork().on("message", (m) => {
      if (m === "ready" && ++ready === workers) {
        fs.rmSync(dir, { recursive: true, force: true });
        console.log(`ready ${port} (${workers} workers)`);
      }
    });
  }
  process.on("SIGTERM", () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    process.exit(0);
  });
} else {
  await serve();
}

async function serve(): Promise<void> {
  const caDir = arg("ca-dir", "");
  const issuer = caDir
    ? {
        certDer: fs.readFileSync(path.join(caDir, "issuing.der")),
        signer: localSigner(fs.readFileSync(path.join(caDir, "issuing.key")), { threadPool: pool }),
      }
    : await (async () => {
        const ca = await createCaHierarchy({
          algorithm: "ecdsa-p256",
          rootName: "基准测试根CA",
          issuingName: "基准测试签发CA",
        });
        return {
          certDer: ca.issuing.certDer,
          signer: localSigner(ca.issuing.keyPkcs8, { threadPool: pool }),
        };
      })();
  const urls = {
    crl: "http://ca.example.cn/pki/crl/issuing.crl",
    ocsp: "http://ca.example.cn/pki/ocsp",
    caIssuers: "http://ca.example.cn/pki/ca/issuing.crt",
  };
  const subject = { kind: "enterprise", name: "福建某某科技有限公司", uscc: "91350100MA31ABCD94" } as const;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      try {
        if (req.method !== "POST" || req.url !== "/api/v1/cfssl/sign") throw new Error("not found");
        const { certificate_request } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        const cert = await issueCertificate({
          issuer,
          csr: pool ? await parseCsrAsync(certificate_request) : certificate_request,
          profile: "enterprise-sign",
          subject,
          urls,
        });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ success: true, result: { certificate: cert.pem }, errors: [], messages: [] }),
        );
      } catch (err) {
        res.writeHead(err instanceof PkiError ? 400 : 500, { "content-type": "application/json" });
        res.end(JSON.stringify({ success: false, errors: [{ message: String(err) }] }));
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, "127.0.0.1", () => {
    if (process.send) process.send("ready");
    else console.log(`ready ${port}`);
  });
}
