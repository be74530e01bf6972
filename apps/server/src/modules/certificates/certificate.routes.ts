import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireApplicant, type SecurityDeps } from "../../plugins/security";
import type { CertificateService } from "./certificate.service";
import { certsOnlyPkcs7 } from "./pkcs7";

const zWalletItem = z.object({
  serialHex: z.string(),
  subject: z.object({ kind: z.string().nullable(), name: z.string(), identity: z.string().nullable() }),
  dn: z.string(),
  caType: z.string().nullable(),
  profile: z.string(),
  orderNo: z.string().nullable(),
  notBefore: z.string(),
  notAfter: z.string(),
  state: z.enum(["good", "revoked", "expired"]),
  revokedAt: z.string().nullable(),
  expiresInDays: z.number(),
  /** 电子签章 on this certificate (enabled: usable now), or null. */
  eseal: z.object({ enabled: z.boolean(), sealName: z.string() }).nullable(),
  /** The open order acting on this certificate (one at most), or null. */
  openOrder: z.object({ orderNo: z.string(), business: z.string() }).nullable(),
  /** The business that made this certificate (新证, 延期, 变更…); null when issued outside an order. */
  business: z.string().nullable(),
  /** The lineage's earlier certificates, newest first (DESIGN §8): the wallet unfolds them on demand. */
  history: z.array(
    z.object({
      serialHex: z.string(),
      business: z.string(),
      orderNo: z.string().nullable(),
      notBefore: z.string(),
      notAfter: z.string(),
      state: z.enum(["good", "revoked", "expired"]),
      revokedAt: z.string().nullable(),
      revocationReason: z.string().nullable(),
    }),
  ),
});

const zBool = z
  .enum(["true", "false", "1", "0"], { error: "chain 应为 true 或 false" })
  .transform((v) => v === "true" || v === "1");

export function certificateRoutes(deps: SecurityDeps & { certificates: CertificateService }) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const applicant = requireApplicant(deps);
    const tags = ["certificates"];

    r.get(
      "/certificates",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary:
            "My certificates (wallet), one row per lineage (its head) with its history: subject, CA type, serial, validity, state, days to expiry",
          response: { 200: z.object({ certificates: z.array(zWalletItem) }) },
        },
      },
      async (req) => ({ certificates: await deps.certificates.list(req.applicant!.subjectId) }),
    );

    r.get(
      "/certificates/:serial",
      {
        preHandler: applicant,
        schema: {
          tags,
          summary:
            "Download one of my certificates: PEM (optionally with the chain) or DER (with the chain: PKCS#7 .p7b)",
          params: z.object({ serial: z.string().min(1).max(80) }),
          querystring: z.object({
            format: z.enum(["pem", "der"], { error: "format 应为 pem 或 der" }).default("pem"),
            chain: zBool.default(false),
          }),
        },
      },
      async (req, reply) => {
        const { format, chain } = req.query;
        const c = await deps.certificates.download(req.applicant!.subjectId, req.params.serial);
        const base = `certificate-${c.serialHex}`;
        const attach = (name: string) =>
          reply.header("content-disposition", `attachment; filename="${name}"`);
        if (format === "pem") {
          attach(`${base}${chain ? "-chain" : ""}.pem`);
          const body = chain ? [c.certificatePem, ...c.chainPem].join("") : c.certificatePem;
          return reply.type("application/x-pem-file").send(body);
        }
        if (chain) {
          attach(`${base}-chain.p7b`);
          return reply
            .type("application/x-pkcs7-certificates")
            .send(certsOnlyPkcs7([c.certificateDer, ...c.chainDer]));
        }
        attach(`${base}.cer`);
        return reply.type("application/pkix-cert").send(c.certificateDer);
      },
    );
  };
}
