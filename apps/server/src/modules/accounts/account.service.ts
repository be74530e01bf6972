import { maskPhone, validatePassword } from "@certhall/domain";
import type { Config } from "../../config";
import type { Db } from "../../db/database";
import type { Account } from "../../db/tables";
import { AppError, invalidField, unauthenticated } from "../../errors";
import { type Clock, iso, newId } from "../../lib/clock";
import { checkLoginPassword, checkPassword, clearLockout, lockoutKey } from "../../lib/lockout";
import { hashPassword } from "../../lib/password";
import { appendAudit } from "../audit/audit.service";
import { createSession, revokeAllSessions, revokeSession } from "../sessions/session.service";
import { queueSms } from "../sms/sms.outbox";
import type { SmsCodeService } from "./sms-code.service";

export interface AccountDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, "sms">;
  smsCodes: SmsCodeService;
}

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export function presentAccount(a: Account) {
  return { id: a.id, phoneMasked: maskPhone(a.phone), name: a.name, createdAt: a.created_at };
}

function checkStrength(password: string, phone: string, field: string): void {
  const r = validatePassword(password, { phone });
  if (!r.ok) throw invalidField(field, r.reason);
}

export function createAccountService(deps: AccountDeps) {
  const { db, clock, smsCodes } = deps;
  const sms = { clock, signName: deps.config.sms.signName };

  async function findByPhone(phone: string) {
    return db.selectFrom("accounts").selectAll().where("phone", "=", phone).executeTakeFirst();
  }

  /**
   * The same answer whether the phone is registered or not, so the route cannot be used to learn who
   * has an account: a register code for a registered phone, or a reset code for an unknown one, is
   * answered as sent and counts against the flood rules, but nothing is sent (sms-code.service).
   */
  async function requestCode(phone: string, purpose: "register" | "reset_password", meta: RequestMeta) {
    const registered = (await findByPhone(phone)) !== undefined;
    const deliver = purpose === "register" ? !registered : registered;
    return smsCodes.sendCode(phone, purpose, meta.ip, { deliver });
  }

  async function register(input: { phone: string; code: string; password: string }, meta: RequestMeta) {
    checkStrength(input.password, input.phone, "password");
    const codeId = await smsCodes.checkCode(input.phone, "register", input.code);
    // Only after the code proved the phone is it told that the phone is taken.
    if (await findByPhone(input.phone)) {
      throw new AppError("PHONE_TAKEN", "该手机号已注册，请直接登录", { field: "phone" });
    }
    const passwordHash = await hashPassword(input.password);
    const now = iso(clock());
    try {
      return await db.transaction().execute(async (trx) => {
        await smsCodes.consumeCode(trx, codeId);
        const account: Account = {
          id: newId(),
          phone: input.phone,
          password_hash: passwordHash,
          name: null,
          created_at: now,
          updated_at: now,
        };
        await trx.insertInto("accounts").values(account).execute();
        await appendAudit(trx, {
          at: clock(),
          actorType: "applicant",
          actorId: account.id,
          action: "account.register",
          objectType: "account",
          objectId: account.id,
          detail: { phone: maskPhone(account.phone) },
          ip: meta.ip,
        });
        const session = await createSession(trx, clock, "applicant", account.id, meta);
        return { account, token: session.token };
      });
    } catch (err) {
      // Two registrations racing for one phone: the unique index decides, the loser gets a clear answer.
      if (await findByPhone(input.phone)) {
        throw new AppError("PHONE_TAKEN", "该手机号已注册，请直接登录", { field: "phone" });
      }
      throw err;
    }
  }

  async function login(input: { phone: string; password: string }, meta: RequestMeta) {
    const found = await findByPhone(input.phone);
    await checkLoginPassword(db, clock, {
      realm: "applicant",
      identifier: input.phone,
      row: found,
      password: input.password,
      who: "手机号",
      lockedHint: "或通过短信找回密码",
      ip: meta.ip,
    });
    const account = found!;
    return db.transaction().execute(async (trx) => {
      await clearLockout(trx, lockoutKey("applicant", account.phone));
      await appendAudit(trx, {
        at: clock(),
        actorType: "applicant",
        actorId: account.id,
        action: "account.login",
        objectType: "account",
        objectId: account.id,
        ip: meta.ip,
      });
      const session = await createSession(trx, clock, "applicant", account.id, meta);
      return { account, token: session.token };
    });
  }

  async function logout(sessionId: string) {
    await revokeSession(db, clock, sessionId);
  }

  async function resetPassword(
    input: { phone: string; code: string; newPassword: string },
    meta: RequestMeta,
  ) {
    checkStrength(input.newPassword, input.phone, "newPassword");
    const codeId = await smsCodes.checkCode(input.phone, "reset_password", input.code);
    const account = await findByPhone(input.phone);
    if (!account) throw invalidField("phone", "该手机号尚未注册");
    const passwordHash = await hashPassword(input.newPassword);
    await db.transaction().execute(async (trx) => {
      await smsCodes.consumeCode(trx, codeId);
      await trx
        .updateTable("accounts")
        .set({ password_hash: passwordHash, updated_at: iso(clock()) })
        .where("id", "=", account.id)
        .execute();
      // The code proves the phone: the reset also lifts a lockout.
      await clearLockout(trx, lockoutKey("applicant", account.phone));
      await revokeAllSessions(trx, clock, "applicant", account.id);
      await appendAudit(trx, {
        at: clock(),
        actorType: "applicant",
        actorId: account.id,
        action: "account.password_reset",
        objectType: "account",
        objectId: account.id,
        ip: meta.ip,
      });
      await queueSms(trx, sms, account.phone, "password_changed", {});
    });
  }

  async function get(accountId: string): Promise<Account> {
    const a = await db.selectFrom("accounts").selectAll().where("id", "=", accountId).executeTakeFirst();
    if (!a) throw unauthenticated();
    return a;
  }

  async function changePassword(
    accountId: string,
    sessionId: string,
    input: { currentPassword: string; newPassword: string },
    meta: RequestMeta,
  ) {
    const account = await get(accountId);
    const lockout = lockoutKey("applicant", account.phone);
    const current = await checkPassword(db, clock, {
      key: lockout,
      hash: account.password_hash,
      password: input.currentPassword,
      lockedHint: "或通过短信找回密码",
      audit: { objectType: "account", objectId: account.id, ip: meta.ip },
    });
    if (!current.ok) throw invalidField("currentPassword", `当前密码错误，还可尝试 ${current.left} 次`);
    checkStrength(input.newPassword, account.phone, "newPassword");
    if (input.newPassword === input.currentPassword)
      throw invalidField("newPassword", "新密码不能与当前密码相同");
    const passwordHash = await hashPassword(input.newPassword);
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable("accounts")
        .set({ password_hash: passwordHash, updated_at: iso(clock()) })
        .where("id", "=", account.id)
        .execute();
      await clearLockout(trx, lockout);
      // Other devices are signed out; this one stays.
      await revokeAllSessions(trx, clock, "applicant", account.id, sessionId);
      await appendAudit(trx, {
        at: clock(),
        actorType: "applicant",
        actorId: account.id,
        action: "account.password_change",
        objectType: "account",
        objectId: account.id,
        ip: meta.ip,
      });
      await queueSms(trx, sms, account.phone, "password_changed", {});
    });
  }

  async function updateProfile(accountId: string, input: { name: string | null }, meta: RequestMeta) {
    return db.transaction().execute(async (trx) => {
      await trx
        .updateTable("accounts")
        .set({ name: input.name, updated_at: iso(clock()) })
        .where("id", "=", accountId)
        .execute();
      await appendAudit(trx, {
        at: clock(),
        actorType: "applicant",
        actorId: accountId,
        action: "account.update_profile",
        objectType: "account",
        objectId: accountId,
        ip: meta.ip,
      });
      return trx.selectFrom("accounts").selectAll().where("id", "=", accountId).executeTakeFirstOrThrow();
    });
  }

  return { requestCode, register, login, logout, resetPassword, get, changePassword, updateProfile };
}

export type AccountService = ReturnType<typeof createAccountService>;
