import type { Trx } from "../../db/database";
import type { CaType } from "../../db/tables.orders";
import { newId } from "../../lib/clock";

type SeedCaType = Omit<CaType, "id" | "updated_at" | "active">;

// Demo prices in fen, flagged demo_prices = 1 (DESIGN §4: placeholders that say so); the admin sets
// the real ones in the back office. 证书费 300.00, 介质费 80.00, 年服务费 200.00/年, 电子签章 200.00,
// 变更 50.00, 补证 100.00, 换证 100.00.
const DEMO_FEES = {
  cert_fee: 30_000,
  media_fee: 8_000,
  annual_fee: 20_000,
  eseal_fee: 20_000,
  change_fee: 5_000,
  reissue_fee: 10_000,
  replace_fee: 10_000,
  demo_prices: 1,
} as const;

/** The products of the seed's service hall, each on its packages/pki profile. Keyed by code. */
export const SEED_CA_TYPES: readonly SeedCaType[] = [
  {
    code: "trading-platform-company",
    name: "公共资源交易平台数字证书（企业）",
    description: "用于公共资源交易平台投标签名与标书加密（签名、加密合一）",
    subject_kind: "company",
    profile: "trading-platform",
    sort_order: 10,
    ...DEMO_FEES,
  },
  {
    code: "enterprise-sign",
    name: "企业数字证书",
    description: "用于电子政务、网上办事系统登录与电子文件签名",
    subject_kind: "company",
    profile: "enterprise-sign",
    sort_order: 20,
    ...DEMO_FEES,
  },
  {
    code: "eseal-company",
    name: "电子印章证书",
    description: "用于企业电子印章（电子签章）的签名证书",
    subject_kind: "company",
    profile: "eseal",
    sort_order: 30,
    ...DEMO_FEES,
  },
  {
    code: "person-sign",
    name: "个人数字证书",
    description: "用于个人身份认证与电子文件签名",
    subject_kind: "person",
    profile: "person-sign",
    sort_order: 40,
    ...DEMO_FEES,
  },
];

/**
 * Inserts the seed's CA types that are missing (by code). Existing rows are left alone, so prices the
 * admin has edited survive every restart.
 */
export async function seedCatalog(trx: Trx, now: string): Promise<void> {
  const known = new Set((await trx.selectFrom("ca_types").select("code").execute()).map((t) => t.code));
  for (const t of SEED_CA_TYPES) {
    if (known.has(t.code)) continue;
    await trx
      .insertInto("ca_types")
      .values({ id: newId(), ...t, active: 1, updated_at: now })
      .execute();
  }
}
