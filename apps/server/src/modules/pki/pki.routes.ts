// Public PKI endpoints (DESIGN §5) and the RA's service API (issue 4 item 6).
// /pki/*: what relying parties fetch — CA certificates, CRLs, OCSP. No cookies, no CSRF, no general
// rate limit (cheap reads served to every TLS client and verifier; put a CDN in front); only OCSP
// answers signed for one request (a nonce) are limited per IP, in CaService.ocsp (ocsp.limit.ts).
// /api/v1/pki/*: issue and revoke for the RA, authenticated by a bearer service token.
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../../errors";
import { zProblem } from "../../lib/http";
import type { CaService, OcspAnswer } from "./ca.service";
import { OCSP_CACHEABLE } from "./ocsp.fast-path";

const NO_LIMIT = { csrf: false, rateLimit: false } as const;

/** Public, unauthenticated: mounted at the root (/pki/...). */
export function pkiPublicRoutes(deps: { ca: CaService }) {
  const { ca } = deps;
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    // The global CSRF hook mints a cookie on every response; CRLs and OCSP answers are shared via
    // HTTP caches and CDNs, which do not store responses that set cookies.
    app.addHook("onSend", async (_req, reply) => {
      reply.removeHeader("set-cookie");
    });
    // RFC 6960 A.1: the request body is DER with this media type; kept as raw bytes.
    app.addContentTypeParser("application/ocsp-request", { parseAs: "buffer" }, (_req, body, done) =>
      done(null, body),
    );

    r.get(
      "/pki/ca/:file",
      {
        config: NO_LIMIT,
        schema: {
          tags: ["pki"],
          summary: "CA certificate: {ca}.crt (DER, application/pkix-cert) or {ca}.pem",
          params: z.object({ file: z.string().max(100) }),
        },
      },
      async (req, reply) => {
        const m = /^([a-z0-9-]+)\.(crt|cer|der|pem)$/.exec(req.params.file);
        if (!m) throw new AppError("NOT_FOUND", "CA 证书不存在：请使用 /pki/ca/{ca}.crt");
        const c = ca.caBySlug(m[1]!);
        reply.header("cache-control", "public, max-age=86400");
        reply.header("last-modified", c.notBefore.toUTCString());
        if (m[2] === "pem") return reply.type("application/x-pem-file").send(c.certPem);
        // RFC 5280 4.2.2.1: caIssuers over HTTP returns a DER certificate as application/pkix-cert.
        return reply.type("application/pkix-cert").send(c.certDer);
      },
    );

    r.get(
      "/pki/crl/:file",
      {
        config: NO_LIMIT,
        schema: {
          tags: ["pki"],
          summary: "Full CRL of a CA: {ca}.crl (DER, application/pkix-crl)",
          params: z.object({ file: z.string().max(100) }),
        },
      },
      async (req, reply) => {
        const m = /^([a-z0-9-]+)\.crl$/.exec(req.params.file);
        if (!m) throw new AppError("NOT_FOUND", "CRL 不存在：请使用 /pki/crl/{ca}.crl");
        const crl = await ca.currentCrl(m[1]!);
        const etag = `"${m[1]}-${crl.number}"`;
        // RFC 5019 6.2-style caching: fresh until nextUpdate, revalidated by CRL number.
        const maxAge = Math.max(0, Math.floor((crl.nextUpdate.getTime() - Date.now()) / 1000));
        reply.header("cache-control", `public, max-age=${maxAge}, must-revalidate`);
        reply.header("etag", etag);
        reply.header("last-modified", crl.thisUpdate.toUTCString());
        reply.header("expires", crl.nextUpdate.toUTCString());
        if (req.headers["if-none-match"] === etag) return reply.code(304).send();
        return reply.type("application/pkix-crl").send(crl.der);
      },
    );

    // RFC 5019 5: GET answers are cacheable by HTTP caches, but not one signed for a nonce (a cache
    // would hand the same nonce to the next client) nor an error; POST answers never.
    const sendOcsp = async (reply: FastifyReply, answer: OcspAnswer, get: boolean) => {
      reply.header("cache-control", get && answer.cacheable ? OCSP_CACHEABLE : "no-store");
      return reply.type("application/ocsp-response").send(answer.der);
    };

    r.post(
      "/pki/ocsp",
      {
        config: NO_LIMIT,
        bodyLimit: 64 * 1024,
        schema: {
          tags: ["pki"],
          summary: "OCSP (RFC 6960): application/ocsp-request → application/ocsp-response",
        },
      },
      async (req, reply) => {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        return sendOcsp(reply, await ca.ocsp(body, { ip: req.ip }), false);
      },
    );

    r.get(
      "/pki/ocsp/*",
      {
        config: NO_LIMIT,
        schema: {
          tags: ["pki"],
          summary: "OCSP over GET (RFC 6960 A.1): /pki/ocsp/{url-encoded base64 request}",
        },
      },
      async (req: FastifyRequest, reply) => {
        const raw = (req.params as { "*": string })["*"] ?? "";
        let der: Buffer;
        try {
          der = Buffer.from(decodeURIComponent(raw), "base64");
        } catch {
          der = Buffer.alloc(0);
        }
        return sendOcsp(reply, await ca.ocsp(der, { ip: req.ip }), true);
      },
    );
  };
}

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** Constant-time bearer check: both sides hashed first so lengths never leak through timing. */
export function checkServiceToken(header: string | undefined, expected: string | null): void {
  if (!expected) throw new AppError("UNAUTHENTICATED", "签发服务 API 未启用（未配置 CA_SERVICE_TOKEN）");
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  const ok = m ? timingSafeEqual(digest(m[1]!), digest(expected)) : false;
  if (!ok) throw new AppError("UNAUTHENTICATED", "服务令牌缺失或无效（Authorization: Bearer …）");
}

