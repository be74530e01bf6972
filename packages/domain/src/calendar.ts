// Service-window calendar (服务时间): weekly opening hours plus the statutory holiday calendar.
//
// Seed: "周一至周五 9:00-12:00, 下午 13:00-17:00, 周末及法定节假日休息". DESIGN §4 adds that windows are
// open on make-up workdays (调休) and that hours and the holiday calendar are data the admin edits.
// Everything here works on Asia/Shanghai wall time (UTC+8, no DST since 1991) computed by arithmetic,
// so the result never depends on the machine's TZ setting. Pure: runs in the browser and on the server.

/** A calendar date in Asia/Shanghai, "YYYY-MM-DD". */
export type IsoDate = string;

/** A wall-clock time "HH:MM" (24 h, zero-padded). */
export type ClockTime = string;

export interface Session {
  start: ClockTime;
  end: ClockTime;
}

export interface WeeklyHours {
  /** ISO weekdays the window opens on: 1 = Monday … 7 = Sunday. */
  weekdays: number[];
  /** Opening sessions of an open day, e.g. 09:00–12:00 and 13:00–17:00 (end exclusive). */
  sessions: Session[];
}

export interface CalendarDay {
  date: IsoDate;
  /** holiday = statutory holiday, closed; workday = make-up workday (调休上班), open. */
  kind: "holiday" | "workday";
  /** The holiday the entry belongs to, e.g. "国庆节". */
  name: string;
}

export type DayStatusReason = "weekday" | "weekend" | "holiday" | "makeup_workday";

export interface DayStatus {
  open: boolean;
  reason: DayStatusReason;
  /** Chinese, for people: "工作日", "周末休息", "法定节假日：国庆节", "调休上班：国庆节". */
  label: string;
}

/** The seed's hours for all three windows: Mon–Fri 9:00–12:00 and 13:00–17:00. */
export const DEFAULT_WEEKLY_HOURS: WeeklyHours = {
  weekdays: [1, 2, 3, 4, 5],
  sessions: [
    { start: "09:00", end: "12:00" },
    { start: "13:00", end: "17:00" },
  ],
};

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const CLOCK_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const WEEKDAY_NAMES = ["", "周一", "周二", "周三", "周四", "周五", "周六", "周日"] as const;

/** True when `date` is "YYYY-MM-DD" and names a real day of the proleptic Gregorian calendar. */
export function isValidIsoDate(date: string): boolean {
  const m = ISO_DATE.exec(date);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

export function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; UTC so no TZ can shift it.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function parseIsoDate(date: IsoDate): number {
  if (!isValidIsoDate(date)) throw new RangeError(`invalid date "${date}", expected YYYY-MM-DD`);
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d); // setUTCFullYear keeps years 0–99 literal, unlike Date.UTC
  return t.getTime();
}

