import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../app";
import { createTestApp, type TestApp } from "../test/harness";
import { IMMUTABLE, isWebAsset, REVALIDATE, webCacheControl } from "./web-static";

const JS = `export const page = "${"登录".repeat(2000)}";\n`;
const HTML =
  '<!doctype html><title>certhall</title><script type="module" src="/assets/index-abc123.js"></script>';

let t: TestApp;
let web: FastifyInstance;
beforeAll(async () => {
  t = await createTestApp({ demo: false });
  // A build as apps/web/precompress.ts leaves it: hashed assets with .br/.gz beside them.
  const dist = mkdtempSync(path.join(os.tmpdir(), "certhall-web-"));
  mkdirSync(path.join(dist, "assets"));
  writeFileSync(path.join(dist, "index.html"), HTML);
  writeFileSync(path.join(dist, "index.html.gz"), gzipSync(HTML));
  writeFileSync(path.join(dist, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  const js = path.join(dist, "assets", "index-abc123.js");
  writeFileSync(js, JS);
  writeFileSync(`${js}.br`, brotliCompressSync(JS));
  writeFileSync(`${js}.gz`, gzipSync(JS));
  web = await buildApp({ config: t.config, database: t.database, webDist: dist });
  await web.ready();
});
afterAll(async () => {
  await web.close();
  await t.close();
});

describe("the web build's static files", () => {
  it("sends a hashed asset as the brotli copy to a browser that accepts it, cached for a year", async () => {
    const res = await web.inject({
      method: "GET",
      url: "/assets/index-abc123.js",
      headers: { "accept-encoding": "gzip, deflate, br, zstd" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-encoding"]).toBe("br");
    expect(res.headers["content-type"]).toMatch(/javascript/);
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(String(res.headers.vary)).toMatch(/accept-encoding/i);
    expect(res.rawPayload.length).toBeLessThan(Buffer.byteLength(JS) / 5);
    expect(brotliDecompressSync(res.rawPayload).toString()).toBe(JS);
  });

  it("sends gzip to a client without brotli and the plain file to one without either", async () => {
    const gz = await web.inject({
      method: "GET",
      url: "/assets/index-abc123.js",
      headers: { "accept-encoding": "gzip" },
    });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gz.rawPayload).toString()).toBe(JS);
    const plain = await web.inject({
      method: "GET",
      url: "/assets/index-abc123.js",
      headers: { "accept-encoding": "identity" },
    });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body).toBe(JS);
    expect(plain.headers["cache-control"]).toBe(IMMUTABLE);
  });

  it("answers every page path with index.html that is revalidated on each load", async () => {
    for (const url of ["/login", "/admin/staff", "/"]) {
      const res = await web.inject({ method: "GET", url, headers: { "accept-encoding": "gzip, br" } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["cache-control"], url).toBe("no-cache");
      expect(res.headers["content-type"], url).toContain("text/html");
      // Only a .gz copy exists for index.html here: the handler falls back from br to gzip.
      expect(res.headers["content-encoding"], url).toBe("gzip");
      expect(gunzipSync(res.rawPayload).toString(), url).toBe(HTML);
    }
  });

  it("revalidates unhashed files and answers a missing hashed asset with a 404, not index.html", async () => {
    const icon = await web.inject({ method: "GET", url: "/favicon.svg" });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers["cache-control"]).toBe(REVALIDATE);
    const gone = await web.inject({ method: "GET", url: "/assets/index-old999.js" });
    expect(gone.statusCode).toBe(404);
    expect(gone.headers["cache-control"]).toBeUndefined();
  });
});

describe("the rate limit", () => {
  it("does not count the build's assets, while the API keeps its limit", async () => {
    const dist = mkdtempSync(path.join(os.tmpdir(), "certhall-web-"));
    mkdirSync(path.join(dist, "assets"));
    writeFileSync(path.join(dist, "index.html"), HTML);
    writeFileSync(path.join(dist, "assets", "index-abc123.js"), JS);
    const app = await buildApp({
      config: { ...t.config, rateLimitPerMinute: 3 },
      database: t.database,
      webDist: dist,
    });
    await app.ready();
    try {
      for (let i = 0; i < 10; i++) {
        const res = await app.inject({ method: "GET", url: "/assets/index-abc123.js" });
        expect(res.statusCode, `asset request ${i + 1}`).toBe(200);
      }
      const api = [];
      for (let i = 0; i < 4; i++)
        api.push((await app.inject({ method: "GET", url: "/api/health" })).statusCode);
      expect(api).toEqual([200, 200, 200, 429]);
    } finally {
      await app.close();
    }
  });
});

describe("webCacheControl", () => {
  it("makes only files directly under assets/ immutable, compressed copies included", () => {
    expect(webCacheControl("/srv/dist/assets/index-abc.js")).toBe(IMMUTABLE);
    expect(webCacheControl("/srv/dist/assets/index-abc.js.br")).toBe(IMMUTABLE);
    expect(webCacheControl("C:\\dist\\assets\\a.css")).toBe(IMMUTABLE);
    expect(webCacheControl("/srv/dist/index.html")).toBe(REVALIDATE);
    expect(webCacheControl("/srv/dist/index.html.gz")).toBe(REVALIDATE);
    expect(webCacheControl("/srv/dist/favicon.svg")).toBe(REVALIDATE);
  });

  it("goes with isWebAsset: the URLs of those files are the ones the rate limit skips", () => {
    expect(isWebAsset("/assets/index-abc.js")).toBe(true);
    expect(isWebAsset("/api/v1/assets/x")).toBe(false);
    expect(isWebAsset("/login")).toBe(false);
  });
});
