// Benchmark: cfssl's HTTP sign endpoint (`cfssl serve`, Go) against @certhall/pki behind a minimal
// Node HTTP front with the same API (pki-sign-server.ts), loaded by the same client (load.ts) with the
// same CSRs and concurrency, one after the other. Both servers run as separate processes with a
// generated P-256 CA in a temporary directory. Until the real server route exists this compares the
// library + bare HTTP, not the full certhall request path.
//
//   npm run bench:cfssl-http -w bench -- [--seconds=16] [--rounds=8] [--concurrency=32] [--only=cfssl|pki] [--workers=N] [--pool=1]
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createCsr, generateKeyPair, localSigner } from "@certhall/pki";
import { type HttpLoadResult, httpLoad, printHttpLoad, waitFor } from "./http-load";
import { arg } from "./measure";

const seconds = Number(arg("seconds", "16"));
const rounds = Number(arg("rounds", "8"));
const concurrency = Number(arg("concurrency", "32"));
const only = arg("only", "");
// Defaults are the fastest setup measured here: one process, crypto on the libuv thread pool.
const workers = arg("workers", "1");
const pool = arg("pool", "1");
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
const JSON_HEADERS = { "content-type": "application/json" };
const body = (n: number) => JSON.stringify({ certificate_request: csrs[n % csrs.length] });
const check = (status: number, body: Buffer): string | undefined => {
  const text = body.toString();
  if (status !== 200) return `HTTP ${status}: ${text.slice(0, 200)}`;
  const json = JSON.parse(text) as { success?: boolean; result?: { certificate?: string } };
  return json.success && json.result?.certificate?.startsWith("-----BEGIN CERTIFICATE-----")
    ? undefined
    : text.slice(0, 200);
};

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  await waitFor(
    async () => {
      const res = await fetch(url, {
        method: "POST",
        body: body(0),
        headers: { "content-type": "application/json" },
      });
      return check(res.status, Buffer.from(await res.arrayBuffer())) === undefined;
    },
    30_000,
    () => child.exitCode !== null,
  );
}

interface Target {
  name: string;
  url: string;
}

async function start(name: string, port: number, child: ChildProcess): Promise<Target> {
  children.push(child);
  const url = `http://127.0.0.1:${port}/api/v1/cfssl/sign`;
  await waitReady(url, child);
  await httpLoad({
    name: `${name} (warm-up)`,
    url,
    concurrency,
    seconds: 1,
    headers: JSON_HEADERS,
    body,
    check,
  });
  return { name, url };
}

const targets: Target[] = [];

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
  const args = [
    "serve",
    "-address",
    "127.0.0.1",
    "-port",
    String(port),
    "-ca",
    "ca.pem",
    "-ca-key",
    "ca-key.pem",
  ];
  const cfssl = spawn("cfssl", [...args, "-config", "config.json", "-loglevel", "5"], {
    cwd: dir,
    stdio: "ignore",
  });
  targets.push(await start("cfssl serve /api/v1/cfssl/sign", port, cfssl));
}

if (only !== "cfssl") {
  // 3. @certhall/pki behind node:http, same API, separate process(es).
  const port = 18899;
  const server = path.join(import.meta.dirname, "pki-sign-server.ts");
  const pki = spawn(
    process.execPath,
    ["--import", "tsx", server, `--port=${port}`, `--workers=${workers}`, `--pool=${pool}`],
    { stdio: "ignore" },
  );
  const label = `@certhall/pki + node:http ×${workers}${pool === "1" ? " (thread pool)" : ""}`;
  targets.push(await start(label, port, pki));
}

// 4. Interleaved slices (the machine is shared): both servers stay up and each slice loads one of
//    them; the median slice rate is reported, so bursts of outside load hit both sides alike.
const slices = targets.map(() => [] as HttpLoadResult[]);
for (let r = 0; r < rounds; r++) {
  for (const [i, t] of targets.entries()) {
    slices[i]!.push(
      await httpLoad({
        name: t.name,
        url: t.url,
        concurrency,
        seconds: seconds / rounds,
        headers: JSON_HEADERS,
        body,
        check,
      }),
    );
  }
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
const results = targets.map(
  (t, i): HttpLoadResult => ({
    name: t.name,
    ok: slices[i]!.reduce((n, x) => n + x.ok, 0),
    failed: slices[i]!.reduce((n, x) => n + x.failed, 0),
    seconds: slices[i]!.reduce((n, x) => n + x.seconds, 0),
    perSecond: median(slices[i]!.map((x) => x.perSecond)),
    p50Ms: median(slices[i]!.map((x) => x.p50Ms)),
    p99Ms: median(slices[i]!.map((x) => x.p99Ms)),
    firstError: slices[i]!.find((x) => x.firstError)?.firstError,
  }),
);

console.log(
  `\ncfssl-http: POST sign, ${concurrency} concurrent clients, ${seconds}s per side in ${rounds} interleaved slices (median slice), ${os.cpus().length} CPUs`,
);
printHttpLoad(results);
const [a, b] = results;
if (a && b) console.log(`\n@certhall/pki / cfssl = ${(b.perSecond / a.perSecond).toFixed(2)}`);
stop();
fs.rmSync(dir, { recursive: true, force: true });
