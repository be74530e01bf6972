import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requestMeta, strictRateLimit } from "../../lib/http";
import { requireApplicant, type SecurityDeps } from "../../plugins/security";
import type { RenewalService } from "./renewal.service";

const zCsrBody = z.object({
  csrPem: z
    .string({ error: "请提供证书请求（csrPem）" })
    .trim()
    .min(1, { error: "请提供证书请求（csrPem）" })
    .max(16_000, { error: "证书请求（csrPem）过长" }),
});

const zRenewed = z.object({
  certificatePem: z.string(),
  chainPem: z.string(),
  serialHex: z.string(),
  notAfter: z.string(),
});

const zItemParams = z.object({ id: z.string().min(1).max(64), itemId: z.string().min(1).max(64) });

/** 证书在线更新: by the applicant's session, or by the token client holding a one-time code. */
export function renewalRoutes(deps: SecurityDeps & { renewal: RenewalService }) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { renewal } = deps;
    const applicant = requireApplicant(deps);
    const tags = ["renewal"];

    r.post(
      "/orders/:id/items/:itemId/online-update",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary:
            "证书在线更新 of one item of my ready 延期 order: the CA issues the renewed certificate for the request's key",
          params: zItemParams,
          body: zCsrBody,
          response: { 200: zRenewed },
        },
      },
      async (req) =>
        renewal.updateOwn(
          req.applicant!.subjectId,
          req.params.id,
          req.params.itemId,
          req.body.csrPem,
          requestMeta(req),
        ),
    );

    r.post(
      "/orders/:id/items/:itemId/update-code",
      {
        preHandler: applicant,
        config: strictRateLimit(20),
        schema: {
          tags,
          summary:
            "A one-time code (7 days) for the token client's 证书在线更新; a new code voids the item's earlier one",
          params: zItemParams,
          response: { 200: z.object({ code: z.string(), expiresAt: z.string() }) },
        },
      },
      async (req) =>
        renewal.issueCode(req.applicant!.subjectId, req.params.id, req.params.itemId, requestMeta(req)),
    );

    r.post(
      "/online-update",
      {
        // The code is the whole authorisation (no session, so no CSRF); guessing is rate limited. It
        // travels in the body, never the URL, so no access log or proxy log ever holds it.
        config: { csrf: false, ...strictRateLimit(10) },
        schema: {
          tags,
          summary:
            "证书在线更新 by the token client: the one-time code from the order page (body `code`) authorises one item, once: a refused request voids it (404 unknown, 410 used, refused or expired)",
          body: zCsrBody.extend({
            code: z
              .string({ error: "请提供在线更新码（code）" })
              .trim()
              .min(1, { error: "请提供在线更新码（code）" })
              .max(200, { error: "在线更新码（code）过长" }),
          }),
          response: { 200: zRenewed },
        },
      },
      async (req) => renewal.updateByCode(req.body.code, req.body.csrPem, requestMeta(req)),
    );
  };
}
