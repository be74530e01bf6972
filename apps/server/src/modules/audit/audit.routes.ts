import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireStaff, type SecurityDeps } from "../../plugins/security";
import { listAudit, verifyAuditChain } from "./audit.service";

export function auditRoutes(deps: SecurityDeps) {
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
          summary: "Verify the hash chain of the audit log (admin, auditor)",
          response: {
            200: z.object({
              ok: z.boolean(),
              checked: z.number(),
              firstBad: z.object({ seq: z.number(), problem: z.string() }).optional(),
            }),
          },
        },
      },
      async () => verifyAuditChain(deps.db),
    );
  };
}
