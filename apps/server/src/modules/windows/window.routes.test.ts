import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, createTestApp, staffClient, type TestApp } from "../../test/harness";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

type PublicWindow = {
  code: string;
  city: string;
  today: { open: boolean; reason: string; label: string };
  openNow: boolean;
  nextOpenDate: string;
};
const windows = async () =>
  (await new Client(t.app).get("/api/v1/windows")).body as { today: string; windows: PublicWindow[] };

describe("GET /api/v1/windows (办理网点)", () => {
  it("lists the seed's three windows with address, phone and hours", async () => {
    t.time.set("2026-11-25T02:00:00.000Z"); // Wednesday 10:00 in Shanghai
    const body = await windows();
    expect(body.windows.map((w) => w.city)).toEqual(["三明", "福州", "厦门"]);
    const xm = (await new Client(t.app).get("/api/v1/windows")).body.windows[2];
    expect(xm.phone).toBe("0592-2677170");
    expect(xm.address).toContain("市政务服务中心 4 层 C 区 19 号窗口");
    expect(xm.hoursText).toBe("周一至周五 9:00-12:00，13:00-17:00");
    expect(body.windows[0]!.today).toMatchObject({ open: true, reason: "weekday" });
    expect(body.windows[0]!.openNow).toBe(true);
  });

  it("says closed at lunch time but open today", async () => {
    t.time.set("2026-11-25T04:30:00.000Z"); // 12:30 in Shanghai
    const w = (await windows()).windows[0]!;
    expect(w.today.open).toBe(true);
    expect(w.openNow).toBe(false);
  });

  it("uses the Shanghai date: 17:00 UTC on Friday is already Saturday, closed until Monday", async () => {
    t.time.set("2026-11-27T17:00:00.000Z");
    const body = await windows();
    expect(body.today).toBe("2026-11-28");
    expect(body.windows[0]!.today).toMatchObject({ open: false, reason: "weekend" });
    expect(body.windows[0]!.nextOpenDate).toBe("2026-11-30");
  });

  it("is closed on a statutory holiday and names it, and open on a make-up workday", async () => {
    t.time.set("2026-10-01T02:00:00.000Z");
    const holiday = (await windows()).windows[1]!;
    expect(holiday.today.open).toBe(false);
    expect(holiday.today.label).toContain("国庆");
    expect(holiday.nextOpenDate).toBe("2026-10-08");
    expect((await new Client(t.app).get("/api/v1/windows")).body.calendar).toContainEqual({
      date: "2026-10-10",
      kind: "workday",
      name: "国庆节",
    });
    t.time.set("2026-10-10T02:00:00.000Z"); // Saturday, 调休上班
    const makeup = (await windows()).windows[1]!;
    expect(makeup.today).toMatchObject({ open: true, reason: "makeup_workday" });
  });
});

describe("admin edits windows and the holiday calendar", () => {
  it("lets the admin change a window's hours, visible on the public page", async () => {
    t.time.set("2026-11-28T02:00:00.000Z"); // Saturday
    const admin = await staffClient(t, "admin");
    const list = await admin.get("/api/v1/admin/windows");
    const fz = list.body.windows.find((w: { code: string }) => w.code === "fuzhou");
    const res = await admin.put(`/api/v1/admin/windows/${fz.id}`, {
      city: fz.city,
      name: fz.name,
      address: fz.address,
      phone: fz.phone,
      hours: { weekdays: [1, 2, 3, 4, 5, 6], sessions: [{ start: "09:00", end: "12:00" }] },
    });
    expect(res.status).toBe(200);
    const pub = (await windows()).windows.find((w) => w.code === "fuzhou")!;
    expect(pub.today.open).toBe(true);
    expect(pub.openNow).toBe(true);
  });

  it("refuses hours whose session ends before it starts, naming the field", async () => {
    const admin = await staffClient(t, "admin");
    const fz = (await admin.get("/api/v1/admin/windows")).body.windows[0];
    const res = await admin.put(`/api/v1/admin/windows/${fz.id}`, {
      city: fz.city,
      name: fz.name,
      address: fz.address,
      phone: fz.phone,
      hours: { weekdays: [1], sessions: [{ start: "13:00", end: "09:00" }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("hours");
    const bad = await admin.put(`/api/v1/admin/windows/${fz.id}`, {
      ...fz,
      hours: { weekdays: [1], sessions: [{ start: "25:00", end: "26:00" }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain("HH:MM");
  });

  it("lets the admin enter next year's holidays and make-up days, and remove one", async () => {
    const admin = await staffClient(t, "admin");
    expect(
      (await admin.put("/api/v1/admin/calendar/2027-10-01", { kind: "holiday", name: "国庆节" })).status,
    ).toBe(200);
    expect(
      (await admin.put("/api/v1/admin/calendar/2027-09-26", { kind: "workday", name: "国庆节" })).status,
    ).toBe(200);
    const year = await admin.get("/api/v1/admin/calendar?year=2027");
    expect(year.body.days).toEqual([
      { date: "2027-09-26", kind: "workday", name: "国庆节", source: "admin" },
      { date: "2027-10-01", kind: "holiday", name: "国庆节", source: "admin" },
    ]);
    t.time.set("2027-10-01T02:00:00.000Z");
    expect((await windows()).windows[0]!.today.open).toBe(false);
    // Months later the old staff session has long expired: log in again.
    expect((await admin.delete("/api/v1/admin/calendar/2027-10-01")).status).toBe(401);
    const admin2 = await staffClient(t, "admin");
    expect((await admin2.delete("/api/v1/admin/calendar/2027-10-01")).status).toBe(204);
    expect((await windows()).windows[0]!.today.open).toBe(true);
    expect((await admin2.delete("/api/v1/admin/calendar/2027-10-01")).status).toBe(404);
    expect(
      (await admin2.put("/api/v1/admin/calendar/2027-02-30", { kind: "holiday", name: "x" })).status,
    ).toBe(400);
  });

  it("forbids other roles from editing windows or the calendar", async () => {
    const reviewer = await staffClient(t, "reviewer");
    expect((await reviewer.get("/api/v1/admin/windows")).status).toBe(403);
    expect(
      (await reviewer.put("/api/v1/admin/calendar/2027-05-01", { kind: "holiday", name: "劳动节" })).status,
    ).toBe(403);
  });

  it("records every edit in the audit log, readable by the auditor, with an intact chain", async () => {
    const auditor = await staffClient(t, "auditor");
    const log = await auditor.get("/api/v1/admin/audit?limit=100");
    expect(log.status).toBe(200);
    const actions = log.body.entries.map((e: { action: string }) => e.action);
    expect(actions).toContain("window.update");
    expect(actions).toContain("calendar.put");
    expect(actions).toContain("calendar.delete");
    const verify = await auditor.post("/api/v1/admin/audit/verify");
    expect(verify.body.ok).toBe(true);
    const operator = await staffClient(t, "operator");
    expect((await operator.get("/api/v1/admin/audit")).status).toBe(403);
  });
});
