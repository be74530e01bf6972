import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requestMeta, zNoContent } from "../../lib/http";
import { requireStaff, type SecurityDeps } from "../../plugins/security";
import { parseHours, type WindowService } from "./window.service";

const zClock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: "时间格式应为 HH:MM，如 09:00" });
const zHours = z.object({
  weekdays: z.array(z.number().int().min(1).max(7)).max(7),
  sessions: z.array(z.object({ start: zClock, end: zClock })).max(6),
});
const zDayStatus = z.object({
  open: z.boolean(),
  reason: z.enum(["weekday", "weekend", "holiday", "makeup_workday"]),
  label: z.string(),
});
const zWindowAdmin = z.object({
  id: z.string(),
  code: z.string(),
  city: z.string(),
  name: z.string(),
  address: z.string(),
  phone: z.string(),
  hours: zHours,
  updatedAt: z.string(),
});
const zDay = z.object({
  date: z.string(),
  kind: z.enum(["holiday", "workday"]),
  name: z.string(),
  source: z.enum(["chinese-days", "admin"]).optional(),
});
const zDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "日期格式应为 YYYY-MM-DD" });

export function windowRoutes(deps: SecurityDeps & { windows: WindowService }) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { windows } = deps;
    const manageWindows = requireStaff(deps, "windows.manage");
    const manageCalendar = requireStaff(deps, "calendar.manage");
    const actor = (id: string) => ({ type: "staff" as const, id });

    r.get(
      "/windows",
      {
        schema: {
          tags: ["windows"],
          summary: "办理网点: service windows with today's open/closed state (Asia/Shanghai)",
          response: {
            200: z.object({
              /** The server's clock, so a date picker judges "today is over" by it, not the device's. */
              now: z.string(),
              today: z.string(),
              /** Holidays and make-up workdays from today on, so a date picker can follow the calendar. */
              calendar: z.array(
                z.object({ date: z.string(), kind: z.enum(["holiday", "workday"]), name: z.string() }),
              ),
              windows: z.array(
                z.object({
                  id: z.string(),
                  code: z.string(),
                  city: z.string(),
                  name: z.string(),
                  address: z.string(),
                  phone: z.string(),
                  hours: zHours,
                  hoursText: z.string(),
                  today: zDayStatus,
                  openNow: z.boolean(),
                  nextOpenDate: z.string().nullable(),
                }),
              ),
            }),
          },
        },
      },
      async () => windows.publicView(),
    );

    const present = (w: Awaited<ReturnType<WindowService["list"]>>[number]) => ({
      id: w.id,
      code: w.code,
      city: w.city,
      name: w.name,
      address: w.address,
      phone: w.phone,
      hours: parseHours(w),
      updatedAt: w.updated_at,
    });

    r.get(
      "/admin/windows",
      {
        preHandler: manageWindows,
        schema: {
          tags: ["windows"],
          summary: "Windows for editing (admin)",
          response: { 200: z.object({ windows: z.array(zWindowAdmin) }) },
        },
      },
      async () => ({ windows: (await windows.list()).map(present) }),
    );

    r.put(
      "/admin/windows/:id",
      {
        preHandler: manageWindows,
        schema: {
          tags: ["windows"],
          summary: "Edit a window (admin)",
          params: z.object({ id: z.string().max(64) }),
          body: z.object({
            city: z.string().trim().min(1).max(20),
            name: z.string().trim().min(1).max(100),
            address: z.string().trim().min(1).max(200),
            phone: z
              .string()
              .trim()
              .regex(/^[0-9+\-() ]{5,20}$/, { error: "电话号码格式不正确" }),
            hours: zHours,
          }),
          response: { 200: z.object({ window: zWindowAdmin }) },
        },
      },
      async (req) => ({
        window: present(
          await windows.update(actor(req.staffSession!.staff.id), req.params.id, req.body, requestMeta(req)),
        ),
      }),
    );

    r.get(
      "/admin/calendar",
      {
        preHandler: manageCalendar,
        schema: {
          tags: ["windows"],
          summary: "Holidays and make-up workdays of a year (admin)",
          querystring: z.object({ year: z.coerce.number().int().min(2000).max(2100) }),
          response: { 200: z.object({ days: z.array(zDay) }) },
        },
      },
      async (req) => ({
        days: (await windows.calendarYear(req.query.year)).map((d) => ({
          date: d.date,
          kind: d.kind,
          name: d.name,
          source: d.source,
        })),
      }),
    );

    r.put(
      "/admin/calendar/:date",
      {
        preHandler: manageCalendar,
        schema: {
          tags: ["windows"],
          summary: "Mark a day as statutory holiday (closed) or make-up workday (open) (admin)",
          params: z.object({ date: zDate }),
          body: z.object({ kind: z.enum(["holiday", "workday"]), name: z.string().trim().min(1).max(30) }),
          response: { 200: z.object({ day: zDay }) },
        },
      },
      async (req) => {
        const day = await windows.putDay(
          actor(req.staffSession!.staff.id),
          { date: req.params.date, ...req.body },
          requestMeta(req),
        );
        return { day: { date: day.date, kind: day.kind, name: day.name, source: day.source } };
      },
    );

    r.delete(
      "/admin/calendar/:date",
      {
        preHandler: manageCalendar,
        schema: {
          tags: ["windows"],
          summary: "Remove a calendar entry (admin)",
          params: z.object({ date: zDate }),
          response: { 204: zNoContent },
        },
      },
      async (req, reply) => {
        await windows.deleteDay(actor(req.staffSession!.staff.id), req.params.date, requestMeta(req));
        return reply.code(204).send(null);
      },
    );
  };
}