const zIssueBody = z.object({
  csrPem: z
    .string()
    .min(1)
    .max(64 * 1024)
    .describe("PKCS#10 request (PEM); its signature proves the key"),
  profile: z.string().min(1).max(64).describe("Certificate profile, e.g. enterprise-sign"),
  subject: z
    .record(z.string(), z.unknown())
    .describe(
      "{ kind: enterprise|person|dn, … } or the token client's { commonName, organization, serialNumber, … }",
    ),
  years: z.number().int().min(1).max(30).optional(),
  notAfter: z.iso.datetime().optional(),
  accountId: z.string().max(64).optional(),
  orderId: z.string().max(64).optional(),
});

const zIssueResponse = z.object({
  certificatePem: z.string(),
  chainPem: z.string(),
  serialHex: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  profile: z.string(),
  subject: z.string(),
  ca: z.string(),
});

const zRevokeBody = z.object({
  serialHex: z.string().min(1).max(64),
  reason: z.string().min(1).max(32).default("unspecified"),
  invalidityDate: z.iso.datetime().optional(),
});

const zCertificate = z.object({
  serialHex: z.string(),
  ca: z.string(),
  subject: z.string(),
  profile: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  status: z.enum(["good", "revoked"]),
  revokedAt: z.string().nullable(),
  reason: z.string().nullable(),
  invalidityDate: z.string().nullable(),
  certificatePem: z.string(),
});

/** The RA's service API: mounted under /api/v1. */
export function pkiServiceRoutes(deps: { ca: CaService; serviceToken: string | null }) {
  const { ca, serviceToken } = deps;
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const auth = async (req: FastifyRequest) => checkServiceToken(req.headers.authorization, serviceToken);
    const actor = (req: FastifyRequest) => ({
      type: "system" as const,
      id: "ra-service",
      ip: req.ip ?? null,
    });

    r.post(
      "/pki/issue",
      {
        config: NO_LIMIT,
        onRequest: auth,
        schema: {
          tags: ["pki"],
          summary: "Issue a certificate from a CSR (service token)",
          body: zIssueBody,
          response: { 201: zIssueResponse, 400: zProblem, 401: zProblem },
        },
      },
      async (req, reply) => {
        const b = req.body;
        const result = await ca.issue(actor(req), {
          csrPem: b.csrPem,
          profile: b.profile,
          subject: b.subject,
          years: b.years,
          notAfter: b.notAfter ? new Date(b.notAfter) : undefined,
          accountId: b.accountId,
          orderId: b.orderId,
        });
        return reply.code(201).send(result);
      },
    );

    r.post(
      "/pki/revoke",
      {
        config: NO_LIMIT,
        onRequest: auth,
        schema: {
          tags: ["pki"],
          summary:
            "Revoke a certificate by serial (service token); OCSP changes at once, the CRL within CRL_COALESCE_MS plus one signing",
          body: zRevokeBody,
          response: {
            200: z.object({ certificate: zCertificate }),
            400: zProblem,
            401: zProblem,
            404: zProblem,
            409: zProblem,
          },
        },
      },
      async (req) => {
        const b = req.body;
        const certificate = await ca.revoke(actor(req), {
          serialHex: b.serialHex,
          reason: b.reason,
          invalidityDate: b.invalidityDate ? new Date(b.invalidityDate) : undefined,
        });
        return { certificate };
      },
    );

    r.get(
      "/pki/certificates/:serial",
      {
        config: NO_LIMIT,
        onRequest: auth,
        schema: {
          tags: ["pki"],
          summary: "A certificate and its status (service token)",
          params: z.object({ serial: z.string().max(64) }),
          response: { 200: z.object({ certificate: zCertificate }), 401: zProblem, 404: zProblem },
        },
      },
      async (req) => ({ certificate: await ca.getCertificate(req.params.serial) }),
    );
  };
}
