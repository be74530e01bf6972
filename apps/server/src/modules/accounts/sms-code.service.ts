import { randomInt } from "node:crypto";
import { shanghaiDate } from "@certhall/domain";
import type { Config } from "../../config";
import type { Db, Trx } from "../../db/database";
import { takeLock } from "../../db/locks";
import type { SmsPurpose } from "../../db/tables";
import { AppError } from "../../errors";
import { addSeconds, type Clock, iso, newId } from "../../lib/clock";
import { hmacHex, randomToken, safeEqual } from "../../lib/tokens";
import { queueSms } from "../sms/sms.outbox";

/** DESIGN §4: 6 digits, stored hashed, 5 minutes, 5 tries, 60 s between sends, daily caps. */
export const SMS_CODE = { digits: 6, ttlSeconds: 300, maxAttempts: 5, resendSeconds: 60 } as const;

const PURPOSE_TEXT: Record<SmsPurpose, string> = {
  register: "注册账号",
  reset_password: "找回密码",
  progress: "查询订单进度",
};

export interface SmsCodeDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, "secretKey" | "sms">;
}

function codeHash(secret: Buffer, phone: string, purpose: SmsPurpose, code: string): string {
  return hmacHex(secret, `sms:${purpose}:${phone}:${code}`);
}

/** Start of the current day in Asia/Shanghai, as a UTC ISO string: "daily" caps follow the local day. */
function shanghaiDayStart(now: Date): string {
  return new Date(`${shanghaiDate(now)}T00:00:00+08:00`).toISOString();
}

