import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, createTestApp, staffClient, type TestApp } from "../../test/harness";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ demo: true });
});
afterAll(async () => {
  await t.close();
});

const NOTICES = {
  announcements: [
    { title: "元旦假期安排", body: "1 月 1 日各网点休息。", date: "2026-12-20", pinned: false },
    { title: "系统升级", body: "本周六 22:00 起维护两小时。", date: "2026-12-01", pinned: true },
  ],
  faq: [{ question: "证书过期了怎么办？", answer: "过期一年内可在线延期，超过一年需审核。" }],
  hotline: { phone: "0591-83622480", hours: "工作日 9:00–17:00" },
};

describe("公告、常见问题与客服热线", () => {
  it("are empty until the admin publishes them, then shown to anyone, pinned first, with the edit audited", async () => {
    const anyone = new Client(t.app);
    expect((await anyone.get("/api/v1/notices")).body).toEqual({ announcements: [], faq: [], hotline: null });
    const admin = await staffClient(t, "admin");
    const put = await admin.put("/api/v1/admin/notices", NOTICES);
    expect(put.status).toBe(200);
    const shown = (await anyone.get("/api/v1/notices")).body;
    expect(shown.announcements.map((a: { title: string }) => a.title)).toEqual(["系统升级", "元旦假期安排"]);
    expect(shown.hotline).toEqual(NOTICES.hotline);
    const audit = await t.database.db
      .selectFrom("audit_log")
      .select(["action", "detail"])
      .where("action", "=", "notices.update")
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ before: null, after: { hotline: NOTICES.hotline } });
  });

  it("refuses bad input naming the field, and anyone but the admin", async () => {
    const admin = await staffClient(t, "admin");
    const bad = await admin.put("/api/v1/admin/notices", {
      ...NOTICES,
      hotline: { phone: "热线", hours: "全天" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain("客服热线");
    const noTitle = await admin.put("/api/v1/admin/notices", {
      ...NOTICES,
      announcements: [{ title: "", body: "x", date: "2026-12-01" }],
    });
    expect(noTitle.body.detail).toContain("公告标题");
    const reviewer = await staffClient(t, "reviewer");
    expect((await reviewer.put("/api/v1/admin/notices", NOTICES)).status).toBe(403);
    expect((await new Client(t.app).put("/api/v1/admin/notices", NOTICES)).status).toBe(401);
  });
});
