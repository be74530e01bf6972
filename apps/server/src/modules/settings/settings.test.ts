// The admin-set renewal window (DESIGN §4): stored in platform_settings, public to the wallet, edited
// by the admin only (audited, 1..365 days), and what the 延期 order rules apply. Real database
// (SQLite, or PostgreSQL with DATABASE_URL) and the real CA.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accountWithCertificate,
  type BusinessApp,
  createBusinessApp,
  fileOrder,
  type IssuedCertificate,
  moveClock,
} from "../../test/business-flow";
import { Client, type Client as ClientType, staffClient } from "../../test/harness";

let t: BusinessApp;
let admin: ClientType;

beforeAll(async () => {
  t = await createBusinessApp();
  admin = await staffClient(t, "admin");
}, 60_000);
afterAll(async () => {
  await t.close();
});

const DAY = 24 * 3600 * 1000;
const publicSettings = async () => (await new Client(t.app).get("/api/v1/settings")).body;
const setWindow = (client: ClientType, renewalWindowDays: unknown) =>
  client.put("/api/v1/admin/settings", { renewalWindowDays });

/** The 延期 candidates of the owner's certificate: whether it may be picked, and why not. */
async function renewCandidate(owner: IssuedCertificate) {
  const res = await owner.client.get(`/api/v1/orders/candidates?business=renew&q=${owner.serial}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.certificates.find((c: { serialHex: string }) => c.serialHex === owner.serial) as {
    eligible: boolean;
    problem: string | null;
  };
}

describe("renewal window setting", () => {
  it("is 90 days by default, for anyone to read and for the admin", async () => {
    expect(await publicSettings()).toEqual({ renewalWindowDays: 90, renewalKeepsPredecessor: false });
    const res = await admin.get("/api/v1/admin/settings");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ renewalWindowDays: 90, renewalKeepsPredecessor: false });
  });

  it("refuses other roles and applicants; out-of-range values get a Chinese message naming the field", async () => {
    const reviewer = await staffClient(t, "reviewer");
    expect((await setWindow(reviewer, 120)).status).toBe(403);
    expect((await reviewer.get("/api/v1/admin/settings")).status).toBe(403);
    expect((await setWindow(new Client(t.app), 120)).status).toBe(401);

    for (const bad of [0, 366, 30.5, "120", null]) {
      const res = await setWindow(admin, bad);
      expect(res.status, String(bad)).toBe(400);
      expect(res.body.field).toBe("renewalWindowDays");
      expect(res.body.detail).toBe("延期办理窗口（renewalWindowDays，到期前天数）须为 1 到 365 之间的整数");
    }
    expect(await publicSettings()).toEqual({ renewalWindowDays: 90, renewalKeepsPredecessor: false });
    for (const edge of [1, 365])
      expect((await setWindow(admin, edge)).body).toEqual({
        renewalWindowDays: edge,
        renewalKeepsPredecessor: false,
      });
    expect((await setWindow(admin, 90)).status).toBe(200);
  });

  it("is what 延期 applies: 100 days before the end is refused at 90 and accepted at 120; the edit is audited", async () => {
    const owner = await accountWithCertificate(t);
    await moveClock(t, new Date(owner.notAfter.getTime() - 100 * DAY), [owner]);
    admin = await staffClient(t, "admin");

    const closed = await renewCandidate(owner);
    expect(closed.eligible).toBe(false);
    expect(closed.problem).toContain("到期前 90 天内才能办理延期");
    const refused = await fileOrder(owner.client, "renew", [
      { certificateSerial: owner.serial, keepKey: true, years: 1 },
    ]);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain("到期前 90 天内才能办理延期");

    const saved = await setWindow(admin, 120);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body).toEqual({ renewalWindowDays: 120, renewalKeepsPredecessor: false });
    expect(await publicSettings()).toEqual({ renewalWindowDays: 120, renewalKeepsPredecessor: false });
    expect(await renewCandidate(owner)).toMatchObject({ eligible: true, problem: null });
    const filed = await fileOrder(owner.client, "renew", [
      { certificateSerial: owner.serial, keepKey: true, years: 1 },
    ]);
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    expect(filed.body.state).toBe("awaiting_payment");

    const audit = await t.database.db
      .selectFrom("audit_log")
      .select(["action", "actor_type", "object_id", "detail"])
      .where("action", "=", "settings.update")
      .orderBy("seq", "desc")
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_type: "staff", object_id: "renewal_window_days" });
    expect(JSON.parse(audit.detail)).toEqual({
      before: { renewalWindowDays: 90, renewalKeepsPredecessor: false },
      after: { renewalWindowDays: 120, renewalKeepsPredecessor: false },
    });
    const verify = await admin.post("/api/v1/admin/audit/verify");
    expect(verify.body.ok).toBe(true);
    expect((await setWindow(admin, 90)).status).toBe(200);
  }, 60_000);

  it("audits two simultaneous edits as a chain: each one's before is what the other left", async () => {
    const [a, b] = await Promise.all([setWindow(admin, 100), setWindow(admin, 110)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const edits = await t.database.db
      .selectFrom("audit_log")
      .select("detail")
      .where("action", "=", "settings.update")
      .orderBy("seq", "desc")
      .limit(2)
      .execute();
    const [second, first] = edits.map(
      (e) => JSON.parse(e.detail) as Record<string, { renewalWindowDays: number }>,
    );
    expect(first!.before).toEqual({ renewalWindowDays: 90, renewalKeepsPredecessor: false });
    expect(second!.before).toEqual(first!.after);
    expect((await publicSettings()).renewalWindowDays).toBe(second!.after!.renewalWindowDays);
    expect((await setWindow(admin, 90)).status).toBe(200);
  });

  it("keeps or revokes a renewal's predecessor as the admin sets it (default: revoke), audited; a non-boolean is refused naming the field", async () => {
    const bad = await admin.put("/api/v1/admin/settings", { renewalKeepsPredecessor: "yes" });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("renewalKeepsPredecessor");
    expect(bad.body.detail).toContain("延期后原证书处理方式");
    const kept = await admin.put("/api/v1/admin/settings", { renewalKeepsPredecessor: true });
    expect(kept.body).toEqual({ renewalWindowDays: 90, renewalKeepsPredecessor: true });
    const audit = await t.database.db
      .selectFrom("audit_log")
      .select(["object_id", "detail"])
      .where("action", "=", "settings.update")
      .orderBy("seq", "desc")
      .executeTakeFirstOrThrow();
    expect(audit.object_id).toBe("renewal_keeps_predecessor");
    expect(JSON.parse(audit.detail).after).toEqual({ renewalWindowDays: 90, renewalKeepsPredecessor: true });
    expect((await admin.put("/api/v1/admin/settings", { renewalKeepsPredecessor: false })).status).toBe(200);
  });
});
