import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addSeconds, iso, newId } from "../../lib/clock";
import { createTestDatabase, testClock } from "../../test/harness";
import {
  dueThreshold,
  type ReminderDeps,
  runExpiryReminders,
  shanghaiDaysLeft,
  startReminderScheduler,
} from "./reminder.job";

let env: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  env = await createTestDatabase();
});
afterAll(async () => {
  await env.cleanup();
});
const db = () => env.database.db;

const START = "2026-11-25T02:00:00.000Z"; // 10:00 in Shanghai
const PHONE = "13900139000";
const OTHER_PHONE = "13900139001";
const DAY = 24 * 3600;

async function addAccount(phone: string): Promise<string> {
  const id = newId();
  await db()
    .insertInto("accounts")
    .values({
      id,
      phone,
      password_hash: "x",
      name: null,
      created_at: START,
      updated_at: START,
    })
    .execute();
  return id;
}

let accountId: string;
let otherAccountId: string;
let serialCounter = 0x1000;

/** A row as ca.service.ts writes it (0002_pki.ts columns); the job reads only the columns, not the DER. */
async function addCertificate(opts: {
  account: string | null;
  notAfter: string;
  status?: "good" | "revoked";
  cn?: string;
}): Promise<string> {
  const serial = (serialCounter++).toString(16);
  await db()
    .insertInto("pki_certificates")
    .values({
      serial_hex: serial,
      ca_id: "ca-test",
      subject: `C=CN, O=${opts.cn ?? "福州某某科技有限公司"}, CN=${opts.cn ?? "福州某某科技有限公司"}`,
      profile: "company",
      key_name: "k",
      subject_key_id: "00",
      not_before: "2024-01-01T00:00:00.000Z",
      not_after: opts.notAfter,
      cert_der: "",
      status: opts.status ?? "good",
      revoked_at: opts.status === "revoked" ? START : null,
      revocation_reason: opts.status === "revoked" ? "superseded" : null,
      invalidity_date: null,
      account_id: opts.account,
      order_id: null,
      created_at: START,
    })
    .execute();
  return serial;
}

const daysFrom = (start: string, days: number) => iso(addSeconds(new Date(start), days * DAY));

function depsAt(time: ReturnType<typeof testClock>): ReminderDeps {
  return { db: db(), clock: time.clock, signName: "测试", publicUrl: "https://ra.example.cn" };
}

const outbox = () => db().selectFrom("sms_outbox").selectAll().orderBy("created_at").orderBy("id").execute();
const reminders = () =>
  db()
    .selectFrom("certificate_reminders")
    .selectAll()
    .orderBy("serial_hex")
    .orderBy("threshold_days")
    .execute();

beforeAll(async () => {
  accountId = await addAccount(PHONE);
  otherAccountId = await addAccount(OTHER_PHONE);
});

beforeEach(async () => {
  await db().deleteFrom("sms_outbox").execute();
  await db().deleteFrom("certificate_reminders").execute();
  await db().deleteFrom("pki_certificates").execute();
});

describe("shanghaiDaysLeft", () => {
  it("counts Asia/Shanghai calendar dates, not 24-hour periods", () => {
    // 23:59 on the 25th in Shanghai; the certificate ends at 08:00 on the 26th: one day left.
    expect(shanghaiDaysLeft(new Date("2026-11-25T15:59:00Z"), new Date("2026-11-26T00:00:00Z"))).toBe(1);
    // A minute later it is the 26th in Shanghai (still the 25th in UTC): the last day.
    expect(shanghaiDaysLeft(new Date("2026-11-25T16:00:00Z"), new Date("2026-11-26T00:00:00Z"))).toBe(0);
    expect(shanghaiDaysLeft(new Date(START), new Date(daysFrom(START, 89)))).toBe(89);
  });
});

describe("dueThreshold", () => {
  it("is the tightest of 90, 30 and 7 days that has been reached", () => {
    expect([91, 90, 31, 30, 8, 7, 1, 0, -1].map(dueThreshold)).toEqual([null, 90, 90, 30, 30, 7, 7, 7, null]);
  });
});

