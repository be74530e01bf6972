// Benchmark: cfssl's HTTP sign endpoint (`cfssl serve`, Go) against @certhall/pki behind a minimal
// Node HTTP front with the same API (pki-sign-server.ts), loaded by the same client (load.ts) with the
// same CSRs and concurrency, one after the other. Both servers run as separate processes with a
// generated P-256 CA in a temporary directory. Until the real server route exists this compares the
// library + bare HTTP, not the full certhall request path.
//
//   npm run bench:cfssl-http -w bench -- [--seconds=10] [--concurrency=32] [--only=cfssl|pki] [--workers=N] [--pool=1]
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createCsr, generateKeyPair, localSigner } from "@certhall/pki";
import { type LoadResult, printLoad, runLoad } from "./load";
import { arg } from "./measure";

const seconds = Number(arg("seconds", "10"));
const concurrency = Number(arg("concurrency", "32"));
const only = arg("only", "");
const workers = arg("workers", String(os.availableParallelism()));
const pool = arg("pool", "0");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "certhall-bench-"));
const children: ChildProcess[] = [];
const stop = () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
};
process.on("exit", stop);
process.on("SIGINT", () => process.exit(130));

// 1. A pool of CSRs from distinct P-256 keys, shared by both sides.
const csrs: string[] = [];
for (let i = 0; i < 256; i++) {
  const signer = localSigner(generateKeyPair("ecdsa-p256").pkcs8);
  csrs.push(
    (
      await createCsr(
        [
          { type: "C", value: "CN" },
          { type: "CN", value: `bench-${i}` },
        ],
        signer,
      )
    ).pem,
  );
}
const body = (n: number) => JSON.stringify({ certificate_request: csrs[n % csrs.length] });
const check = (status: number, text: string): string | undefined => {
  if (status !== 200) return `HTTP ${status}: ${text.slice(0, 200)}`;
  const json = JSON.parse(text) as { success?: boolean; result?: { certificate?: string } };
  return json.success && json.result?.certificate?.startsWith("-----BEGIN CERTIFICATE-----")
    ? undefined
    : text.slice(0, 200);
};

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(url, {
        method: "POST",
        body: body(0),
        headers: { "content-type": "application/json" },
      });
      if (check(res.status, await res.text()) === undefined) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready in 30 s`);
}

async function bench(name: string, port: number, child: ChildProcess): Promise<LoadResult> {
  const url = `http://127.0.0.1:${port}/api/v1/cfssl/sign`;
  await waitReady(url, child);
  await runLoad({ name: `${name} (warm-up)`, url, concurrency, seconds: 1, body, check });
  const result = await runLoad({ name, url, concurrency, seconds, body, check });
  child.kill("SIGTERM");
  return result;
}

const results: LoadResult[] = [];

if (only !== "pki") {
  // 2. cfssl: a generated P-256 CA and a plain signing profile.
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
  const port = 18888;
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
  results.push(await bench("cfssl serve /api/v1/cfssl/sign", port, cfssl));
}

if (only !== "cfssl") {
  // 3. @certhall/pki behind node:http, same API, separate process.
  const port = 18899;
  const pki = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      path.join(import.meta.dirname, "pki-sign-server.ts"),
      `--port=${port}`,
      `--workers=${workers}`,
    ],
    {
      stdio: "ignore",
    },
  );
  children.push(pki);
  const label = `@certhall/pki + node:http ×${workers}${pool === "1" ? " (thread pool)" : ""}`;
  results.push(await bench(label, port, pki));
}

console.log(
  `\ncfssl-http: POST sign, ${concurrency} concurrent clients, ${seconds}s each, ${os.cpus().length} CPUs`,
);
printLoad(results);
const [a, b] = results;
if (a && b) console.log(`\n@certhall/pki / cfssl = ${(b.perSecond / a.perSecond).toFixed(2)}`);
stop();
fs.rmSync(dir, { recursive: true, force: true });
