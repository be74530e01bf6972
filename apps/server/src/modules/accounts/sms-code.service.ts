import { randomInt } from "node:crypto";
import { shanghaiDate } from "@certhall/domain";
import type { Config } from "../../config";
import type { Db, Trx } from "../../db/database";
import type { SmsPurpose } from "../../db/tables";
import { AppError } from "../../errors";
import { addSeconds, type Clock, iso, newId } from "../../lib/clock";
import { hmacHex, safeEqual } from "../../lib/tokens";
import { queueSms } from "../sms/sms.outbox";

/** DESIGN §4: 6 digits, stored hashed, 5 minutes, 5 tries, 60 s between sends, daily caps. */
export const SMS_CODE = { digits: 6, ttlSeconds: 300, maxAttempts: 5, resendSeconds: 60 } as const;

const PURPOSE_TEXT: Record<SmsPurpose, string> = { register: "注册账号", reset_password: "找回密码" };

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

  async function sendCode(
    phone: string,
    purpose: SmsPurpose,
    ip: string | null,
  ): Promise<{ retryAfterSeconds: number }> {
    const now = clock();
    const last = await db
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
    const perPhone = await db
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
      const perIp = await db
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

    const code = String(randomInt(0, 10 ** SMS_CODE.digits)).padStart(SMS_CODE.digits, "0");
    await db.transaction().execute(async (trx) => {
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
          code_hash: codeHash(config.secretKey, phone, purpose, code),
          ip,
          attempts: 0,
          created_at: iso(now),
          expires_at: iso(addSeconds(now, SMS_CODE.ttlSeconds)),
          consumed_at: null,
        })
        .execute();
      await queueSms(trx, { clock, signName: config.sms.signName }, phone, "verify_code", {
        code,
        purpose: PURPOSE_TEXT[purpose],
      });
    });
    return { retryAfterSeconds: SMS_CODE.resendSeconds };
  }

  /**
   * Checks a code and counts a wrong try in its own committed write (so a failing request cannot roll
   * the count back). Returns the code's id; the caller consumes it inside its own transaction.
   */
  async function checkCode(phone: string, purpose: SmsPurpose, code: string): Promise<string> {
    const now = clock();
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
    if (row.expires_at <= iso(now))
      throw new AppError("SMS_CODE_EXPIRED", "验证码已过期，请重新获取", { field: "code" });
    if (row.attempts >= SMS_CODE.maxAttempts) {
      throw new AppError("SMS_CODE_EXPIRED", "验证码错误次数过多，请重新获取", { field: "code" });
    }
    if (!safeEqual(row.code_hash, codeHash(config.secretKey, phone, purpose, code))) {
      const attempts = row.attempts + 1;
      await db.updateTable("sms_codes").set({ attempts }).where("id", "=", row.id).execute();
      const left = SMS_CODE.maxAttempts - attempts;
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
