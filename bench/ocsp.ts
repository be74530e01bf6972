// Benchmark: OCSP responses per second from certhall's POST /pki/ocsp (the real server process:
// request parsed, issuer matched, pre-signed response served from its cache) against
// `cfssl ocspserve` serving responses pre-signed with `cfssl ocspsign` (Debian golang-cfssl, P-256),
// both loaded by the same client (http-load.ts) with the same number of distinct certificates,
// SHA-1 CertIDs from `openssl ocsp -reqout`, no nonce (the cacheable RFC 5019 profile), same concurrency.
//
//   npm run bench:ocsp -- [--seconds=10] [--concurrency=32] [--certs=64]
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createCsr, generateKeyPair, localSigner } from "@certhall/pki";
import { type HttpLoadResult, httpLoad, printHttpLoad, waitFor } from "./http-load";
import { arg } from "./measure";

const seconds = Number(arg("seconds", "10"));
const concurrency = Number(arg("concurrency", "32"));
const certCount = Number(arg("certs", "64"));
const root = path.resolve(import.meta.dirname, "..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "certhall-bench-ocsp-"));
const children: ChildProcess[] = [];
const stop = () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
};
process.on("exit", stop);
process.on("SIGINT", () => process.exit(130));

const run = (cmd: string, args: string[], input?: string) =>
  execFileSync(cmd, args, { cwd: dir, input, stdio: ["pipe", "pipe", "ignore"] }).toString();

const csrs: string[] = [];
for (let i = 0; i < certCount; i++) {
  const signer = localSigner(generateKeyPair("ecdsa-p256").pkcs8);
  const dn = [
    { type: "C" as const, value: "CN" },
    { type: "CN" as const, value: `ocsp-bench-${i}` },
  ];
  csrs.push((await createCsr(dn, signer)).pem);
}

/** OCSP requests (DER, SHA-1 CertID, no nonce) for the given certificates, made by openssl. */
function requests(prefix: string, issuerFile: string, certPems: string[]): Buffer[] {
  return certPems.map((pem, i) => {
    fs.writeFileSync(path.join(dir, `${prefix}${i}.pem`), pem);
    run("openssl", [
      "ocsp",
      "-issuer",
      issuerFile,
      "-cert",
      `${prefix}${i}.pem`,
      "-no_nonce",
      "-reqout",
      `${prefix}${i}.req`,
    ]);
    return fs.readFileSync(path.join(dir, `${prefix}${i}.req`));
  });
}

/** OCSPResponse with responseStatus successful(0): SEQUENCE { ENUMERATED 0, [0] … }. */
const successful = (b: Buffer) => {
  const i = b[1]! & 0x80 ? 2 + (b[1]! & 0x7f) : 2;
  return b[0] === 0x30 && b[i] === 0x0a && b[i + 1] === 0x01 && b[i + 2] === 0x00 && b.length > 100;
};
const check = (status: number, b: Buffer) =>
  status === 200 && successful(b) ? undefined : `HTTP ${status}: ${b.subarray(0, 16).toString("hex")}`;

async function measure(name: string, url: string, reqs: Buffer[]): Promise<HttpLoadResult> {
  const o = {
    name,
    url,
    concurrency,
    headers: { "content-type": "application/ocsp-request" },
    body: (n: number) => reqs[n % reqs.length]!,
    check,
  };
  await httpLoad({ ...o, seconds: 1 }); // warm-up
  return httpLoad({ ...o, seconds });
}

const results: HttpLoadResult[] = [];