describe("runExpiryReminders", () => {
  it("sends the 90-day reminder to a certificate 89 days out once; a second run sends nothing", async () => {
    const time = testClock(START);
    const serial = await addCertificate({ account: accountId, notAfter: daysFrom(START, 89) });

    expect(await runExpiryReminders(depsAt(time))).toBe(1);
    const sms = await outbox();
    expect(sms).toHaveLength(1);
    expect(sms[0]?.phone).toBe(PHONE);
    expect(sms[0]?.template).toBe("certificate_expiring");
    expect(sms[0]?.text).toBe(
      `【测试】您的证书（福州某某科技有限公司）将于 2027-02-22 到期，剩余 89 天，请登录 https://ra.example.cn/business/renew?serial=${serial} 办理延期。`,
    );
    expect(await reminders()).toMatchObject([
      { serial_hex: serial, threshold_days: 90, account_id: accountId, days_left: 89, sms_id: sms[0]?.id },
    ]);

    time.advance(3600);
    expect(await runExpiryReminders(depsAt(time))).toBe(0);
    expect(await outbox()).toHaveLength(1);
  });

  it("sends the 30-day reminder, and only that one, to a certificate 29 days out", async () => {
    const time = testClock(START);
    const serial = await addCertificate({ account: accountId, notAfter: daysFrom(START, 29) });

    expect(await runExpiryReminders(depsAt(time))).toBe(1);
    expect((await reminders()).map((r) => [r.serial_hex, r.threshold_days])).toEqual([[serial, 30]]);
    expect((await outbox())[0]?.text).toContain("剩余 29 天");
  });

  it("walks one certificate through 90, 30 and 7 days, one SMS each", async () => {
    const end = daysFrom(START, 100);
    await addCertificate({ account: accountId, notAfter: end });
    const time = testClock(START);
    const counts: number[] = [];
    for (const daysBefore of [100, 90, 60, 30, 29, 7, 3, 0.5]) {
      time.set(daysFrom(end, -daysBefore));
      counts.push(await runExpiryReminders(depsAt(time)));
    }
    expect(counts).toEqual([0, 1, 0, 1, 0, 1, 0, 0]);
    expect((await reminders()).map((r) => r.threshold_days).sort((a, b) => a - b)).toEqual([7, 30, 90]);
    expect((await outbox()).map((m) => /剩余 (\d+) 天/.exec(m.text)?.[1])).toEqual(["90", "30", "7"]);
  });

  it("waits for the admin's renewal window: with 60 days the first reminder goes out the day 延期 opens", async () => {
    const setWindow = (days: number) =>
      db()
        .updateTable("platform_settings")
        .set({ value: String(days) })
        .where("key", "=", "renewal_window_days")
        .execute();
    await setWindow(60);
    try {
      const end = daysFrom(START, 100);
      await addCertificate({ account: accountId, notAfter: end });
      const time = testClock(START);
      const counts: number[] = [];
      for (const daysBefore of [89, 61, 60, 30, 7]) {
        time.set(daysFrom(end, -daysBefore));
        counts.push(await runExpiryReminders(depsAt(time)));
      }
      expect(counts).toEqual([0, 0, 1, 1, 1]);
      expect((await outbox()).map((m) => /剩余 (\d+) 天/.exec(m.text)?.[1])).toEqual(["60", "30", "7"]);
    } finally {
      await setWindow(90);
    }
  });

  it("sends nothing for revoked, already expired, far-off or account-less certificates", async () => {
    const time = testClock(START);
    await addCertificate({ account: accountId, notAfter: daysFrom(START, 29), status: "revoked" });
    await addCertificate({ account: accountId, notAfter: daysFrom(START, -1) });
    await addCertificate({ account: accountId, notAfter: daysFrom(START, 120) });
    await addCertificate({ account: null, notAfter: daysFrom(START, 5) });

    expect(await runExpiryReminders(depsAt(time))).toBe(0);
    expect(await outbox()).toHaveLength(0);
    expect(await reminders()).toHaveLength(0);
  });

  it("sends each account's reminder to that account's own phone", async () => {
    const time = testClock(START);
    await addCertificate({ account: accountId, notAfter: daysFrom(START, 6), cn: "甲公司" });
    await addCertificate({ account: otherAccountId, notAfter: daysFrom(START, 6), cn: "乙公司" });

    expect(await runExpiryReminders(depsAt(time))).toBe(2);
    const byPhone = Object.fromEntries((await outbox()).map((m) => [m.phone, m.text]));
    expect(byPhone[PHONE]).toContain("甲公司");
    expect(byPhone[OTHER_PHONE]).toContain("乙公司");
  });

  it("queues one SMS per certificate when two runs (two app instances) race", async () => {
    const time = testClock(START);
    const serials: string[] = [];
    for (let i = 0; i < 12; i++) {
      serials.push(await addCertificate({ account: accountId, notAfter: daysFrom(START, 20 + i) }));
    }

    const [a, b] = await Promise.all([runExpiryReminders(depsAt(time)), runExpiryReminders(depsAt(time))]);
    expect(a + b).toBe(serials.length);
    const sms = await outbox();
    expect(sms).toHaveLength(serials.length);
    const rows = await reminders();
    expect(rows.map((r) => r.serial_hex).sort()).toEqual([...serials].sort());
    // Every reminder points at a queued SMS: the losing run's SMS was rolled back, not left orphaned.
    expect(new Set(rows.map((r) => r.sms_id))).toEqual(new Set(sms.map((m) => m.id)));
  });
});

describe("startReminderScheduler", () => {
  it("runs a pass at start, and stop waits for it", async () => {
    const time = testClock(START);
    await addCertificate({ account: accountId, notAfter: daysFrom(START, 6) });
    const scheduler = startReminderScheduler(depsAt(time), pino({ level: "silent" }), 3_600_000);
    await scheduler.stop();
    expect(await outbox()).toHaveLength(1);
  });
});
