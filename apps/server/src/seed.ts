import { DEFAULT_WEEKLY_HOURS } from "@certhall/domain";
import type { Db } from "./db/database";
import type { StaffRole } from "./db/tables";
import { type Clock, iso, newId } from "./lib/clock";
import { hashPassword } from "./lib/password";
import { appendAudit } from "./modules/audit/audit.service";
import { seedCatalog } from "./modules/catalog/catalog.seed";
import { createStaffService } from "./modules/staff/staff.service";
import { chineseDaysCalendar } from "./modules/windows/window.service";

/** The three windows of the seed (福建首众 CA 申请操作说明), with their published hours. */
export const SEED_WINDOWS = [
  {
    code: "sanming",
    city: "三明",
    name: "三明市公共资源交易中心（碧湖）办证窗口",
    address: "福建省三明市梅列区江滨北路 11 号公共资源交易中心(碧湖)一楼大厅",
    phone: "18050180656",
  },
  {
    code: "fuzhou",
    city: "福州",
    name: "福州办证窗口（福建首众信息科技有限公司）",
    address: "福建省福州市鼓楼区八一七中路宇洋中央金地 18 层 福建首众信息科技有限公司",
    phone: "059183622480",
  },
  {
    code: "xiamen",
    city: "厦门",
    name: "厦门市政务服务中心办证窗口",
    address: "厦门市云顶北路 842 号，市政务服务中心 4 层 C 区 19 号窗口",
    phone: "0592-2677170",
  },
] as const;

/** Reference data every installation needs: windows, holiday calendar, CA-type catalog. Idempotent. */
export async function seedReferenceData(db: Db, clock: Clock): Promise<void> {
  const now = iso(clock());
  await db.transaction().execute(async (trx) => {
    const existing = new Set(
      (await trx.selectFrom("service_windows").select("code").execute()).map((w) => w.code),
    );
    let order = 0;
    for (const w of SEED_WINDOWS) {
      order++;
      if (existing.has(w.code)) continue;
      await trx
        .insertInto("service_windows")
        .values({
          id: newId(),
          ...w,
          hours: JSON.stringify(DEFAULT_WEEKLY_HOURS),
          sort_order: order,
          updated_at: now,
        })
        .execute();
    }
    const known = new Set(
      (await trx.selectFrom("calendar_days").select("date").execute()).map((d) => d.date),
    );
    const fresh = chineseDaysCalendar().filter((d) => !known.has(d.date));
    for (let i = 0; i < fresh.length; i += 200) {
      await trx
        .insertInto("calendar_days")
        .values(
          fresh.slice(i, i + 200).map((d) => ({ ...d, source: "chinese-days" as const, updated_at: now })),
        )
        .execute();
    }
    await seedCatalog(trx, now);
  });
}

export const DEMO_PASSWORD = "Certhall@2026";
export const DEMO_APPLICANT_PHONE = "13800138000";
export const DEMO_STAFF: { username: string; name: string; role: StaffRole }[] = [
  { username: "admin", name: "演示管理员", role: "admin" },
  { username: "reviewer", name: "演示审核员", role: "reviewer" },
  { username: "finance", name: "演示财务", role: "finance" },
  { username: "operator", name: "演示窗口受理员", role: "operator" },
  { username: "auditor", name: "演示审计员", role: "auditor" },
];

/** Demo staff (one per role) and one applicant, for development. Idempotent. */
export async function seedDemoData(db: Db, clock: Clock): Promise<void> {
  const staff = createStaffService({ db, clock });
  for (const s of DEMO_STAFF) {
    if (await staff.byUsername(s.username)) continue;
    await staff.create(
      { type: "system", id: null },
      { ...s, password: DEMO_PASSWORD, mustChangePassword: false },
    );
  }
  const applicant = await db
    .selectFrom("accounts")
    .select("id")
    .where("phone", "=", DEMO_APPLICANT_PHONE)
    .executeTakeFirst();
  if (!applicant) {
    const now = iso(clock());
    const id = newId();
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto("accounts")
        .values({
          id,
          phone: DEMO_APPLICANT_PHONE,
          password_hash: passwordHash,
          name: "演示申请人",
          created_at: now,
          updated_at: now,
        })
        .execute();
      await appendAudit(trx, {
        at: clock(),
        actorType: "system",
        actorId: null,
        action: "account.seed_demo",
        objectType: "account",
        objectId: id,
      });
    });
  }
}
