import { type Kysely, sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { redactDeliveredCodes } from "../../db/migrations/0009_secrets";
import { createTestDatabase, testClock } from "../../test/harness";
import { createSmsProvider } from "./sms.factory";
import { deliverDueSms, queueSms, SMS_MAX_ATTEMPTS } from "./sms.outbox";
import type { SmsMessage, SmsProvider } from "./sms.provider";

let env: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  env = await createTestDatabase();
});
afterAll(async () => {
  await env.cleanup();
});
const db = () => env.database.db;
const log = pino({ level: "silent" });

function recordingProvider(fail: (msg: SmsMessage, n: number) => Error | null = () => null) {
  const sent: SmsMessage[] = [];
  let calls = 0;
  const provider: SmsProvider = {
    name: "fake",
    async send(msg) {
      calls++;
      const err = fail(msg, calls);
      if (err) throw err;
      sent.push(msg);
      return { providerMessageId: `p-${sent.length}` };
    },
  };
  return { provider, sent, calls: () => calls };
}

describe("SMS outbox", () => {
  beforeEach(async () => {
    await db().deleteFrom("sms_outbox").execute();
  });

  it("queues nothing when the transaction that caused the message rolls back", async () => {
    const time = testClock();
    await db()
      .transaction()
      .execute(async (trx) => {
        await queueSms(trx, { clock: time.clock, signName: "测试" }, "13800138000", "password_changed", {});
        throw new Error("rolled back");
      })
      .catch(() => {});
    expect(await db().selectFrom("sms_outbox").selectAll().execute()).toHaveLength(0);
  });

  it("delivers a committed message exactly once, even with two workers polling", async () => {
    const time = testClock();
    await db()
      .transaction()
      .execute((trx) =>
        queueSms(trx, { clock: time.clock, signName: "测试" }, "13800138000", "verify_code", {
          code: "123456",
          purpose: "注册账号",
        }),
      );
    const p = recordingProvider();
    const [a, b] = await Promise.all([
      deliverDueSms({ db: db(), provider: p.provider, clock: time.clock, log }),
      deliverDueSms({ db: db(), provider: p.provider, clock: time.clock, log }),
    ]);
    expect(a + b).toBe(1);
    expect(p.sent).toHaveLength(1);
    expect(p.sent[0]!.text).toBe("【测试】您正在注册账号，验证码 123456，5 分钟内有效。请勿告诉他人。");
    expect(await deliverDueSms({ db: db(), provider: p.provider, clock: time.clock, log })).toBe(0);
    const row = await db().selectFrom("sms_outbox").selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "sent", provider: "fake", provider_message_id: "p-1", attempts: 1 });
  });

  it("retries a failed send with backoff and then delivers it", async () => {
    const time = testClock();
    await db()
      .transaction()
      .execute((trx) =>
        queueSms(trx, { clock: time.clock, signName: "测试" }, "13800138000", "password_changed", {}),
      );
    const p = recordingProvider((_m, n) =>
      n <= 2 ? Object.assign(new Error("gateway timeout"), { retryable: true }) : null,
    );
    const deps = { db: db(), provider: p.provider, clock: time.clock, log };
    expect(await deliverDueSms(deps)).toBe(0);
    expect(await deliverDueSms(deps)).toBe(0); // not due yet: 2 s backoff
    time.advance(3);
    expect(await deliverDueSms(deps)).toBe(0);
    time.advance(5);
    expect(await deliverDueSms(deps)).toBe(1);
    expect(p.sent).toHaveLength(1);
    const row = await db().selectFrom("sms_outbox").selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "sent", attempts: 3 });
  });

  it("gives up at once on a non-retryable error and after the last attempt on others", async () => {
    const time = testClock();
    await db()
      .transaction()
      .execute((trx) =>
        queueSms(trx, { clock: time.clock, signName: "测试" }, "13800138000", "password_changed", {}),
      );
    const bad = recordingProvider(() => Object.assign(new Error("invalid number"), { retryable: false }));
    await deliverDueSms({ db: db(), provider: bad.provider, clock: time.clock, log });
    expect((await db().selectFrom("sms_outbox").selectAll().executeTakeFirstOrThrow()).status).toBe("failed");

    await db().deleteFrom("sms_outbox").execute();
    await db()
      .transaction()
      .execute((trx) =>
        queueSms(trx, { clock: time.clock, signName: "测试" }, "13800138000", "password_changed", {}),
      );
    const flaky = recordingProvider(() => new Error("down"));
    for (let i = 0; i < SMS_MAX_ATTEMPTS + 2; i++) {
      await deliverDueSms({ db: db(), provider: flaky.provider, clock: time.clock, log });
      time.advance(120);
    }
    expect(flaky.calls()).toBe(SMS_MAX_ATTEMPTS);
    expect((await db().selectFrom("sms_outbox").selectAll().executeTakeFirstOrThrow()).status).toBe("failed");
  });

  describe("secret parameters", () => {
    const queueSecrets = async (time: ReturnType<typeof testClock>) =>
      db()
        .transaction()
        .execute(async (trx) => {
          const opts = { clock: time.clock, signName: "测试" };
          await queueSms(trx, opts, "13800138000", "verify_code", { code: "482915", purpose: "注册账号" });
          await queueSms(trx, opts, "13800138001", "unlock_code", {
            orderNo: "CH20261125100001",
            code: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
            mediaSerial: "UKEY-0001",
            date: "2026-12-02 10:00",
          });
        });
    /** The whole table as the database returns it, every column of every row. */
    const rawTable = async () => JSON.stringify((await sql`select * from sms_outbox`.execute(db())).rows);

    it("are gone from the row once the gateway has the message: the row holds no code", async () => {
      const time = testClock();
      await queueSecrets(time);
      expect(await rawTable()).toContain("482915");
      const p = recordingProvider();
      expect(await deliverDueSms({ db: db(), provider: p.provider, clock: time.clock, log })).toBe(2);
      // The gateway got them in full …
      expect(p.sent.map((m) => m.params.code)).toEqual(
        expect.arrayContaining(["482915", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"]),
      );
      expect(p.sent.map((m) => m.text).join("")).toContain("验证码 482915");
      // … the table keeps none of them, only what is not secret.
      const raw = await rawTable();
      expect(raw).not.toContain("482915");
      expect(raw).not.toContain("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
      expect(raw).toContain("UKEY-0001");
      const rows = await db().selectFrom("sms_outbox").selectAll().orderBy("phone").execute();
      expect(rows.map((r) => r.text)).toEqual([
        "【测试】您正在注册账号，验证码 ******，5 分钟内有效。请勿告诉他人。",
        "【测试】您的订单 CH20261125100001 解锁授权码：******，仅限序列号 UKEY-0001 的介质使用一次，2026-12-02 10:00 前有效。请勿告诉他人。",
      ]);
      expect(JSON.parse(rows[0]!.params)).toEqual({ code: "******", purpose: "注册账号" });
    });

    it("are gone once the outbox gives up on a message, and stay while it retries", async () => {
      const time = testClock();
      await queueSecrets(time);
      const flaky = recordingProvider(() => new Error("down"));
      await deliverDueSms({ db: db(), provider: flaky.provider, clock: time.clock, log });
      expect(await rawTable()).toContain("482915"); // pending again: the retry needs it
      const bad = recordingProvider(() => Object.assign(new Error("invalid number"), { retryable: false }));
      time.advance(120);
      await deliverDueSms({ db: db(), provider: bad.provider, clock: time.clock, log });
      expect((await db().selectFrom("sms_outbox").select("status").execute()).map((r) => r.status)).toEqual([
        "failed",
        "failed",
      ]);
      expect(await rawTable()).not.toContain("482915");
    });

    it("are taken out of messages sent before the rule by migration 0009, pending ones keep theirs", async () => {
      const time = testClock();
      await queueSecrets(time);
      await db()
        .updateTable("sms_outbox")
        .set({ status: "sent" })
        .where("template", "=", "unlock_code")
        .execute();
      await redactDeliveredCodes(db() as unknown as Kysely<unknown>);
      const raw = await rawTable();
      expect(raw).not.toContain("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
      expect(raw).toContain("解锁授权码：******，仅限序列号 UKEY-0001");
      expect(raw).toContain("验证码 482915"); // still pending: the worker has yet to send it
    });

    it("stay in the dev outbox outside production only", async () => {
      const time = testClock();
      await queueSecrets(time);
      const dev = createSmsProvider({ sms: env.config.sms, env: "development" });
      await deliverDueSms({ db: db(), provider: dev, clock: time.clock, log });
      expect(await rawTable()).toContain("验证码 482915");
      await db().deleteFrom("sms_outbox").execute();
      await queueSecrets(time);
      const prod = createSmsProvider({ sms: env.config.sms, env: "production" });
      expect(prod.name).toBe("dev");
      await deliverDueSms({ db: db(), provider: prod, clock: time.clock, log });
      expect(await rawTable()).not.toContain("482915");
    });
  });

  it("picks up a message whose worker died mid-send once its lease expires", async () => {
    const time = testClock();
    await db()
      .transaction()
      .execute((trx) =>
        queueSms(trx, { clock: time.clock, signName: "测试" }, "13800138000", "password_changed", {}),
      );
    await db()
      .updateTable("sms_outbox")
      .set({ status: "sending", lease_until: new Date(time.clock().getTime() + 60_000).toISOString() })
      .execute();
    const p = recordingProvider();
    expect(await deliverDueSms({ db: db(), provider: p.provider, clock: time.clock, log })).toBe(0);
    time.advance(61);
    expect(await deliverDueSms({ db: db(), provider: p.provider, clock: time.clock, log })).toBe(1);
  });
});
