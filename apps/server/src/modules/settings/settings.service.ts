// Platform settings the admin edits (管理员): today the renewal window, DESIGN §4 "allowed from 90 days
// before expiry (admin-set window)". The value lives in platform_settings only (its default is written
// by migration 0007); the order rules read it inside their own transaction, the wallet through the
// public GET /settings, and an edit is one transaction with its audit entry.
import { RENEWAL_WINDOW_LIMITS } from "@certhall/domain";
import type { Db, Trx } from "../../db/database";
import { invalidField } from "../../errors";
import { type Clock, iso } from "../../lib/clock";
import { appendAudit } from "../audit/audit.service";

export interface SettingsDeps {
  db: Db;
  clock: Clock;
}

export interface PlatformSettings {
  /** 延期 may be applied for from this many days before the certificate's expiry. */
  renewalWindowDays: number;
}

const RENEWAL_WINDOW_KEY = "renewal_window_days";

/** The field as people read it in errors: its Chinese name and the API field. */
export const RENEWAL_WINDOW_LABEL = "延期办理窗口（renewalWindowDays，到期前天数）";

export function checkRenewalWindowDays(value: unknown): number {
  const { min, max } = RENEWAL_WINDOW_LIMITS;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalidField("renewalWindowDays", `${RENEWAL_WINDOW_LABEL}须为 ${min} 到 ${max} 之间的整数`);
  }
  return value;
}

/** The renewal window in days, as stored; a missing or broken row is a deployment fault, not a default. */
export async function renewalWindowDays(q: Db | Trx): Promise<number> {
  const row = await q
    .selectFrom("platform_settings")
    .select("value")
    .where("key", "=", RENEWAL_WINDOW_KEY)
    .executeTakeFirst();
  const days = row ? Number(row.value) : Number.NaN;
  if (!Number.isInteger(days))
    throw new Error(`platform setting ${RENEWAL_WINDOW_KEY} is missing or not a number`);
  return days;
}

export async function readSettings(q: Db | Trx): Promise<PlatformSettings> {
  return { renewalWindowDays: await renewalWindowDays(q) };
}

export function createSettingsService(deps: SettingsDeps) {
  const { db, clock } = deps;

  async function update(
    actor: { type: "staff"; id: string },
    input: PlatformSettings,
    meta: { ip: string | null },
  ): Promise<PlatformSettings> {
    const days = checkRenewalWindowDays(input.renewalWindowDays);
    return db.transaction().execute(async (trx) => {
      // Take the row's lock before reading "before": two admins saving at once then audit the change
      // each of them really made (PostgreSQL reads the other's committed value after the wait).
      await trx
        .updateTable("platform_settings")
        .set((eb) => ({ value: eb.ref("value") }))
        .where("key", "=", RENEWAL_WINDOW_KEY)
        .execute();
      const before = await readSettings(trx);
      const now = clock();
      await trx
        .updateTable("platform_settings")
        .set({ value: String(days), updated_at: iso(now), updated_by: actor.id })
        .where("key", "=", RENEWAL_WINDOW_KEY)
        .execute();
      const after: PlatformSettings = { renewalWindowDays: days };
      await appendAudit(trx, {
        at: now,
        actorType: actor.type,
        actorId: actor.id,
        action: "settings.update",
        objectType: "platform_settings",
        objectId: RENEWAL_WINDOW_KEY,
        detail: { before, after },
        ip: meta.ip,
      });
      return after;
    });
  }

  return { get: () => readSettings(db), update };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
