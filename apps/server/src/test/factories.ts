import type { Db } from "../db/database";
import { newId } from "../lib/clock";

/** Small builders for rows other modules own, so a test states only what matters to it. */
export async function buildCompany(db: Db, accountId: string, over: { name?: string; uscc?: string } = {}) {
  const now = new Date().toISOString();
  const row = {
    id: newId(),
    account_id: accountId,
    kind: "company" as const,
    name: over.name ?? "福建测试科技有限公司",
    identity_key: over.uscc ?? "91350100M000100Y43",
    legal_rep: "张三",
    address: "福建省福州市鼓楼区",
    archived: 0,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto("subjects").values(row).execute();
  return row;
}

export async function buildCaType(
  db: Db,
  over: { code?: string; subjectKind?: "company" | "person"; certFee?: number; annualFee?: number } = {},
) {
  const row = {
    id: newId(),
    code: over.code ?? `test-${newId().slice(0, 8)}`,
    name: "测试企业证书",
    description: "测试用",
    subject_kind: over.subjectKind ?? ("company" as const),
    profile: "enterprise-sign",
    cert_fee: over.certFee ?? 30000,
    media_fee: 8000,
    annual_fee: over.annualFee ?? 20000,
    eseal_fee: 20000,
    change_fee: 5000,
    reissue_fee: 10000,
    replace_fee: 10000,
    demo_prices: 1,
    active: 1,
    sort_order: 0,
    updated_at: new Date().toISOString(),
  };
  await db.insertInto("ca_types").values(row).execute();
  return row;
}

export async function accountIdOf(db: Db, phone: string): Promise<string> {
  return (await db.selectFrom("accounts").select("id").where("phone", "=", phone).executeTakeFirstOrThrow())
    .id;
}
