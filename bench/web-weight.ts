// Benchmark: how much JavaScript a first visit downloads. The built web app is served by the real
// server (SQLite, a fresh data directory); Debian's chromium, driven by playwright-core
// as the browser walks do, opens each page with an empty cache, and every script it loaded is fetched
// again with `Accept-Encoding: gzip` to add up its gzip size on the wire. The figure is held against a
// fixed limit (issue 14: the login page ≤ 300 KB gzip), printed as a ratio; over the limit the run
// exits 1, so CI can guard it. Sizes, not times: nothing here depends on the machine's load.
//
//   npm run build:web && npm run bench:web [-- --limit-kb=300]
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { freePort, waitFor } from "./http-load";
import { arg } from "./measure";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, "../apps/web/dist");
const LIMIT_KB = Number(arg("limit-kb", "300"));
/** The page the limit is for, then the other first pages people open, for information. */
const PAGES = ["/login", "/", "/business", "/admin/login"];

interface Script {
  url: string;
  /** Body bytes as the browser received them (brotli when the server offers it). */
  received: number;
  /** Body bytes when only gzip is accepted. */
  gzip: number;
  /** Uncompressed bytes. */
  raw: number;
}

/** The encoded body of `url` with only the given encodings accepted (no decompression). */
function encodedBytes(url: string, acceptEncoding: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { "accept-encoding": acceptEncoding } }, (res) => {
        let n = 0;
        res.on("data", (d: Buffer) => {
          n += d.length;
        });
        res.on("end", () =>
          res.statusCode === 200 ? resolve(n) : reject(new Error(`${url}: ${res.statusCode}`)),
        );
      })
      .on("error", reject);
  });
}

async function startServer(): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const tsx = path.join(here, "../node_modules/tsx/dist/cli.mjs");
  // SQLite in a fresh directory, whatever DATABASE_URL the shell has: the figure does not depend on it.
  const { DATABASE_URL: _pg, ...inherited } = process.env;
  const child = spawn(process.execPath, [tsx, path.join(here, "../apps/server/src/main.ts")], {
    env: {
      ...inherited,
      // Development: the server runs its own CA ceremony on first start (production wants the offline
      // one); the static handler and the build it serves are the same in both.
      NODE_ENV: "development",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "certhall-bench-web-")),
      LOG_LEVEL: "warn",
      SEED_DEMO: "false",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => (await fetch(`${base}/api/health`)).ok,
    120_000,
    () => child.exitCode !== null,
  );
  return { base, child };
}

async function scriptsOf(
  browser: Awaited<ReturnType<typeof chromium.launch>>,
  url: string,
): Promise<Script[]> {
  // A new context is an empty cache: what a first visit downloads.
  const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  const seen: { url: string; received: Promise<number> }[] = [];
  page.on("response", (res) => {
    if (res.request().resourceType() !== "script") return;
    seen.push({
      url: res.url(),
      received: res
        .request()
        .sizes()
        .then((s) => s.responseBodySize),
    });
  });
  await page.goto(url, { waitUntil: "networkidle" });
  // The page must have rendered (its chunk arrived and ran), not stopped at the loading spinner.
  await page.locator("form, .ant-card, main, h1, h2, h3").first().waitFor({ timeout: 30_000 });
  await page.waitForLoadState("networkidle");
  const scripts: Script[] = [];
  for (const s of seen) {
    scripts.push({
      url: s.url,
      received: await s.received,
      gzip: await encodedBytes(s.url, "gzip"),
      raw: await encodedBytes(s.url, "identity"),
    });
  }
  await context.close();
  return scripts;
}

const kb = (n: number) => (n / 1024).toFixed(1);
const sum = (xs: Script[], k: keyof Omit<Script, "url">) => xs.reduce((a, s) => a + s[k], 0);

if (!fs.existsSync(path.join(dist, "index.html"))) {
  console.error("apps/web/dist has no index.html: run `npm run build:web` first");
  process.exit(2);
}
const { base, child } = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
let failed = false;
try {
  console.log(`JavaScript of a first visit (empty cache), limit ${LIMIT_KB} KB gzip for /login\n`);
  console.log(
    `  ${"page".padEnd(14)} ${"files".padStart(5)} ${"gzip KB".padStart(9)} ${"as sent KB".padStart(11)} ${"raw KB".padStart(9)}  gzip / limit`,
  );
  for (const p of PAGES) {
    const scripts = await scriptsOf(browser, `${base}${p}`);
    const gzip = sum(scripts, "gzip");
    const ratio = gzip / (LIMIT_KB * 1024);
    const guarded = p === "/login";
    if (guarded && ratio > 1) failed = true;
    console.log(
      `  ${p.padEnd(14)} ${String(scripts.length).padStart(5)} ${kb(gzip).padStart(9)} ${kb(sum(scripts, "received")).padStart(11)} ${kb(sum(scripts, "raw")).padStart(9)}  ${ratio.toFixed(2)}${guarded ? (ratio > 1 ? "  OVER THE LIMIT" : "  within the limit") : ""}`,
    );
    if (guarded && process.argv.includes("--files")) {
      for (const s of [...scripts].sort((a, b) => b.gzip - a.gzip)) {
        console.log(`      ${kb(s.gzip).padStart(7)} KB  ${new URL(s.url).pathname}`);
      }
    }
  }
} finally {
  await browser.close();
  child.kill("SIGTERM");
}
process.exit(failed ? 1 : 0);