function formatUtcDate(ms: number): IsoDate {
  const t = new Date(ms);
  const y = String(t.getUTCFullYear()).padStart(4, "0");
  const m = String(t.getUTCMonth() + 1).padStart(2, "0");
  const d = String(t.getUTCDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

/** The Asia/Shanghai calendar date of an instant, independent of the machine's time zone. */
export function shanghaiDate(instant: Date): IsoDate {
  return formatUtcDate(instant.getTime() + SHANGHAI_OFFSET_MS);
}

/** Minutes since Shanghai midnight of an instant (0–1439). */
export function shanghaiMinutes(instant: Date): number {
  const ms = (((instant.getTime() + SHANGHAI_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
  return Math.floor(ms / 60_000);
}

/** `date` moved by `days` calendar days (negative goes back). */
export function addDays(date: IsoDate, days: number): IsoDate {
  return formatUtcDate(parseIsoDate(date) + days * DAY_MS);
}

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: IsoDate): number {
  const dow = new Date(parseIsoDate(date)).getUTCDay(); // 0 = Sunday
  return dow === 0 ? 7 : dow;
}

function clockMinutes(time: ClockTime): number {
  const m = CLOCK_TIME.exec(time);
  if (!m) throw new RangeError(`invalid time "${time}", expected HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * Checks admin-entered hours: weekdays 1–7 without repeats, sessions "HH:MM" with start < end and no
 * overlaps. Returns a Chinese reason for the form, or null when the hours are usable.
 */
export function checkWeeklyHours(hours: WeeklyHours): string | null {
  const seen = new Set<number>();
  for (const d of hours.weekdays) {
    if (!Number.isInteger(d) || d < 1 || d > 7) return `办公日应为 1（周一）到 7（周日），不能是 ${d}`;
    if (seen.has(d)) return `办公日 ${WEEKDAY_NAMES[d]} 重复`;
    seen.add(d);
  }
  const ranges: [number, number][] = [];
  for (const s of hours.sessions) {
    if (!CLOCK_TIME.test(s.start) || !CLOCK_TIME.test(s.end)) {
      return `办公时段时间格式应为 HH:MM（如 09:00），实际为 ${s.start}-${s.end}`;
    }
    const range: [number, number] = [clockMinutes(s.start), clockMinutes(s.end)];
    if (range[0] >= range[1]) return `办公时段 ${s.start}-${s.end} 的开始时间应早于结束时间`;
    ranges.push(range);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]![0] < ranges[i - 1]![1]) return "办公时段不能重叠";
  }
  return null;
}

/**
 * Whether the window is open on `date` at all, and why. A calendar entry wins over the weekly rule:
 * a statutory holiday closes a weekday, a make-up workday (调休) opens a weekend.
 */
export function dayStatus(date: IsoDate, hours: WeeklyHours, days: readonly CalendarDay[]): DayStatus {
  const entry = days.find((d) => d.date === date);
  if (entry?.kind === "holiday") {
    return { open: false, reason: "holiday", label: entry.name ? `法定节假日：${entry.name}` : "法定节假日" };
  }
  if (entry?.kind === "workday") {
    return {
      open: true,
      reason: "makeup_workday",
      label: entry.name ? `调休上班：${entry.name}` : "调休上班",
    };
  }
  const weekday = isoWeekday(date);
  if (hours.weekdays.includes(weekday)) return { open: true, reason: "weekday", label: "工作日" };
  // "weekend" covers every weekday the hours leave out; say so honestly when it is not Sat/Sun.
  return {
    open: false,
    reason: "weekend",
    label: weekday >= 6 ? "周末休息" : `${WEEKDAY_NAMES[weekday]}休息`,
  };
}

/** The session open at `instant` (Asia/Shanghai), or null when the window is closed at that moment. */
export function openSessionAt(
  instant: Date,
  hours: WeeklyHours,
  days: readonly CalendarDay[],
): Session | null {
  if (!dayStatus(shanghaiDate(instant), hours, days).open) return null;
  const now = shanghaiMinutes(instant);
  return hours.sessions.find((s) => clockMinutes(s.start) <= now && now < clockMinutes(s.end)) ?? null;
}

/** True when a window with these hours is serving at `instant` (sessions are [start, end)). */
export function openNow(instant: Date, hours: WeeklyHours, days: readonly CalendarDay[]): boolean {
  return openSessionAt(instant, hours, days) !== null;
}

/** True once the last session of the Shanghai day of `instant` has ended (or there are no sessions). */
export function dayOver(instant: Date, hours: WeeklyHours): boolean {
  if (hours.sessions.length === 0) return true;
  const lastEnd = Math.max(...hours.sessions.map((s) => clockMinutes(s.end)));
  return shanghaiMinutes(instant) >= lastEnd;
}

/** How far ahead an appointment at a window may be booked (days after today, Asia/Shanghai). */
export const APPOINTMENT_HORIZON_DAYS = 30;

/** Why a window visit on a date cannot be booked; `null` when it can. */
export type AppointmentRefusal =
  | { reason: "past"; today: IsoDate }
  | { reason: "beyond"; last: IsoDate }
  | { reason: "closed"; label: string }
  | { reason: "day_over"; today: IsoDate };

/**
 * The one rule for booking a window visit on `date`, shared by the server (which has the last word)
 * and the browser's date picker: from today on (Asia/Shanghai), within the horizon, on a day the
 * window opens, and today only while a session has not yet ended.
 */
export function appointmentRefusal(
  date: IsoDate,
  now: Date,
  hours: WeeklyHours,
  days: readonly CalendarDay[],
): AppointmentRefusal | null {
  const today = shanghaiDate(now);
  if (date < today) return { reason: "past", today };
  const last = addDays(today, APPOINTMENT_HORIZON_DAYS);
  if (date > last) return { reason: "beyond", last };
  const status = dayStatus(date, hours, days);
  if (!status.open) return { reason: "closed", label: status.label };
  if (date === today && dayOver(now, hours)) return { reason: "day_over", today };
  return null;
}

/** How far ahead nextOpenDate looks; the longest Chinese closure (Spring Festival) is about 9 days. */
const NEXT_OPEN_HORIZON_DAYS = 366;

/**
 * The first date on which the window opens.
 * - `from` as "YYYY-MM-DD": that date itself counts when it is an open day.
 * - `from` as an instant: today (Shanghai) counts only if a session has not yet ended, so at 17:30
 *   on a Friday the answer is next Monday (or the make-up workday before it).
 * Returns null when nothing opens within a year (e.g. hours without weekdays or sessions).
 */
export function nextOpenDate(
  from: IsoDate | Date,
  hours: WeeklyHours,
  days: readonly CalendarDay[],
): IsoDate | null {
  if (hours.sessions.length === 0) return null;
  let date: IsoDate;
  if (from instanceof Date) {
    date = shanghaiDate(from);
    if (dayOver(from, hours)) date = addDays(date, 1);
  } else {
    date = from;
    parseIsoDate(date);
  }
  for (let i = 0; i < NEXT_OPEN_HORIZON_DAYS; i++) {
    if (dayStatus(date, hours, days).open) return date;
    date = addDays(date, 1);
  }
  return null;
}

function formatClock(time: ClockTime): string {
  // "09:00" → "9:00" as the seed writes it.
  return time.replace(/^0(\d)/, "$1");
}

function formatWeekdays(weekdays: readonly number[]): string {
  const sorted = [...new Set(weekdays)].filter((d) => d >= 1 && d <= 7).sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const first = WEEKDAY_NAMES[sorted[i]!];
    const last = WEEKDAY_NAMES[sorted[j]!];
    // Runs of three or more read "周一至周五"; a pair stays a list ("周六、周日").
    if (j - i >= 2) parts.push(`${first}至${last}`);
    else for (let k = i; k <= j; k++) parts.push(WEEKDAY_NAMES[sorted[k]!]!);
    i = j + 1;
  }
  return parts.join("、");
}

/** "周一至周五 9:00-12:00，13:00-17:00" — the seed's wording for people. */
export function formatHours(hours: WeeklyHours): string {
  const weekdays = formatWeekdays(hours.weekdays);
  if (!weekdays || hours.sessions.length === 0) return "暂无办公时间";
  const sessions = [...hours.sessions]
    .sort((a, b) => a.start.localeCompare(b.start))
    .map((s) => `${formatClock(s.start)}-${formatClock(s.end)}`)
    .join("，");
  return `${weekdays} ${sessions}`;
}