export function createSmsCodeService(deps: SmsCodeDeps) {
  const { db, clock, config } = deps;

  /** Refuses a send that comes within 60 s of the last one or over a daily cap; reads in `trx`. */
  async function assertMaySend(trx: Trx, phone: string, ip: string | null, now: Date): Promise<void> {
    const last = await trx
      .selectFrom("sms_codes")
      .select(["created_at"])
      .where("phone", "=", phone)
      .orderBy("created_at", "desc")
      .limit(1)
      .executeTakeFirst();
    if (last) {
      const wait =
        SMS_CODE.resendSeconds - Math.floor((now.getTime() - new Date(last.created_at).getTime()) / 1000);
      if (wait > 0) {
        throw new AppError("RATE_LIMITED", `验证码已发送，请 ${wait} 秒后再获取`, {
          field: "phone",
          retryAfterSeconds: wait,
        });
      }
    }
    const dayStart = shanghaiDayStart(now);
    const perPhone = await trx
      .selectFrom("sms_codes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("phone", "=", phone)
      .where("created_at", ">=", dayStart)
      .executeTakeFirstOrThrow();
    if (Number(perPhone.n) >= config.sms.phoneDailyCap) {
      throw new AppError("RATE_LIMITED", "该手机号今日获取验证码次数已达上限，请明天再试", {
        field: "phone",
        retryAfterSeconds: 3600,
      });
    }
    if (ip) {
      const perIp = await trx
        .selectFrom("sms_codes")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("ip", "=", ip)
        .where("created_at", ">=", dayStart)
        .executeTakeFirstOrThrow();
      if (Number(perIp.n) >= config.sms.ipDailyCap) {
        throw new AppError("RATE_LIMITED", "您今日获取验证码次数过多，请明天再试", {
          retryAfterSeconds: 3600,
        });
      }
    }
  }

  /**
   * Issues a code under the flood rules. The rules and the new row are one transaction behind the
   * `sms_codes.send` lock, so requests arriving together cannot all pass the 60 s check. With
   * `deliver: false` (a register code for a registered phone, a reset code for an unknown one) the row
   * is written the same way, so the rules and the answer do not tell the cases apart, but its hash
   * matches no 6-digit code and no SMS is queued.
   */
  async function sendCode(
    phone: string,
    purpose: SmsPurpose,
    ip: string | null,
    opts: { deliver: boolean },
  ): Promise<{ retryAfterSeconds: number }> {
    const now = clock();
    const code = String(randomInt(0, 10 ** SMS_CODE.digits)).padStart(SMS_CODE.digits, "0");
    await db.transaction().execute(async (trx) => {
      await takeLock(trx, "sms_codes.send");
      await assertMaySend(trx, phone, ip, now);
      // A new code replaces any older unused one for the same purpose.
      await trx
        .updateTable("sms_codes")
        .set({ consumed_at: iso(now) })
        .where("phone", "=", phone)
        .where("purpose", "=", purpose)
        .where("consumed_at", "is", null)
        .execute();
      await trx
        .insertInto("sms_codes")
        .values({
          id: newId(),
          phone,
          purpose,
          code_hash: codeHash(config.secretKey, phone, purpose, opts.deliver ? code : randomToken()),
          ip,
          attempts: 0,
          created_at: iso(now),
          expires_at: iso(addSeconds(now, SMS_CODE.ttlSeconds)),
          consumed_at: null,
        })
        .execute();
      if (!opts.deliver) return;
      await queueSms(trx, { clock, signName: config.sms.signName }, phone, "verify_code", {
        code,
        purpose: PURPOSE_TEXT[purpose],
      });
    });
    return { retryAfterSeconds: SMS_CODE.resendSeconds };
  }

  /**
   * Checks a code. One statement takes a try before the code is compared (the try is committed, so a
   * failing request cannot roll it back), and only while fewer than five were taken: however many
   * requests race, at most five guesses are compared. Returns the code's id; the caller consumes it
   * inside its own transaction.
   */
  async function checkCode(phone: string, purpose: SmsPurpose, code: string): Promise<string> {
    const now = iso(clock());
    const row = await db
      .selectFrom("sms_codes")
      .selectAll()
      .where("phone", "=", phone)
      .where("purpose", "=", purpose)
      .orderBy("created_at", "desc")
      .limit(1)
      .executeTakeFirst();
    if (!row) throw new AppError("SMS_CODE_INVALID", "请先获取短信验证码", { field: "code" });
    if (row.consumed_at)
      throw new AppError("SMS_CODE_EXPIRED", "验证码已使用或已失效，请重新获取", { field: "code" });
    if (row.expires_at <= now)
      throw new AppError("SMS_CODE_EXPIRED", "验证码已过期，请重新获取", { field: "code" });
    const taken = await db
      .updateTable("sms_codes")
      .set((eb) => ({ attempts: eb("attempts", "+", 1) }))
      .where("id", "=", row.id)
      .where("attempts", "<", SMS_CODE.maxAttempts)
      .where("consumed_at", "is", null)
      .returning("attempts")
      .executeTakeFirst();
    if (!taken) {
      throw new AppError("SMS_CODE_EXPIRED", "验证码错误次数过多，请重新获取", { field: "code" });
    }
    if (!safeEqual(row.code_hash, codeHash(config.secretKey, phone, purpose, code))) {
      const left = SMS_CODE.maxAttempts - taken.attempts;
      throw new AppError(
        "SMS_CODE_INVALID",
        left > 0 ? `验证码错误，还可尝试 ${left} 次` : "验证码错误次数过多，请重新获取",
        { field: "code" },
      );
    }
    return row.id;
  }

  /** Single use: only the first of two racing requests consumes the code. */
  async function consumeCode(trx: Trx, id: string): Promise<void> {
    const r = await trx
      .updateTable("sms_codes")
      .set({ consumed_at: iso(clock()) })
      .where("id", "=", id)
      .where("consumed_at", "is", null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) {
      throw new AppError("SMS_CODE_EXPIRED", "验证码已使用或已失效，请重新获取", { field: "code" });
    }
  }

  return { sendCode, checkCode, consumeCode };
}

export type SmsCodeService = ReturnType<typeof createSmsCodeService>;
