import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireStaff, type SecurityDeps } from "../../plugins/security";
import type { CaService } from "../pki/ca.service";
import { reportCsv, reportXlsx } from "../reports/reports.export";
import { verifyAuditWithAnchor } from "./audit.anchor";
import { auditReport } from "./audit.export";
import { AUDIT_ACTOR_TYPES, AUDIT_GROUPS, auditViews, listAudit } from "./audit.list";

export function auditRoutes(deps: SecurityDeps & { ca: CaService }) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ["audit"];

    const read = requireStaff(deps, "audit.read");
    const zFilter = z.object({
      group: z.enum(AUDIT_GROUPS, { error: "操作类别（group）无效" }).optional(),
      action: z.string().max(64, "操作（action）过长").optional(),
      actorType: z.enum(AUDIT_ACTOR_TYPES, { error: "操作人类型（actorType）无效" }).optional(),
      actor: z.string().max(64, "操作人（actor）过长").optional(),
      objectType: z.string().max(32, "对象类型（objectType）过长").optional(),
      object: z.string().max(128, "对象（object）过长").optional(),
      from: z.string().max(10, "开始日期（from）无效").optional(),
      to: z.string().max(10, "结束日期（to）无效").optional(),
    });
    const zChange = z.object({ field: z.string(), before: z.string(), after: z.string() });

    r.get(
      "/admin/audit",
      {
        preHandler: read,
        schema: {
          tags,
          summary: "Audit log, newest first, filtered; keyset on seq (admin, auditor)",
          querystring: zFilter.extend({
            limit: z.coerce.number().int().min(1).max(200).default(50),
            before: z.coerce.number().int().positive().optional(),
          }),
          response: {
            200: z.object({
              entries: z.array(
                z.object({
                  seq: z.number(),
                  at: z.string(),
                  actor: z.object({
                    type: z.string(),
                    id: z.string().nullable(),
                    name: z.string().nullable(),
                    role: z.string().nullable(),
                    roleName: z.string().nullable(),
                  }),
                  action: z.string(),
                  actionName: z.string().nullable(),
                  objectType: z.string().nullable(),
                  objectId: z.string().nullable(),
                  detail: z.record(z.string(), z.unknown()),
                  changes: z.array(zChange),
                  ip: z.string().nullable(),
                  hash: z.string(),
                  prevHash: z.string(),
                }),
              ),
            }),
          },
        },
      },
      async (req) => ({ entries: await auditViews(deps.db, await listAudit(deps.db, req.query)) }),
    );

    r.get(
      "/admin/audit/export",
      {
        preHandler: read,
        schema: {
          tags,
          summary: "The filtered audit log as a download: format=xlsx (default) or csv (admin, auditor)",
          querystring: zFilter.extend({ format: z.enum(["xlsx", "csv"]).default("xlsx") }),
        },
      },
      async (req, reply) => {
        const { format, ...filter } = req.query;
        const report = await auditReport(deps.db, filter);
        const range = filter.from && filter.to ? `${filter.from}-${filter.to}` : "all";
        reply.header(
          "content-disposition",
          `attachment; filename="audit-${range}.${format}"; filename*=UTF-8''${encodeURIComponent(`审计日志-${range}.${format}`)}`,
        );
        if (format === "csv") return reply.type("text/csv; charset=utf-8").send(reportCsv(report));
        const subtitle = filter.from && filter.to ? `${filter.from} 至 ${filter.to}（北京时间）` : "全部日期";
        return reply
          .type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
          .send(await reportXlsx(report, `${subtitle}，共 ${report.rows.length} 条`));
      },
    );

    r.post(
      "/admin/audit/verify",
      {
        preHandler: requireStaff(deps, "audit.verify"),
        schema: {
          tags,
          summary:
            "Verify the keyed hash chain of the audit log and its newest signed anchor (admin, auditor)",
          response: {
            200: z.object({
              ok: z.boolean(),
              checked: z.number(),
              head: z.object({ seq: z.number(), hash: z.string() }),
              firstBad: z
                .object({
                  seq: z.number(),
                  kind: z.enum(["altered", "missing", "rewritten", "cut", "key", "anchor"]),
                  problem: z.string(),
                })
                .optional(),
              anchor: z.object({ seq: z.number(), at: z.string() }).nullable(),
            }),
          },
        },
      },
      async () => {
        const r = await verifyAuditWithAnchor({ db: deps.db, ca: deps.ca, dir: deps.config.audit.anchorDir });
        // The anchor's file path is the operator's business, not the web's.
        return { ...r, anchor: r.anchor && { seq: r.anchor.seq, at: r.anchor.at } };
      },
    );
  };
}
