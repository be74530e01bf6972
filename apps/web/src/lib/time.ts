import dayjs from "dayjs";
import customParseFormat from "dayjs/plugin/customParseFormat";
import timezone from "dayjs/plugin/timezone";
import utc from "dayjs/plugin/utc";
import "dayjs/locale/zh-cn";

// "09:00" with format "HH:mm" (window hours) needs the plugin; antd happens to load it too, but the
// hours editor should not depend on that.
dayjs.extend(customParseFormat);
dayjs.extend(utc);
dayjs.extend(timezone);

/** Everything a person reads is in China time (DESIGN §4), whatever the browser's own zone. */
export const SHANGHAI = "Asia/Shanghai";

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = dayjs(iso);
  return d.isValid() ? d.tz(SHANGHAI).format("YYYY-MM-DD HH:mm:ss") : iso;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = dayjs(iso);
  return d.isValid() ? d.tz(SHANGHAI).format("YYYY-MM-DD") : iso;
}

const WEEKDAY_ZH = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];
const WEEKDAY_EN = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** "2025-10-08" → "2025-10-08（周三）"; a calendar date, so no time zone is involved. */
export function formatCalendarDate(date: string, lang: "zh" | "en" = "zh"): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const dow = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay();
  return lang === "zh" ? `${date}（${WEEKDAY_ZH[dow]}）` : `${date} (${WEEKDAY_EN[dow]})`;
}

/** Hour of the day in Shanghai, for greetings. */
export function shanghaiHour(now: Date): number {
  return (now.getUTCHours() + 8) % 24;
}

export type DayPart = "morning" | "noon" | "afternoon" | "evening";

export function dayPart(hour: number): DayPart {
  if (hour >= 5 && hour < 11) return "morning";
  if (hour >= 11 && hour < 13) return "noon";
  if (hour >= 13 && hour < 18) return "afternoon";
  return "evening";
}

export { dayjs };
