// OCSP at the HTTP layer, ahead of Fastify's routing and hooks. OCSP is the hottest public endpoint
// (every TLS client and verifier asks), carries no cookies, needs no CSRF token, JSON, session or
// security headers for HTML, so those per-request costs are skipped here (bench/ocsp.ts). The
// answers are exactly those of the Fastify routes in pki.routes.ts (same CaService.ocsp), which still
// serve app.inject() and anything this function passes on.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ocspErrorResponse } from "@certhall/pki";
import proxyAddr from "@fastify/proxy-addr";
import type { CaService, OcspAnswer } from "./ca.service";

const MAX_BODY = 64 * 1024;
export const OCSP_CACHEABLE = "public, max-age=300, no-transform";

function send(res: ServerResponse, answer: OcspAnswer, get: boolean): void {
  res.writeHead(200, {
    "content-type": "application/ocsp-response",
    "content-length": answer.der.length,
    // As pki.routes.ts: only pre-signed GET answers may be cached (never one carrying a nonce).
    "cache-control": get && answer.cacheable ? OCSP_CACHEABLE : "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(answer.der);
}

function answer(ca: CaService, ip: string, res: ServerResponse, der: Buffer, get: boolean): void {
  ca.ocsp(der, { ip }).then(
    (out) => send(res, out, get),
    // RFC 6960 4.2.1: internalError, unsigned, rather than an HTML/JSON 500.
    () => send(res, { der: ocspErrorResponse("internalError"), cacheable: false }, false),
  );
}

/** Returns true when it took the request (then it answers it); false to let Fastify route it. */
export function ocspFastPath(ca: CaService, opts: { trustProxy: false | string[] }) {
  // The client address exactly as Fastify's req.ip computes it: X-Forwarded-For is believed only from
  // the proxies TRUST_PROXY lists (the same @fastify/proxy-addr Fastify uses for such a list).
  const trust = opts.trustProxy ? proxyAddr.compile(opts.trustProxy) : () => false;
  const clientIp = (req: IncomingMessage): string => proxyAddr(req, trust);
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? "";
    if (req.method === "POST" && url === "/pki/ocsp") {
      if (!(req.headers["content-type"] ?? "").startsWith("application/ocsp-request")) return false;
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on("end", () => answer(ca, clientIp(req), res, Buffer.concat(chunks), false));
      return true;
    }
    if (req.method === "GET" && url.startsWith("/pki/ocsp/") && url.length < 8192) {
      let der: Buffer;
      try {
        der = Buffer.from(decodeURIComponent(url.slice("/pki/ocsp/".length)), "base64");
      } catch {
        der = Buffer.alloc(0);
      }
      answer(ca, clientIp(req), res, der, true);
      return true;
    }
    return false;
  };
}
