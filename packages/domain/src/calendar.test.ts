import { afterEach, describe, expect, it } from "vitest";
import {
  APPOINTMENT_HORIZON_DAYS,
  addDays,
  appointmentRefusal,
  type CalendarDay,
  checkWeeklyHours,
  DEFAULT_WEEKLY_HOURS,
  dayStatus,
  formatHours,
  isoWeekday,
  isValidIsoDate,
  nextOpenDate,
  openNow,
  openSessionAt,
  shanghaiDate,
} from "./calendar";

// The State Council's 2025 National Day schedule (as chinese-days 1.5.7 has it): closed 1–8 October,
// make-up workdays Sunday 28 September and Saturday 11 October.
const nationalDay2025: CalendarDay[] = [
  { date: "2025-09-28", kind: "workday", name: "国庆节" },
  ...["01", "02", "03", "04", "05", "06", "07", "08"].map(
    (d): CalendarDay => ({ date: `2025-10-${d}`, kind: "holiday", name: "国庆节" }),
  ),
  { date: "2025-10-11", kind: "workday", name: "国庆节" },
];
const hours = DEFAULT_WEEKLY_HOURS;

describe("dayStatus", () => {
  it("opens on an ordinary weekday", () => {
    expect(dayStatus("2025-09-30", hours, nationalDay2025)).toEqual({
      open: true,
      reason: "weekday",
      label: "工作日",
    });
  });

  it("closes on an ordinary weekend", () => {
    expect(dayStatus("2025-09-27", hours, nationalDay2025)).toEqual({
      open: false,
      reason: "weekend",
      label: "周末休息",
    });
  });

  it("closes on National Day although it is a Wednesday", () => {
    expect(isoWeekday("2025-10-01")).toBe(3);
    expect(dayStatus("2025-10-01", hours, nationalDay2025)).toEqual({
      open: false,
      reason: "holiday",
      label: "法定节假日：国庆节",
    });
  });

  it("opens on the Sunday make-up workday before National Day", () => {
    expect(isoWeekday("2025-09-28")).toBe(7);
    expect(dayStatus("2025-09-28", hours, nationalDay2025)).toEqual({
      open: true,
      reason: "makeup_workday",
      label: "调休上班：国庆节",
    });
  });

  it("treats a weekday left out of the hours as closed and names it", () => {
    const noWednesday = { ...hours, weekdays: [1, 2, 4, 5] };
    expect(dayStatus("2025-09-24", noWednesday, [])).toEqual({
      open: false,
      reason: "weekend",
      label: "周三休息",
    });
  });

  it("refuses a date that does not exist", () => {
    expect(() => dayStatus("2025-02-29", hours, [])).toThrow(RangeError);
  });
});

describe("shanghaiDate and openNow", () => {
  it("reads a late-evening UTC instant as the next day in Shanghai", () => {
    // Tuesday 30 September 16:30 UTC is Wednesday 1 October 00:30 in Shanghai: a holiday.
    const instant = new Date("2025-09-30T16:30:00Z");
    expect(shanghaiDate(instant)).toBe("2025-10-01");
    expect(shanghaiDate(new Date("2025-09-30T15:59:59Z"))).toBe("2025-09-30");
    expect(openNow(instant, hours, nationalDay2025)).toBe(false);
    expect(nextOpenDate(instant, hours, nationalDay2025)).toBe("2025-10-09");
  });

  it("is open in the morning and afternoon sessions and closed over lunch and after 17:00", () => {
    const at = (utc: string) => openNow(new Date(utc), hours, nationalDay2025);
    expect(at("2025-09-30T00:59:59Z")).toBe(false); // 08:59:59
    expect(at("2025-09-30T01:00:00Z")).toBe(true); // 09:00
    expect(at("2025-09-30T03:59:00Z")).toBe(true); // 11:59
    expect(at("2025-09-30T04:00:00Z")).toBe(false); // 12:00, lunch
    expect(at("2025-09-30T05:00:00Z")).toBe(true); // 13:00
    expect(at("2025-09-30T09:00:00Z")).toBe(false); // 17:00
    expect(openSessionAt(new Date("2025-09-30T06:00:00Z"), hours, nationalDay2025)).toEqual({
      start: "13:00",
      end: "17:00",
    });
  });

  it("is open on the make-up Sunday morning and closed on a holiday morning", () => {
    expect(openNow(new Date("2025-09-28T01:30:00Z"), hours, nationalDay2025)).toBe(true);
    expect(openNow(new Date("2025-10-02T01:30:00Z"), hours, nationalDay2025)).toBe(false);
  });

  describe("under another machine time zone", () => {
    const saved = process.env.TZ;
    afterEach(() => {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    });

    it("gives the same answers as in UTC", () => {
      process.env.TZ = "America/Los_Angeles";
      expect(new Date("2025-09-30T16:30:00Z").getDate()).toBe(30); // the machine TZ really changed
      expect(shanghaiDate(new Date("2025-09-30T16:30:00Z"))).toBe("2025-10-01");
      expect(openNow(new Date("2025-09-28T01:30:00Z"), hours, nationalDay2025)).toBe(true);
      expect(addDays("2025-03-08", 1)).toBe("2025-03-09"); // US DST starts 9 March 2025
      expect(addDays("2025-03-09", 1)).toBe("2025-03-10");
    });
  });
});

