// What the RA sends as `subject` → the library's SubjectInput. Two shapes are accepted:
// the library's own ({ kind: "enterprise" | "person" | "dn", … }) and the X.520-style hint that
// packages/token's `enroll` sends ({ commonName, organization, serialNumber, … }). The profile
// decides the layout (DESIGN §5: the RA decides the subject from the approved order).
import { createHmac } from "node:crypto";
import type { CertificateProfile, DistinguishedName, NameAttribute, SubjectInput } from "@certhall/pki";
import { AppError } from "../../errors";

const HINT_KEYS: Record<string, NameAttribute["type"]> = {
  country: "C",
  province: "ST",
  locality: "L",
  organization: "O",
  organizationalUnit: "OU",
  commonName: "CN",
  serialNumber: "serialNumber",
};

const bad = (field: string, detail: string) =>
  new AppError("VALIDATION_FAILED", detail, { field: field ? `subject.${field}` : "subject" });

function str(
  raw: Record<string, unknown>,
  key: string,
  label: string,
  required: boolean,
): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null || v === "") {
    if (required) throw bad(key, `证书主体缺少${label}（subject.${key}）`);
    return undefined;
  }
  if (typeof v !== "string") throw bad(key, `证书主体的${label}（subject.${key}）须为文本`);
  return v.trim();
}

/**
 * Person ID numbers never go into a certificate in clear (DESIGN §5): they are HMAC-hashed with a
 * salt derived from the server secret, so the RA can still link a person's certificates.
 */
export function personIdSalt(secretKey: Buffer): Buffer {
  return createHmac("sha256", secretKey).update("certhall:pki:person-id-salt").digest();
}

export function toSubjectInput(
  raw: Record<string, unknown>,
  profile: CertificateProfile,
  idSalt: Buffer,
): SubjectInput {
  const kind = raw.kind ?? undefined;
  if (kind !== undefined && kind !== profile.subjectKind) {
    throw bad(
      "kind",
      `证书模板“${profile.name}”需要 ${profile.subjectKind} 类型的主体，收到的是 ${String(kind)}（subject.kind）`,
    );
  }
  if (kind === undefined) return fromHint(raw, profile, idSalt);
  switch (profile.subjectKind) {
    case "enterprise":
      return {
        kind: "enterprise",
        name: str(raw, "name", "企业名称", true)!,
        uscc: str(raw, "uscc", "统一社会信用代码", true)!,
        province: str(raw, "province", "省份", false),
        city: str(raw, "city", "城市", false),
        unit: str(raw, "unit", "部门", false),
      };
    case "person": {
      const idNumber = str(raw, "idNumber", "身份证号", false);
      return {
        kind: "person",
        name: str(raw, "name", "姓名", true)!,
        ...(idNumber ? { idNumber, idPolicy: { mode: "hash" as const, salt: idSalt } } : {}),
        province: str(raw, "province", "省份", false),
        city: str(raw, "city", "城市", false),
        organization: str(raw, "organization", "单位", false),
      };
    }
    case "dn": {
      const attrs = raw.attributes;
      if (!Array.isArray(attrs) || attrs.length === 0) {
        throw bad("attributes", "证书主体缺少属性列表（subject.attributes）");
      }
      const types = new Set(Object.values(HINT_KEYS));
      return {
        kind: "dn",
        attributes: attrs.map((a, i) => {
          const t = (a as { type?: unknown })?.type;
          const v = (a as { value?: unknown })?.value;
          if (typeof t !== "string" || !types.has(t as NameAttribute["type"]) || typeof v !== "string") {
            throw bad(`attributes.${i}`, `证书主体第 ${i + 1} 个属性无效（subject.attributes.${i}）`);
          }
          return { type: t as NameAttribute["type"], value: v };
        }),
      };
    }
  }
}

function fromHint(raw: Record<string, unknown>, profile: CertificateProfile, idSalt: Buffer): SubjectInput {
  for (const key of Object.keys(raw)) {
    if (!(key in HINT_KEYS)) throw bad(key, `证书主体含未知字段（subject.${key}）`);
  }
  const commonName = str(raw, "commonName", "通用名称", profile.subjectKind !== "enterprise");
  const organization = str(raw, "organization", "单位名称", false);
  const province = str(raw, "province", "省份", false);
  const city = str(raw, "locality", "城市", false);
  switch (profile.subjectKind) {
    case "enterprise": {
      const name = organization ?? commonName;
      if (!name) throw bad("organization", "证书主体缺少企业名称（subject.organization）");
      return {
        kind: "enterprise",
        name,
        uscc: str(raw, "serialNumber", "统一社会信用代码", true)!,
        province,
        city,
        unit: str(raw, "organizationalUnit", "部门", false),
      };
    }
    case "person": {
      const idNumber = str(raw, "serialNumber", "身份证号", false);
      return {
        kind: "person",
        name: commonName!,
        ...(idNumber ? { idNumber, idPolicy: { mode: "hash" as const, salt: idSalt } } : {}),
        province,
        city,
        organization,
      };
    }
    case "dn": {
      const dn: DistinguishedName = [];
      for (const [key, type] of Object.entries(HINT_KEYS)) {
        const v = str(raw, key, key, false);
        if (v) dn.push({ type, value: v });
      }
      return { kind: "dn", attributes: dn };
    }
  }
}
