import dayjs from "dayjs";
import { describe, expect, it } from "vitest";
import { toHours } from "./WindowsEditor";

const at = (hhmm: string) => dayjs(`2025-01-01 ${hhmm}`, "YYYY-MM-DD HH:mm");

describe("toHours", () => {
  it("turns the picked weekdays and time ranges into the API's hours, weekdays sorted", () => {
    expect(
      toHours([5, 1, 3], [{ range: [at("09:00"), at("12:00")] }, { range: [at("13:00"), at("17:30")] }]),
    ).toEqual({
      weekdays: [1, 3, 5],
      sessions: [
        { start: "09:00", end: "12:00" },
        { start: "13:00", end: "17:30" },
      ],
    });
  });

  it("refuses a session whose end is not picked yet", () => {
    expect(toHours([1], [{ range: [at("09:00"), null] }])).toBeNull();
    expect(toHours([1], [{}])).toBeNull();
  });
});