describe("nextOpenDate", () => {
  it("returns the date itself when it is open", () => {
    expect(nextOpenDate("2025-09-30", hours, nationalDay2025)).toBe("2025-09-30");
  });

  it("skips the weekend but stops at a make-up Saturday", () => {
    expect(nextOpenDate("2025-09-27", hours, nationalDay2025)).toBe("2025-09-28");
    expect(nextOpenDate("2025-10-04", hours, nationalDay2025)).toBe("2025-10-09");
    expect(nextOpenDate("2025-10-11", hours, nationalDay2025)).toBe("2025-10-11");
    expect(nextOpenDate("2025-10-12", hours, nationalDay2025)).toBe("2025-10-13");
  });

  it("counts today from an instant only while a session is still to come", () => {
    // Tuesday 30 September, 16:59 and 17:00 in Shanghai; 1–8 October closed.
    expect(nextOpenDate(new Date("2025-09-30T08:59:00Z"), hours, nationalDay2025)).toBe("2025-09-30");
    expect(nextOpenDate(new Date("2025-09-30T09:00:00Z"), hours, nationalDay2025)).toBe("2025-10-09");
  });

  it("returns null when the hours never open", () => {
    expect(nextOpenDate("2025-09-30", { weekdays: [], sessions: hours.sessions }, [])).toBeNull();
    expect(nextOpenDate("2025-09-30", { weekdays: [1], sessions: [] }, [])).toBeNull();
  });
});

describe("formatHours", () => {
  it("writes the seed's hours the way the seed does", () => {
    expect(formatHours(hours)).toBe("周一至周五 9:00-12:00，13:00-17:00");
  });

  it("lists pairs and single days and sorts sessions", () => {
    expect(
      formatHours({
        weekdays: [7, 6, 1, 2, 3, 5],
        sessions: [
          { start: "14:30", end: "18:00" },
          { start: "08:30", end: "11:30" },
        ],
      }),
    ).toBe("周一至周三、周五至周日 8:30-11:30，14:30-18:00");
    expect(formatHours({ weekdays: [6, 7], sessions: [{ start: "10:00", end: "15:00" }] })).toBe(
      "周六、周日 10:00-15:00",
    );
    expect(formatHours({ weekdays: [], sessions: [] })).toBe("暂无办公时间");
  });
});

describe("date helpers and checkWeeklyHours", () => {
  it("validates calendar dates including leap years", () => {
    expect(isValidIsoDate("2024-02-29")).toBe(true);
    expect(isValidIsoDate("2025-02-29")).toBe(false);
    expect(isValidIsoDate("2025-13-01")).toBe(false);
    expect(isValidIsoDate("2025-1-01")).toBe(false);
    expect(addDays("2024-12-31", 1)).toBe("2025-01-01");
    expect(addDays("2024-03-01", -1)).toBe("2024-02-29");
  });

  it("accepts the default hours and explains bad ones in Chinese", () => {
    expect(checkWeeklyHours(hours)).toBeNull();
    expect(checkWeeklyHours({ weekdays: [0], sessions: [] })).toBe(
      "办公日应为 1（周一）到 7（周日），不能是 0",
    );
    expect(checkWeeklyHours({ weekdays: [1, 1], sessions: [] })).toBe("办公日 周一 重复");
    expect(checkWeeklyHours({ weekdays: [1], sessions: [{ start: "9:00", end: "12:00" }] })).toContain(
      "HH:MM",
    );
    expect(checkWeeklyHours({ weekdays: [1], sessions: [{ start: "12:00", end: "09:00" }] })).toContain(
      "开始时间应早于结束时间",
    );
    expect(
      checkWeeklyHours({
        weekdays: [1],
        sessions: [
          { start: "13:00", end: "17:00" },
          { start: "09:00", end: "13:30" },
        ],
      }),
    ).toBe("办公时段不能重叠");
  });
});

describe("appointmentRefusal", () => {
  // 2025-10-09 is a Thursday; the default hours end at 17:00 Asia/Shanghai (09:00 UTC).
  const morning = new Date("2025-10-09T01:30:00Z"); // 09:30 in Shanghai
  const evening = new Date("2025-10-09T10:30:00Z"); // 18:30 in Shanghai

  it("allows today while a session has not ended, and an ordinary weekday ahead", () => {
    expect(appointmentRefusal("2025-10-09", morning, hours, [])).toBeNull();
    expect(appointmentRefusal("2025-10-10", morning, hours, [])).toBeNull();
  });

  it("refuses today once the last session is over, but not tomorrow", () => {
    expect(appointmentRefusal("2025-10-09", evening, hours, [])).toEqual({
      reason: "day_over",
      today: "2025-10-09",
    });
    expect(appointmentRefusal("2025-10-10", evening, hours, [])).toBeNull();
  });

  it("refuses past days and days beyond the horizon", () => {
    expect(appointmentRefusal("2025-10-08", morning, hours, [])).toEqual({
      reason: "past",
      today: "2025-10-09",
    });
    const last = addDays("2025-10-09", APPOINTMENT_HORIZON_DAYS);
    expect(appointmentRefusal(addDays(last, 1), morning, hours, [])).toEqual({ reason: "beyond", last });
  });

  it("refuses weekends and holidays but accepts a make-up workday", () => {
    const before = new Date("2025-09-26T01:30:00Z"); // Friday 26 September, 09:30
    expect(appointmentRefusal("2025-10-02", before, hours, nationalDay2025)).toMatchObject({
      reason: "closed",
    });
    expect(appointmentRefusal("2025-10-11", before, hours, nationalDay2025)).toBeNull();
    expect(appointmentRefusal("2025-10-12", before, hours, nationalDay2025)).toMatchObject({
      reason: "closed",
    });
  });
});
