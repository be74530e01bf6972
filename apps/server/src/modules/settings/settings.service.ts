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
  /**
   * DESIGN §8: a 延期 leaves its predecessor valid until it expires (true) instead of revoking it
   * (superseded) once the new certificate is issued (false, the default; migration 0015).
   */
  renewalKeepsPredecessor: boolean;
}

const RENEWAL_WINDOW_KEY = "renewal_window_days";
const KEEP_PREDECESSOR_KEY = "renewal_keeps_predecessor";

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

/** Whether a 延期 keeps its predecessor valid (platform setting, default false: revoke superseded). */
export async function renewalKeepsPredecessor(q: Db | Trx): Promise<boolean> {
  const row = await q
    .selectFrom("platform_settings")
    .select("value")
    .where("key", "=", KEEP_PREDECESSOR_KEY)
    .executeTakeFirst();
  if (!row || (row.value !== "0" && row.value !== "1"))
    throw new Error(`platform setting ${KEEP_PREDECESSOR_KEY} is missing or not 0/1`);
  return row.value === "1";
}

export async function readSettings(q: Db | Trx): Promise<PlatformSettings> {
  return {
    renewalWindowDays: await renewalWindowDays(q),
    renewalKeepsPredecessor: await renewalKeepsPredecessor(q),
  };
}

export function checkKeepsPredecessor(value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw invalidField(
      "renewalKeepsPredecessor",
      "延期后原证书处理方式（renewalKeepsPredecessor）须为是或否",
    );
  }
  return value;
}

export function createSettingsService(deps: SettingsDeps) {
  const { db, clock } = deps;

  async function update(
    actor: { type: "staff"; id: string },
    input: { renewalWindowDays?: unknown; renewalKeepsPredecessor?: unknown },
    meta: { ip: string | null },
  ): Promise<PlatformSettings> {
    // A setting left out keeps its value (an older admin page sends the window only).
    const values = new Map<string, string>();
    if (input.renewalWindowDays !== undefined || input.renewalKeepsPredecessor === undefined)
      values.set(RENEWAL_WINDOW_KEY, String(checkRenewalWindowDays(input.renewalWindowDays)));
    if (input.renewalKeepsPredecessor !== undefined)
      values.set(KEEP_PREDECESSOR_KEY, checkKeepsPredecessor(input.renewalKeepsPredecessor) ? "1" : "0");
    return db.transaction().execute(async (trx) => {
      // Take the rows' lock before reading "before": two admins saving at once then audit the change
      // each of them really made (PostgreSQL reads the other's committed value after the wait).
      await trx
        .updateTable("platform_settings")
        .set((eb) => ({ value: eb.ref("value") }))
        .where("key", "in", [...values.keys()])
        .execute();
      const before = await readSettings(trx);
      const now = clock();
      for (const [key, value] of values) {
        await trx
          .updateTable("platform_settings")
          .set({ value, updated_at: iso(now), updated_by: actor.id })
          .where("key", "=", key)
          .execute();
      }
      const after = await readSettings(trx);
      await appendAudit(trx, {
        at: now,
        actorType: actor.type,
        actorId: actor.id,
        action: "settings.update",
        objectType: "platform_settings",
        objectId: [...values.keys()].join(","),
        detail: { before, after },
        ip: meta.ip,
      });
      return after;
    });
  }

  return { get: () => readSettings(db), update };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
