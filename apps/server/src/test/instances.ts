// Real server processes behind the real nginx configuration (deploy/nginx), for the test of several
// instances (deploy.instances.test.ts). Not imported by production code.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, "../../../..");

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export function onPath(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export interface Instance {
  port: number;
  url: string;
  child: ChildProcess;
  output(): string;
  /** Ends it and its workers (SIGTERM), waiting for the exit. */
  stop(): Promise<void>;
}

/**
 * `node --import tsx apps/server/src/main.ts` (no tsx wrapper process: a kill -9 hits the server
 * itself, and cluster workers inherit the loader). Ready when /api/health answers.
 */
export async function startInstance(env: Record<string, string>, port: number): Promise<Instance> {
  const child = spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
    cwd: REPO,
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`instance exited (${child.exitCode}):\n${out.slice(-2000)}`);
    const ok = await request(`${url}/api/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok && /certhall is running/.test(out)) break;
    if (Date.now() > deadline) throw new Error(`instance not ready in 90 s:\n${out.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    port,
    url,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

export interface Nginx {
  httpUrl: string;
  httpsUrl: string;
  /** The self-signed TLS certificate nginx presents (for NODE_EXTRA_CA_CERTS and this client). */
  tlsCert: string;
  stop(): Promise<void>;
}

/** A TLS key and certificate for 127.0.0.1, made by openssl, in `dir`. */
export function makeTlsCert(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, "tls.crt");
  const key = path.join(dir, "tls.key");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "ignore" },
  );
  return { cert, key };
}

/**
 * deploy/nginx/certhall.conf as shipped, with only what names this machine replaced: its folder, the
 * ports, the upstream servers, the web root and the TLS files. Runs in the foreground of its own prefix.
 */
export async function startNginx(opts: {
  dir: string;
  upstreams: number[];
  webRoot: string;
  tls: { cert: string; key: string };
}): Promise<Nginx> {
  const conf = path.join(opts.dir, "nginx");
  mkdirSync(path.join(conf, "logs"), { recursive: true });
  const deploy = path.join(REPO, "deploy/nginx");
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const local = (text: string) => text.replaceAll("/etc/nginx/certhall/", `${conf}/`);
  for (const f of ["proxy.conf", "pki.conf", "app.conf"])
    writeFileSync(path.join(conf, f), local(readFileSync(path.join(deploy, f), "utf8")));
  const site = local(readFileSync(path.join(deploy, "certhall.conf"), "utf8"))
    .replace(/^\s*listen \[::\].*$/gm, "")
    .replace(/listen 80;/, `listen 127.0.0.1:${httpPort};`)
    .replace(/listen 443 ssl http2;/, `listen 127.0.0.1:${httpsPort} ssl http2;`)
    .replace(/^\s*(# )?server [0-9.]+:3000 .*$/gm, "")
    .replace(
      /upstream certhall \{/,
      `upstream certhall {\n${opts.upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`).join("\n")}`,
    )
    .replace(/ssl_certificate .*;/, `ssl_certificate ${opts.tls.cert};`)
    .replace(/ssl_certificate_key .*;/, `ssl_certificate_key ${opts.tls.key};`)
    .replace(/^\s*ssl_stapling.*$/gm, "")
    .replace(/root \/srv\/certhall\/web;/, `root ${opts.webRoot};`);
  writeFileSync(path.join(conf, "site.conf"), site);
  writeFileSync(
    path.join(conf, "nginx.conf"),
    [
      "worker_processes 1;",
      "error_log logs/error.log warn;",
      "pid logs/nginx.pid;",
      // As root (CI), the workers would switch to nobody, who cannot read the temp folder.
      ...(process.getuid?.() === 0 ? ["user root;"] : []),
      "events { worker_connections 256; }",
      "http {",
      "  include /etc/nginx/mime.types;",
      "  access_log logs/access.log;",
      `  client_body_temp_path ${conf}/body; proxy_temp_path ${conf}/proxy;`,
      `  fastcgi_temp_path ${conf}/fcgi; uwsgi_temp_path ${conf}/uwsgi; scgi_temp_path ${conf}/scgi;`,
      `  include ${conf}/site.conf;`,
      "}",
    ].join("\n"),
  );
  const child = spawn("nginx", ["-p", conf, "-c", "nginx.conf", "-g", "daemon off;"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stderr!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const tlsCert = readFileSync(opts.tls.cert, "utf8");
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${out}`);
    const up = await request(`http://127.0.0.1:${httpPort}/`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (i > 100) throw new Error(`nginx did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    httpsUrl: `https://127.0.0.1:${httpsPort}`,
    tlsCert,
    async stop() {
      child.kill("SIGQUIT");
      await exited;
    },
  };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** One HTTP(S) request; https trusts `ca` (nginx's self-signed certificate). Never follows redirects. */
export function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; ca?: string } = {},
): Promise<Answer> {
  const u = new URL(url);
  const lib = u.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      {
        method: opts.method ?? "GET",
        headers: opts.headers,
        agent: false,
        ...(opts.ca ? { ca: opts.ca } : {}),
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          const text = body.toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text,
            json: () => JSON.parse(text),
          });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** A browser-like client over HTTP(S): keeps cookies and echoes the CSRF cookie on writes. */
export class WebClient {
  readonly cookies = new Map<string, string>();
  /** Sent with every request (e.g. a forged X-Forwarded-For). */
  extraHeaders: Record<string, string> = {};
  constructor(
    readonly base: string,
    readonly ca?: string,
  ) {}

  async send(method: string, p: string, body?: unknown, form = false): Promise<Answer> {
    const headers: Record<string, string> = {
      ...this.extraHeaders,
      cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
    };
    let payload: string | undefined;
    if (body !== undefined) {
      headers["content-type"] = form ? "application/x-www-form-urlencoded" : "application/json";
      payload = form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body);
    }
    const csrf = this.cookies.get("certhall_csrf");
    if (method !== "GET" && csrf) headers["x-csrf-token"] = csrf;
    const res = await request(`${this.base}${p}`, { method, headers, body: payload, ca: this.ca });
    const set = res.headers["set-cookie"] ?? [];
    for (const c of set) {
      const [pair] = c.split(";");
      const i = pair!.indexOf("=");
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (value === "" || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
  get = (p: string) => this.send("GET", p);
  post = (p: string, body: unknown = {}) => this.send("POST", p, body);
}
