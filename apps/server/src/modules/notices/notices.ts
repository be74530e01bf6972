// 公告、常见问题与客服热线 on the portal home, edited by the admin (issue 15). One JSON value in
// platform_settings (key portal_notices): no row yet means nothing published. An edit replaces the
// whole set in one transaction with its audit entry (before → after).
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../../db/database";
import { iso } from "../../lib/clock";
import { requireStaff, type SecurityDeps } from "../../plugins/security";
import { appendAudit } from "../audit/audit.service";

const KEY = "portal_notices";

const text = (label: string, max: number) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .min(1, { error: `请填写${label}` })
    .max(max, { error: `${label}不能超过 ${max} 个字` });

export const zNotices = z.object({
  announcements: z
    .array(
      z.object({
        title: text("公告标题", 60),
        body: text("公告内容", 2000),
        /** A Shanghai date the notice is dated with. */
        date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "公告日期格式应为 YYYY-MM-DD" }),
        pinned: z.boolean().default(false),
      }),
      { error: "公告应为列表" },
    )
    .max(20, { error: "公告最多 20 条" }),
  faq: z
    .array(z.object({ question: text("问题", 100), answer: text("回答", 2000) }), {
      error: "常见问题应为列表",
    })
    .max(50, { error: "常见问题最多 50 条" }),
  hotline: z.object({
    phone: z
      .string({ error: "请填写客服热线" })
      .trim()
      .regex(/^[0-9][0-9-]{6,19}$/, {
        error: "客服热线应为 7–20 位数字或短横线，如 0591-83622480 或 400-000-0000",
      }),
    hours: text("服务时间", 60),
  }),
});
export type Notices = z.infer<typeof zNotices>;

const EMPTY = { announcements: [], faq: [], hotline: null };

async function read(db: Db) {
  const row = await db
    .selectFrom("platform_settings")
    .select("value")
    .where("key", "=", KEY)
    .executeTakeFirst();
  if (!row) return EMPTY;
  const v = JSON.parse(row.value) as Notices;
  // Pinned first, then the newest.
  const announcements = [...v.announcements].sort(
    (a, b) => Number(b.pinned) - Number(a.pinned) || b.date.localeCompare(a.date),
  );
  return { ...v, announcements };
}

export function noticeRoutes(deps: SecurityDeps) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ["notices"];
    const zAnswer = zNotices.extend({ hotline: zNotices.shape.hotline.nullable() });

    r.get(
      "/notices",
      { schema: { tags, summary: "公告、常见问题与客服热线 (public)", response: { 200: zAnswer } } },
      async () => read(deps.db),
    );

    r.put(
      "/admin/notices",
      {
        preHandler: requireStaff(deps, "settings.manage"),
        schema: {
          tags,
          summary: "Replace the portal's notices, FAQ and hotline (audited)",
          body: zNotices,
          response: { 200: zAnswer },
        },
      },
      async (req) => {
        const staffId = req.staffSession!.staff.id;
        await deps.db.transaction().execute(async (trx) => {
          const before = await trx
            .selectFrom("platform_settings")
            .select("value")
            .where("key", "=", KEY)
            .executeTakeFirst();
          const value = JSON.stringify(req.body);
          const now = iso(deps.clock());
          await trx
            .insertInto("platform_settings")
            .values({ key: KEY, value, updated_at: now, updated_by: staffId })
            .onConflict((oc) => oc.column("key").doUpdateSet({ value, updated_at: now, updated_by: staffId }))
            .execute();
          await appendAudit(trx, {
            at: deps.clock(),
            actorType: "staff",
            actorId: staffId,
            action: "notices.update",
            objectType: "notices",
            objectId: KEY,
            detail: { before: before ? JSON.parse(before.value) : null, after: req.body },
            ip: req.ip,
          });
        });
        return read(deps.db);
      },
    );
  };
}
