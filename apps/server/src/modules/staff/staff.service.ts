import { validatePassword } from "@certhall/domain";
import type { Db } from "../../db/database";
import type { Staff, StaffRole } from "../../db/tables";
import { AppError, invalidField, notFound } from "../../errors";
import { type Clock, iso, newId } from "../../lib/clock";
import { checkLoginPassword, checkPassword, clearLockout, lockoutKey } from "../../lib/lockout";
import { hashPassword } from "../../lib/password";
import { appendAudit } from "../audit/audit.service";
import { createSession, revokeAllSessions, revokeSession } from "../sessions/session.service";

export interface StaffDeps {
  db: Db;
  clock: Clock;
}

/** The actor of a staff action: a logged-in staff member, or the operator's CLI on the server. */
export type StaffActor = { type: "staff"; id: string } | { type: "system"; id: null };

interface Meta {
  ip: string | null;
  userAgent: string | null;
}

export function presentStaff(s: Staff) {
  return {
    id: s.id,
    username: s.username,
    name: s.name,
    role: s.role,
    disabled: s.disabled === 1,
    mustChangePassword: s.must_change_password === 1,
    createdAt: s.created_at,
    lastLoginAt: s.last_login_at,
  };
}

export function createStaffService(deps: StaffDeps) {
  const { db, clock } = deps;

  async function byUsername(username: string) {
    return db.selectFrom("staff").selectAll().where("username", "=", username).executeTakeFirst();
  }

  async function get(id: string) {
    const s = await db.selectFrom("staff").selectAll().where("id", "=", id).executeTakeFirst();
    if (!s) throw notFound("人员");
    return s;
  }

  async function create(
    actor: StaffActor,
    input: {
      username: string;
      name: string;
      role: StaffRole;
      password: string;
      mustChangePassword?: boolean;
      /** The member's own mobile and ID number (separation of duties: not on his own orders). */
      phone?: string | null;
      idNumber?: string | null;
      /** Keyed hash of the admin's browser (plugins/device.ts); null from the CLI. */
      createdInDevice?: string | null;
    },
    meta: Meta = { ip: null, userAgent: null },
  ): Promise<Staff> {
    const pw = validatePassword(input.password);
    if (!pw.ok) throw invalidField("password", pw.reason);
    if (await byUsername(input.username))
      throw new AppError("CONFLICT", "该用户名已存在", { field: "username" });
    const passwordHash = await hashPassword(input.password);
    const now = iso(clock());
    const staff: Staff = {
      id: newId(),
      username: input.username,
      name: input.name,
      role: input.role,
      password_hash: passwordHash,
      disabled: 0,
      must_change_password: input.mustChangePassword === false ? 0 : 1,
      created_at: now,
      updated_at: now,
      last_login_at: null,
      phone: input.phone ?? null,
      id_number: input.idNumber?.toUpperCase() ?? null,
      created_in_device: input.createdInDevice ?? null,
    };
    try {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto("staff").values(staff).execute();
        await appendAudit(trx, {
          at: clock(),
          actorType: actor.type,
          actorId: actor.id,
          action: "staff.create",
          objectType: "staff",
          objectId: staff.id,
          detail: { username: staff.username, role: staff.role },
          ip: meta.ip,
        });
      });
    } catch (err) {
      if (await byUsername(input.username))
        throw new AppError("CONFLICT", "该用户名已存在", { field: "username" });
      throw err;
    }
    return staff;
  }

  async function setDisabled(actor: StaffActor, id: string, disabled: boolean, meta: Meta): Promise<Staff> {
    const target = await get(id);
    if (actor.type === "staff" && actor.id === id && disabled) {
      throw new AppError("INVALID_STATE", "不能停用自己的账号");
    }
    return db.transaction().execute(async (trx) => {
      await trx
        .updateTable("staff")
        .set({ disabled: disabled ? 1 : 0, updated_at: iso(clock()) })
        .where("id", "=", id)
        .execute();
      if (disabled) await revokeAllSessions(trx, clock, "staff", id);
      await appendAudit(trx, {
        at: clock(),
        actorType: actor.type,
        actorId: actor.id,
        action: disabled ? "staff.disable" : "staff.enable",
        objectType: "staff",
        objectId: id,
        detail: { username: target.username },
        ip: meta.ip,
      });
      return trx.selectFrom("staff").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    });
  }

  async function login(input: { username: string; password: string }, meta: Meta) {
    const found = await byUsername(input.username);
    await checkLoginPassword(db, clock, {
      realm: "staff",
      identifier: input.username,
      row: found,
      password: input.password,
      who: "用户名",
      ip: meta.ip,
    });
    const staff = found!;
    if (staff.disabled) throw new AppError("FORBIDDEN", "账号已停用，请联系管理员");
    return db.transaction().execute(async (trx) => {
      const now = iso(clock());
      await trx.updateTable("staff").set({ last_login_at: now }).where("id", "=", staff.id).execute();
      await clearLockout(trx, lockoutKey("staff", staff.username));
      await appendAudit(trx, {
        at: clock(),
        actorType: "staff",
        actorId: staff.id,
        action: "staff.login",
        objectType: "staff",
        objectId: staff.id,
        ip: meta.ip,
      });
      const session = await createSession(trx, clock, "staff", staff.id, meta);
      return { staff: { ...staff, last_login_at: now }, token: session.token };
    });
  }

  async function changePassword(
    staffId: string,
    sessionId: string,
    input: { currentPassword: string; newPassword: string },
    meta: Meta,
  ) {
    const staff = await get(staffId);
    const lockout = lockoutKey("staff", staff.username);
    const current = await checkPassword(db, clock, {
      key: lockout,
      hash: staff.password_hash,
      password: input.currentPassword,
      audit: { objectType: "staff", objectId: staff.id, ip: meta.ip },
    });
    if (!current.ok) throw invalidField("currentPassword", `当前密码错误，还可尝试 ${current.left} 次`);
    const pw = validatePassword(input.newPassword);
    if (!pw.ok) throw invalidField("newPassword", pw.reason);
    if (input.newPassword === input.currentPassword)
      throw invalidField("newPassword", "新密码不能与当前密码相同");
    const passwordHash = await hashPassword(input.newPassword);
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable("staff")
        .set({
          password_hash: passwordHash,
          must_change_password: 0,
          updated_at: iso(clock()),
        })
        .where("id", "=", staffId)
        .execute();
      await clearLockout(trx, lockout);
      await revokeAllSessions(trx, clock, "staff", staffId, sessionId);
      await appendAudit(trx, {
        at: clock(),
        actorType: "staff",
        actorId: staffId,
        action: "staff.password_change",
        objectType: "staff",
        objectId: staffId,
        ip: meta.ip,
      });
    });
  }

  async function list() {
    return db.selectFrom("staff").selectAll().orderBy("created_at").orderBy("username").execute();
  }

  const logout = (sessionId: string) => revokeSession(db, clock, sessionId);

  return { create, setDisabled, login, logout, changePassword, list, get, byUsername };
}

export type StaffService = ReturnType<typeof createStaffService>;
