import { describe, expect, it } from "vitest";
import type { ServiceWindow } from "../../api/types";
import { verificationCode } from "./DevSmsPage";
import { windowState } from "./WindowsPage";

const base: ServiceWindow = {
  id: "w1",
  code: "xiamen",
  city: "厦门",
  name: "厦门市政务服务中心办证窗口",
  address: "厦门市云顶北路 842 号",
  phone: "0592-2677170",
  hours: { weekdays: [1, 2, 3, 4, 5], sessions: [{ start: "09:00", end: "12:00" }] },
  hoursText: "周一至周五 9:00-12:00",
  today: { open: true, reason: "weekday", label: "工作日" },
  openNow: true,
  nextOpenDate: "2025-10-08",
};

describe("windowState", () => {
  it("is 营业中 only inside a session of an open day", () => {
    expect(windowState(base)).toBe("open_now");
    expect(windowState({ ...base, openNow: false })).toBe("open_today");
  });

  it("is 今日休息 on a holiday even if the server said openNow by mistake", () => {
    const holiday = {
      ...base,
      today: { open: false, reason: "holiday" as const, label: "法定节假日：国庆节" },
    };
    expect(windowState(holiday)).toBe("closed_today");
    expect(windowState({ ...holiday, openNow: true })).toBe("closed_today");
  });
});

describe("verificationCode", () => {
  it("finds the 6-digit code of a verification SMS", () => {
    expect(verificationCode("【首众CA】您正在注册账号，验证码 674945，5 分钟内有效。")).toBe("674945");
  });

  it("finds nothing in a message without a code", () => {
    expect(verificationCode("【首众CA】您的订单 202511250001 已审核通过，请缴费。")).toBeNull();
  });
});
