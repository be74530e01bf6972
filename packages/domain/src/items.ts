// What an order item carries beyond its subject and CA type, per business (DESIGN §2). 新证 items name a
// subject and a product; every other business acts on a certificate the account already holds (the
// item's target), except 其他厂商介质证书更换, whose target is another vendor's certificate. The
// details are stored as JSON on the item; these types and checks are shared by server and browser.
// What each business does with them is in its definition (./businesses).

export interface RenewDetails {
  /** Keep the old key pair (bids encrypted to the old certificate stay readable) or make a new one. */
  keepKey: boolean;
}

export const SEAL_KINDS = [
  "公章",
  "合同专用章",
  "财务专用章",
  "发票专用章",
  "法定代表人章",
  "个人签名章",
] as const;
export type SealKind = (typeof SEAL_KINDS)[number];

export interface EsealDetails {
  sealName: string;
  sealKind: SealKind;
  /** The uploaded PNG (uploads.id), checked by the server's seal image rules. */
  sealUploadId: string;
  sealSha256?: string;
}

export interface SubjectChanges {
  name?: string;
  legalRep?: string;
  address?: string;
}

export interface ChangeDetails {
  changes: SubjectChanges;
  reason: string;
}

export type ReissueCause = "lost" | "broken";
export interface ReissueDetails {
  cause: ReissueCause;
}

/** The RFC 5280 reasons an applicant may state for a 注销 (DESIGN §8). */
export const REVOKE_REASONS = ["cessationOfOperation", "affiliationChanged", "keyCompromise"] as const;
export type RevokeReason = (typeof REVOKE_REASONS)[number];
export interface RevokeDetails {
  reason: RevokeReason;
}

export interface VendorCertificateSummary {
  subject: string;
  issuer: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
}

export interface VendorSwapDetails {
  vendor: VendorCertificateSummary;
  /** The new service end the rule gives on the day the order was filed (recomputed when issued). */
  estimatedEnd: string;
  rule: "plus_one_year" | "two_years_from_processing";
}

export type ItemDetails =
  | RenewDetails
  | EsealDetails
  | ChangeDetails
  | ReissueDetails
  | RevokeDetails
  | VendorSwapDetails
  | Record<string, never>;

export const REISSUE_CAUSES: Record<ReissueCause, string> = {
  lost: "介质遗失",
  broken: "介质损坏",
};

export const REVOKE_REASON_LABELS: Record<RevokeReason, string> = {
  cessationOfOperation: "不再使用",
  affiliationChanged: "单位或个人信息变更",
  keyCompromise: "私钥泄露或介质遗失",
};

/** A stored 注销 item's reason (items filed before the choice existed: 不再使用). */
export function revokeReasonOf(details: Record<string, unknown> | null | undefined): RevokeReason {
  const r = details?.reason;
  return (REVOKE_REASONS as readonly unknown[]).includes(r) ? (r as RevokeReason) : "cessationOfOperation";
}

const LIMITS = { name: 100, legalRep: 50, address: 200 } as const;
export const CHANGE_LABELS: Record<keyof SubjectChanges, string> = {
  name: "名称",
  legalRep: "法定代表人",
  address: "地址",
};

/**
 * The fields a 变更 item changes, trimmed, compared with the subject as it stands. Returns the changes
 * that differ, or a Chinese error naming the field. A person can change only the name.
 */
export function checkSubjectChanges(
  kind: "company" | "person",
  current: { name: string; legalRep: string | null; address: string | null },
  input: SubjectChanges,
  reason: string,
): { ok: true; changes: SubjectChanges; reason: string } | { ok: false; field: string; message: string } {
  const changes: SubjectChanges = {};
  for (const key of ["name", "legalRep", "address"] as const) {
    const raw = input[key];
    if (raw === undefined || raw === null) continue;
    const value = raw.trim();
    if (!value) continue;
    if (kind === "person" && key !== "name") {
      return { ok: false, field: `changes.${key}`, message: `个人证书不能变更${CHANGE_LABELS[key]}` };
    }
    if (value.length > LIMITS[key]) {
      return { ok: false, field: `changes.${key}`, message: `${CHANGE_LABELS[key]}最多 ${LIMITS[key]} 个字` };
    }
    const before = key === "name" ? current.name : key === "legalRep" ? current.legalRep : current.address;
    if (value !== (before ?? "")) changes[key] = value;
  }
  if (Object.keys(changes).length === 0) {
    return {
      ok: false,
      field: "changes",
      message: "请至少修改一项信息（名称、法定代表人或地址），且与原信息不同",
    };
  }
  const why = reason.trim();
  if (!why) return { ok: false, field: "reason", message: "请填写变更原因" };
  if (why.length > 200) return { ok: false, field: "reason", message: "变更原因最多 200 个字" };
  return { ok: true, changes, reason: why };
}
