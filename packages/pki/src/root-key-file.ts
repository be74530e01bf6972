// The offline root key (DESIGN §9): a file sealed with a passphrase, used only by the ceremony
// (`certhall ca ceremony …`), never by the server. scrypt (RFC 7914) derives a 32-byte key from the
// passphrase; AES-256-GCM encrypts the PKCS#8 key. The file is JSON text so an operator can see what it
// is; everything except the ciphertext (format, KDF parameters, the root certificate) is bound as GCM
// additional data, so a swapped certificate or weakened parameter fails authentication.
import crypto from "node:crypto";
import { PkiError } from "./errors";

export const ROOT_KEY_FILE_FORMAT = "certhall-root-key" as const;

/** scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB, about 0.1 s): OWASP's minimum for scrypt. */
const DEFAULT_KDF = { name: "scrypt", N: 32768, r: 8, p: 1 } as const;
const MIN_PASSPHRASE = 12;

interface RootKeyFileJson {
  format: typeof ROOT_KEY_FILE_FORMAT;
  version: 1;
  algorithm: string;
  kdf: { name: "scrypt"; N: number; r: number; p: number; salt: string };
  iv: string;
  tag: string;
  ciphertext: string;
  /** The root's self-signed certificate (public), PEM. */
  certificate: string;
}

export interface RootKeyMaterial {
  algorithm: string;
  /** PKCS#8 DER of the root private key. */
  keyPkcs8: Buffer;
  certificatePem: string;
}

const aadOf = (f: Omit<RootKeyFileJson, "iv" | "tag" | "ciphertext">): Buffer =>
  Buffer.from(JSON.stringify([f.format, f.version, f.algorithm, f.kdf, f.certificate]), "utf8");

function deriveKey(passphrase: string, kdf: RootKeyFileJson["kdf"]): Buffer {
  // scrypt needs 128·N·r bytes; allow exactly what the parameters ask for (refused above 256 MiB).
  const maxmem = 128 * kdf.N * kdf.r + 1024 * 1024;
  if (maxmem > 256 * 1024 * 1024) throw new PkiError("PKI_SEAL_FAILED", "根密钥文件的 scrypt 参数过大");
  return crypto.scryptSync(passphrase.normalize("NFC"), Buffer.from(kdf.salt, "base64"), 32, {
    N: kdf.N,
    r: kdf.r,
    p: kdf.p,
    maxmem,
  });
}

/** Seals the root key and certificate under `passphrase`; returns the file's text. */
export function sealRootKeyFile(material: RootKeyMaterial, passphrase: string): string {
  if (passphrase.length < MIN_PASSPHRASE) {
    throw new PkiError("PKI_BAD_INPUT", `根密钥口令至少 ${MIN_PASSPHRASE} 个字符`);
  }
  const header = {
    format: ROOT_KEY_FILE_FORMAT,
    version: 1 as const,
    algorithm: material.algorithm,
    kdf: { ...DEFAULT_KDF, salt: crypto.randomBytes(16).toString("base64") },
    certificate: material.certificatePem,
  };
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", deriveKey(passphrase, header.kdf), iv);
  cipher.setAAD(aadOf(header));
  const ciphertext = Buffer.concat([cipher.update(material.keyPkcs8), cipher.final()]);
  const file: RootKeyFileJson = {
    ...header,
    iv: iv.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
    ciphertext: ciphertext.toString("base64"),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

function parse(text: string): RootKeyFileJson {
  let f: RootKeyFileJson;
  try {
    f = JSON.parse(text);
  } catch {
    throw new PkiError("PKI_SEAL_FAILED", "不是根密钥文件（JSON 无效）");
  }
  if (f?.format !== ROOT_KEY_FILE_FORMAT) throw new PkiError("PKI_SEAL_FAILED", "不是 certhall 根密钥文件");
  if (f.version !== 1) throw new PkiError("PKI_SEAL_VERSION", `不支持的根密钥文件版本（${f.version}）`);
  if (f.kdf?.name !== "scrypt" || !Number.isInteger(f.kdf.N) || f.kdf.N < 16384) {
    throw new PkiError("PKI_SEAL_FAILED", "根密钥文件的密钥派生参数无效");
  }
  return f;
}

/** The public part of a root key file (no passphrase needed): algorithm and certificate. */
export function rootKeyFileCertificate(text: string): { algorithm: string; certificatePem: string } {
  const f = parse(text);
  return { algorithm: f.algorithm, certificatePem: f.certificate };
}

/** Opens a root key file; a wrong passphrase or any changed byte is PKI_SEAL_FAILED. */
export function openRootKeyFile(text: string, passphrase: string): RootKeyMaterial {
  const f = parse(text);
  const decipher = crypto.createDecipheriv(
    "aes-256-gcm",
    deriveKey(passphrase, f.kdf),
    Buffer.from(f.iv, "base64"),
  );
  decipher.setAAD(aadOf(f));
  decipher.setAuthTag(Buffer.from(f.tag, "base64"));
  try {
    const keyPkcs8 = Buffer.concat([decipher.update(Buffer.from(f.ciphertext, "base64")), decipher.final()]);
    return { algorithm: f.algorithm, keyPkcs8, certificatePem: f.certificate };
  } catch {
    throw new PkiError("PKI_SEAL_FAILED", "无法打开根密钥文件：口令错误或文件被篡改");
  }
}
