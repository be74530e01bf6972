import { describe, expect, it } from "vitest";
import { secondsLeft } from "./countdown";
import { dayPart, formatCalendarDate, formatDateTime, shanghaiHour } from "./time";

describe("formatDateTime", () => {
  it("shows an instant in Shanghai time whatever the machine's zone", () => {
    expect(formatDateTime("2025-09-30T16:30:00Z")).toBe("2025-10-01 00:30:00");
  });

  it("shows a dash for a missing time", () => {
    expect(formatDateTime(null)).toBe("—");
  });
});

describe("formatCalendarDate", () => {
  it("adds the weekday of a calendar date in Chinese and English", () => {
    expect(formatCalendarDate("2025-10-08")).toBe("2025-10-08（周三）");
    expect(formatCalendarDate("2025-09-28", "en")).toBe("2025-09-28 (Sun)");
  });
});

describe("greeting by Shanghai hour", () => {
  it("reads 23:00 UTC as 07:00 the next morning in Shanghai", () => {
    expect(shanghaiHour(new Date("2025-01-01T23:00:00Z"))).toBe(7);
    expect(dayPart(7)).toBe("morning");
  });

  it("splits the day into morning, noon, afternoon and evening", () => {
    expect([4, 10, 12, 15, 20].map(dayPart)).toEqual(["evening", "morning", "noon", "afternoon", "evening"]);
  });
});

describe("secondsLeft", () => {
  it("rounds up so the last second still shows and never goes negative", () => {
    expect(secondsLeft(60_000, 0)).toBe(60);
    expect(secondsLeft(60_000, 59_001)).toBe(1);
    expect(secondsLeft(60_000, 61_000)).toBe(0);
  });
});