// 1. cfssl: CA, certificates signed from the same CSRs, responses pre-signed by `cfssl ocspsign`.
{
  const init = JSON.parse(
    run(
      "cfssl",
      ["gencert", "-initca", "-"],
      JSON.stringify({ CN: "cfssl OCSP bench CA", key: { algo: "ecdsa", size: 256 }, names: [{ C: "CN" }] }),
    ),
  ) as { cert: string; key: string };
  fs.writeFileSync(path.join(dir, "ca.pem"), init.cert);
  fs.writeFileSync(path.join(dir, "ca-key.pem"), init.key);
  fs.writeFileSync(
    path.join(dir, "config.json"),
    JSON.stringify({
      signing: { default: { expiry: "8760h", usages: ["digital signature", "client auth"] } },
    }),
  );
  const certs = csrs.map((csr, i) => {
    fs.writeFileSync(path.join(dir, `c${i}.csr`), csr);
    return (
      JSON.parse(
        run("cfssl", [
          "sign",
          "-ca",
          "ca.pem",
          "-ca-key",
          "ca-key.pem",
          "-config",
          "config.json",
          `c${i}.csr`,
        ]),
      ) as { cert: string }
    ).cert;
  });
  const reqs = requests("cf", "ca.pem", certs);
  // `cfssl ocspsign` prints {"ocspResponse": base64}; ocspserve reads one base64 response per line.
  const lines = certs.map(
    (_, i) =>
      (
        JSON.parse(
          run("cfssl", [
            "ocspsign",
            "-ca",
            "ca.pem",
            "-responder",
            "ca.pem",
            "-responder-key",
            "ca-key.pem",
            "-cert",
            `cf${i}.pem`,
            "-status",
            "good",
          ]),
        ) as { ocspResponse: string }
      ).ocspResponse,
  );
  fs.writeFileSync(path.join(dir, "responses"), `${lines.join("\n")}\n`);
  const port = 18783;
  const cfssl = spawn(
    "cfssl",
    [
      "ocspserve",
      "-address",
      "127.0.0.1",
      "-port",
      String(port),
      "-responses",
      "responses",
      "-loglevel",
      "5",
    ],
    {
      cwd: dir,
      stdio: "ignore",
    },
  );
  children.push(cfssl);
  const url = `http://127.0.0.1:${port}/`;
  await waitFor(
    async () => {
      const r = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/ocsp-request" },
        body: reqs[0],
      });
      return check(r.status, Buffer.from(await r.arrayBuffer())) === undefined;
    },
    30_000,
    () => cfssl.exitCode !== null,
  );
  results.push(await measure("cfssl ocspserve (pre-signed)", url, reqs));
  cfssl.kill("SIGTERM");
}

// 2. certhall: the real server; certificates issued through the service API.
{
  const port = 18784;
  const token = crypto.randomBytes(32).toString("base64url");
  const server = spawn(process.execPath, ["--import", "tsx", path.join(root, "apps/server/src/main.ts")], {
    cwd: path.join(root, "apps/server"),
    env: {
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
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.push(server);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => (await fetch(`${base}/api/health`)).ok,
    60_000,
    () => server.exitCode !== null,
  );
  const subject = { kind: "enterprise", name: "三明市基准测试有限公司", uscc: "91350400MA2Y3Q4K5C" };
  let issuerPem = "";
  const certs: string[] = [];
  for (const csrPem of csrs) {
    const r = await fetch(`${base}/api/v1/pki/issue`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ csrPem, profile: "enterprise-sign", subject }),
    });
    const j = (await r.json()) as { certificatePem: string; chainPem: string };
    certs.push(j.certificatePem);
    issuerPem = j.chainPem.slice(0, j.chainPem.indexOf("-----END CERTIFICATE-----") + 26);
  }
  fs.writeFileSync(path.join(dir, "issuing.pem"), issuerPem);
  const reqs = requests("ch", "issuing.pem", certs);
  results.push(await measure("certhall POST /pki/ocsp (pre-signed, cached)", `${base}/pki/ocsp`, reqs));
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
}

const [cfssl, certhall] = results as [HttpLoadResult, HttpLoadResult];
console.log(
  `\nocsp: ${certCount} certificates, ${concurrency} concurrent clients, ${seconds}s each, ${os.cpus().length} CPUs`,
);
printHttpLoad(results);
stop();
fs.rmSync(dir, { recursive: true, force: true });
console.log(`ratio_vs_cfssl=${(certhall.perSecond / cfssl.perSecond).toFixed(2)}`);
