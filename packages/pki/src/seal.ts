// Private keys at rest (DESIGN §5): AES-256-GCM under a 32-byte master key from the environment.
// Envelope v1: "CHK" magic (3) | version 0x01 (1) | IV (12, random per seal) | GCM tag (16) | ciphertext.
// The header is bound as GCM additional data so a changed version byte fails authentication too.
import crypto from "node:crypto";
import { PkiError } from "./errors";

const MAGIC = Buffer.from("CHK", "ascii");
const VERSION_1 = 0x01;
const HEADER_LEN = MAGIC.length + 1;
const IV_LEN = 12;
const TAG_LEN = 16;

function checkMasterKey(masterKey: Buffer): void {
  if (!Buffer.isBuffer(masterKey) || masterKey.length !== 32) {
    throw new PkiError("PKI_BAD_INPUT", "主密钥必须是 32 字节（AES-256）");
  }
}

export function sealKey(pkcs8Der: Buffer, masterKey: Buffer): Buffer {
  checkMasterKey(masterKey);
  const header = Buffer.concat([MAGIC, Buffer.from([VERSION_1])]);
  const iv = crypto.randomBytes(IV_LEN);
  const cipher = crypto.createCipheriv("aes-256-gcm", masterKey, iv, { authTagLength: TAG_LEN });
  cipher.setAAD(header);
  const ciphertext = Buffer.concat([cipher.update(pkcs8Der), cipher.final()]);
  return Buffer.concat([header, iv, cipher.getAuthTag(), ciphertext]);
}

export function openKey(sealed: Buffer, masterKey: Buffer): Buffer {
  checkMasterKey(masterKey);
  if (sealed.length < HEADER_LEN + IV_LEN + TAG_LEN + 1 || !sealed.subarray(0, 3).equals(MAGIC)) {
    throw new PkiError("PKI_SEAL_FAILED", "密钥密文格式无效或已损坏");
  }
  const version = sealed[3];
  if (version !== VERSION_1) {
    throw new PkiError("PKI_SEAL_VERSION", `不支持的密钥密文版本（${version}）`);
  }
  const header = sealed.subarray(0, HEADER_LEN);
  const iv = sealed.subarray(HEADER_LEN, HEADER_LEN + IV_LEN);
  const tag = sealed.subarray(HEADER_LEN + IV_LEN, HEADER_LEN + IV_LEN + TAG_LEN);
  const ciphertext = sealed.subarray(HEADER_LEN + IV_LEN + TAG_LEN);
  const decipher = crypto.createDecipheriv("aes-256-gcm", masterKey, iv, { authTagLength: TAG_LEN });
  decipher.setAAD(header);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new PkiError("PKI_SEAL_FAILED", "无法解密 CA 私钥：主密钥错误或密文被篡改");
  }
}
