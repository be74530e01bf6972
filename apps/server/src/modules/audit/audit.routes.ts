import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireStaff, type SecurityDeps } from "../../plugins/security";
import type { CaService } from "../pki/ca.service";
import { verifyAuditWithAnchor } from "./audit.anchor";
import { listAudit } from "./audit.service";

export function auditRoutes(deps: SecurityDeps & { ca: CaService }) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ["audit"];

    r.get(
      "/admin/audit",
      {
        preHandler: requireStaff(deps, "audit.read"),
        schema: {
          tags,
          summary: "Audit log, newest first (admin, auditor)",
          querystring: z.object({
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
                  }),
                  action: z.string(),
                  objectType: z.string().nullable(),
                  objectId: z.string().nullable(),
                  detail: z.record(z.string(), z.unknown()),
                  ip: z.string().nullable(),
                }),
              ),
            }),
          },
        },
      },
      async (req) => {
        const rows = await listAudit(deps.db, req.query);
        const staffIds = [
          ...new Set(rows.filter((r) => r.actor_type === "staff" && r.actor_id).map((r) => r.actor_id!)),
        ];
        const names = new Map(
          staffIds.length
            ? (
                await deps.db
                  .selectFrom("staff")
                  .select(["id", "username"])
                  .where("id", "in", staffIds)
                  .execute()
              ).map((s) => [s.id, s.username] as const)
            : [],
        );
        return {
          entries: rows.map((e) => ({
            seq: e.seq,
            at: e.at,
            actor: {
              type: e.actor_type,
              id: e.actor_id,
              name: e.actor_id ? (names.get(e.actor_id) ?? null) : null,
            },
            action: e.action,
            objectType: e.object_type,
            objectId: e.object_id,
            detail: JSON.parse(e.detail) as Record<string, unknown>,
            ip: e.ip,
          })),
        };
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
