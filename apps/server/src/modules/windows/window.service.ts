import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import {
  type CalendarDay,
  checkWeeklyHours,
  dayStatus,
  formatHours,
  isValidIsoDate,
  nextOpenDate,
  openNow,
  shanghaiDate,
  type WeeklyHours,
} from "@certhall/domain";
import type { Db } from "../../db/database";
import type { ServiceWindow } from "../../db/tables";
import { invalidField, notFound } from "../../errors";
import { type Clock, iso } from "../../lib/clock";
import { appendAudit } from "../audit/audit.service";

export interface WindowDeps {
  db: Db;
  clock: Clock;
}

interface Meta {
  ip: string | null;
}

type Actor = { type: "staff"; id: string } | { type: "system"; id: null };

export function parseHours(w: ServiceWindow): WeeklyHours {
  return JSON.parse(w.hours) as WeeklyHours;
}

export function createWindowService(deps: WindowDeps) {
  const { db, clock } = deps;

  async function calendarAround(date: string): Promise<CalendarDay[]> {
    // Enough days around today to find the next open day across the longest holiday (Spring Festival).
    const from = `${Number(date.slice(0, 4)) - 1}-12-01`;
    const to = `${Number(date.slice(0, 4)) + 1}-02-28`;
    return db
      .selectFrom("calendar_days")
      .select(["date", "kind", "name"])
      .where("date", ">=", from)
      .where("date", "<=", to)
      .execute();
  }

  async function list() {
    return db.selectFrom("service_windows").selectAll().orderBy("sort_order").execute();
  }

  /** The public 「办理网点」 view: today's state per window, in Asia/Shanghai. */
  async function publicView() {
    const now = clock();
    const today = shanghaiDate(now);
    const days = await calendarAround(today);
    const windows = (await list()).map((w) => {
      const hours = parseHours(w);
      return {
        id: w.id,
        code: w.code,
        city: w.city,
        name: w.name,
        address: w.address,
        phone: w.phone,
        hours,
        hoursText: formatHours(hours),
        today: dayStatus(today, hours, days),
        openNow: openNow(now, hours, days),
        nextOpenDate: nextOpenDate(now, hours, days),
      };
    });
    return { now: now.toISOString(), today, calendar: days.filter((d) => d.date >= today), windows };
  }

  async function update(
    actor: Actor,
    id: string,
    input: { city: string; name: string; address: string; phone: string; hours: WeeklyHours },
    meta: Meta,
  ) {
    const problem = checkWeeklyHours(input.hours);
    if (problem) throw invalidField("hours", problem);
    const before = await db.selectFrom("service_windows").selectAll().where("id", "=", id).executeTakeFirst();
    if (!before) throw notFound("网点");
    return db.transaction().execute(async (trx) => {
      await trx
        .updateTable("service_windows")
        .set({ ...input, hours: JSON.stringify(input.hours), updated_at: iso(clock()) })
        .where("id", "=", id)
        .execute();
      await appendAudit(trx, {
        at: clock(),
        actorType: actor.type,
        actorId: actor.id,
        action: "window.update",
        objectType: "service_window",
        objectId: id,
        detail: { before: { ...before, hours: JSON.parse(before.hours) }, after: input },
        ip: meta.ip,
      });
      return trx.selectFrom("service_windows").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    });
  }

  async function calendarYear(year: number) {
    return db
      .selectFrom("calendar_days")
      .selectAll()
      .where("date", ">=", `${year}-01-01`)
      .where("date", "<=", `${year}-12-31`)
      .orderBy("date")
      .execute();
  }

  async function putDay(actor: Actor, input: CalendarDay, meta: Meta) {
    if (!isValidIsoDate(input.date)) throw invalidField("date", "日期无效，应为 YYYY-MM-DD");
    return db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom("calendar_days")
        .selectAll()
        .where("date", "=", input.date)
        .executeTakeFirst();
      const row = { ...input, source: "admin" as const, updated_at: iso(clock()) };
      if (existing) await trx.updateTable("calendar_days").set(row).where("date", "=", input.date).execute();
      else await trx.insertInto("calendar_days").values(row).execute();
      await appendAudit(trx, {
        at: clock(),
        actorType: actor.type,
        actorId: actor.id,
        action: "calendar.put",
        objectType: "calendar_day",
        objectId: input.date,
        detail: { before: existing ?? null, after: input },
        ip: meta.ip,
      });
      return row;
    });
  }

  async function deleteDay(actor: Actor, date: string, meta: Meta) {
    await db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom("calendar_days")
        .selectAll()
        .where("date", "=", date)
        .executeTakeFirst();
      if (!existing) throw notFound("日历日期");
      await trx.deleteFrom("calendar_days").where("date", "=", date).execute();
      await appendAudit(trx, {
        at: clock(),
        actorType: actor.type,
        actorId: actor.id,
        action: "calendar.delete",
        objectType: "calendar_day",
        objectId: date,
        detail: { before: existing },
        ip: meta.ip,
      });
    });
  }

  return { list, publicView, update, calendarYear, putDay, deleteDay };
}

export type WindowService = ReturnType<typeof createWindowService>;

/**
 * Statutory holidays and make-up workdays from the `chinese-days` package (1.5.7 knows up to 2026).
 * Its data file maps a date to "English,中文,days"; later years are entered by the admin.
 */
export function chineseDaysCalendar(): CalendarDay[] {
  const require = createRequire(import.meta.url);
  const file = require.resolve("chinese-days/dist/chinese-days.json");
  const data = JSON.parse(readFileSync(file, "utf8")) as {
    holidays: Record<string, string>;
    workdays: Record<string, string>;
  };
  const out: CalendarDay[] = [];
  for (const [kind, map] of [
    ["holiday", data.holidays],
    ["workday", data.workdays],
  ] as const) {
    for (const [date, value] of Object.entries(map)) {
      out.push({ date, kind, name: value.split(",")[1] ?? value });
    }
  }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}
