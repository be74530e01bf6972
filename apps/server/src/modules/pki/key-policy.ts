// Which keys the CA certifies (issue 12 item 5), beside the key quality checks of packages/pki
// (goodkey.ts): a key revoked for keyCompromise is refused for ever, by the SHA-256 of its
// SubjectPublicKeyInfo; a key certified before is certified again only for the same holder, the same
// account and the same profile (a renewal or a change of name keeps its key; a company cannot take
// over another's key, and the signing and the encryption key of the dual-certificate model stay
// apart).
import { createHash } from "node:crypto";
import { decodeName } from "@certhall/pki";
import type { Db, Trx } from "../../db/database";
import { AppError } from "../../errors";

export const spkiSha256 = (spki: Buffer): string => createHash("sha256").update(spki).digest("hex");

/** Whom a certificate is for: the subject's serialNumber (USCC, hashed ID number), else the whole name. */
export function holderOf(subjectRaw: Buffer): string {
  const names = decodeName(subjectRaw);
  return (
    names.find((a) => a.type === "serialNumber")?.value ?? names.map((a) => `${a.type}=${a.value}`).join(", ")
  );
}

const refuse = (detail: string) => new AppError("VALIDATION_FAILED", detail, { field: "csrPem" });

export interface KeyUse {
  spkiSha256: string;
  holder: string;
  accountId: string | null;
  profile: string;
}

/** Refuses (400 naming csrPem) a blocked key or one certified for another holder, account or profile. */
export async function checkKeyUse(db: Db | Trx, use: KeyUse): Promise<void> {
  const blocked = await db
    .selectFrom("pki_blocked_keys")
    .select(["serial_hex", "blocked_at"])
    .where("spki_sha256", "=", use.spkiSha256)
    .executeTakeFirst();
  if (blocked) {
    throw refuse(
      `证书请求（csrPem）的公钥已因私钥泄露（keyCompromise）于 ${blocked.blocked_at} 随证书 ${blocked.serial_hex} 吊销，永久不能再签发证书，请生成新的密钥`,
    );
  }
  const earlier = await db
    .selectFrom("pki_certificates")
    .select(["serial_hex", "holder", "account_id", "profile"])
    .where("spki_sha256", "=", use.spkiSha256)
    .execute();
  for (const e of earlier) {
    if (e.holder !== use.holder || (e.account_id && use.accountId && e.account_id !== use.accountId)) {
      throw refuse(
        `证书请求（csrPem）的公钥已为其他主体或账户签发过证书（${e.serial_hex}），同一密钥不能用于不同的证书持有者`,
      );
    }
    if (e.profile !== use.profile) {
      throw refuse(
        `证书请求（csrPem）的公钥已用于另一种证书（${e.profile}，${e.serial_hex}），签名与加密等不同用途的证书须使用不同的密钥`,
      );
    }
  }
}

/** Blocks the key of a certificate revoked for keyCompromise (inside the revoking transaction). */
export async function blockKey(
  trx: Trx,
  p: { spkiSha256: string; serialHex: string; at: Date },
): Promise<void> {
  await trx
    .insertInto("pki_blocked_keys")
    .values({
      spki_sha256: p.spkiSha256,
      serial_hex: p.serialHex,
      reason: "keyCompromise",
      blocked_at: p.at.toISOString(),
    })
    .onConflict((oc) => oc.column("spki_sha256").doNothing())
    .execute();
}
