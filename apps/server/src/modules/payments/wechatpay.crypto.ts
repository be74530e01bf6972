// WeChat Pay APIv3 security rules (微信支付 APIv3 "签名生成", "签名验证", "证书和回调报文解密"):
// - requests: SHA256withRSA over "METHOD\nURL path[?query]\ntimestamp\nnonce\nbody\n" with the merchant's
//   API private key, sent as `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",
//   signature="…",timestamp="…",serial_no="…"` (serial_no = the merchant API certificate's serial);
// - answers and notifications: SHA256withRSA over "timestamp\nnonce\nbody\n" (the Wechatpay-Timestamp,
//   Wechatpay-Nonce headers and the raw body) checked with the platform certificate / 微信支付公钥 whose
//   id is in Wechatpay-Serial; the timestamp must be within 5 minutes of our clock;
// - notification resources: AEAD_AES_256_GCM with the 32-byte APIv3 key, the resource's nonce (12 bytes)
//   and associated_data; the base64 ciphertext ends with the 16-byte authentication tag.
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
  type KeyObject,
  randomBytes,
  X509Certificate,
} from "node:crypto";

export const WECHATPAY_AUTH_SCHEMA = "WECHATPAY2-SHA256-RSA2048";
/** How far a signed timestamp may be from our clock (WeChat's own SDKs use 5 minutes). */
export const WECHATPAY_MAX_SKEW_SECONDS = 300;

/** PEM (private key, public key or X.509 certificate) or bare base64 of a PKCS#8 / SPKI key. */
export function readWechatPrivateKey(text: string): KeyObject {
  const t = text.trim();
  if (t.includes("-----BEGIN")) return createPrivateKey(t);
  return createPrivateKey({ key: Buffer.from(t, "base64"), format: "der", type: "pkcs8" });
}

export function readWechatPublicKey(text: string): KeyObject {
  const t = text.trim();
  if (t.includes("BEGIN CERTIFICATE")) return new X509Certificate(t).publicKey;
  if (t.includes("-----BEGIN")) return createPublicKey(t);
  return createPublicKey({ key: Buffer.from(t, "base64"), format: "der", type: "spki" });
}

export const requestSignMessage = (
  method: string,
  urlPath: string,
  ts: string,
  nonce: string,
  body: string,
) => `${method.toUpperCase()}\n${urlPath}\n${ts}\n${nonce}\n${body}\n`;

export const responseSignMessage = (ts: string, nonce: string, body: string) => `${ts}\n${nonce}\n${body}\n`;

export function rsaSha256Sign(message: string, key: KeyObject): string {
  return createSign("RSA-SHA256").update(message, "utf8").sign(key, "base64");
}

export function rsaSha256Verify(message: string, signature: string, key: KeyObject): boolean {
  try {
    return createVerify("RSA-SHA256").update(message, "utf8").verify(key, signature, "base64");
  } catch {
    return false;
  }
}

export const wechatNonce = () => randomBytes(16).toString("hex").toUpperCase();

/** The Authorization header of one request. */
export function wechatAuthorization(p: {
  mchid: string;
  serialNo: string;
  privateKey: KeyObject;
  method: string;
  urlPath: string;
  body: string;
  timestamp: string;
  nonce: string;
}): string {
  const signature = rsaSha256Sign(
    requestSignMessage(p.method, p.urlPath, p.timestamp, p.nonce, p.body),
    p.privateKey,
  );
  return `${WECHATPAY_AUTH_SCHEMA} mchid="${p.mchid}",nonce_str="${p.nonce}",signature="${signature}",timestamp="${p.timestamp}",serial_no="${p.serialNo}"`;
}

/** Reads the fields of an Authorization header (for the fake server in tests and for logging). */
export function parseWechatAuthorization(header: string): Record<string, string> | null {
  if (!header.startsWith(`${WECHATPAY_AUTH_SCHEMA} `)) return null;
  const out: Record<string, string> = {};
  for (const m of header.slice(WECHATPAY_AUTH_SCHEMA.length + 1).matchAll(/(\w+)="([^"]*)"/g)) {
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** The four Wechatpay-* headers of a signed answer or notification. */
export interface WechatSignedHeaders {
  timestamp: string;
  nonce: string;
  signature: string;
  serial: string;
}

export type SignedCheck = "ok" | "missing_headers" | "wrong_serial" | "stale_timestamp" | "bad_signature";

/**
 * Checks a signed answer or notification: all headers present, the serial is the platform key we
 * trust, the timestamp within the skew window (a replay of an old, genuine message fails here), and the
 * signature over timestamp\nnonce\nbody\n verifies with the platform public key.
 */
export function checkWechatSignature(
  h: Partial<WechatSignedHeaders>,
  body: string,
  trust: { publicKey: KeyObject; serial: string },
  now: Date,
): SignedCheck {
  if (!h.timestamp || !h.nonce || !h.signature || !h.serial) return "missing_headers";
  if (h.serial !== trust.serial) return "wrong_serial";
  const ts = Number(h.timestamp);
  if (!/^\d{1,12}$/.test(h.timestamp) || Math.abs(now.getTime() / 1000 - ts) > WECHATPAY_MAX_SKEW_SECONDS) {
    return "stale_timestamp";
  }
  return rsaSha256Verify(responseSignMessage(h.timestamp, h.nonce, body), h.signature, trust.publicKey)
    ? "ok"
    : "bad_signature";
}

/** The headers that sign `body` as WeChat Pay's servers do (the sandbox and the test fake use it). */
export function signAsWechat(body: string, key: KeyObject, serial: string, now: Date): WechatSignedHeaders {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const nonce = wechatNonce();
  return {
    timestamp,
    nonce,
    serial,
    signature: rsaSha256Sign(responseSignMessage(timestamp, nonce, body), key),
  };
}

/** An encrypted notification resource. */
export interface WechatResource {
  algorithm: string;
  ciphertext: string;
  associated_data?: string;
  nonce: string;
  original_type?: string;
}

function apiV3KeyBytes(apiV3Key: string): Buffer {
  const k = Buffer.from(apiV3Key, "utf8");
  if (k.length !== 32) throw new Error("the WeChat Pay APIv3 key must be 32 bytes");
  return k;
}

/** AEAD_AES_256_GCM decryption of a resource; throws when the tag does not authenticate. */
export function decryptWechatResource(r: WechatResource, apiV3Key: string): string {
  if (r.algorithm !== "AEAD_AES_256_GCM") throw new Error(`unsupported algorithm ${r.algorithm}`);
  const data = Buffer.from(r.ciphertext, "base64");
  if (data.length < 17) throw new Error("ciphertext too short");
  const decipher = createDecipheriv("aes-256-gcm", apiV3KeyBytes(apiV3Key), Buffer.from(r.nonce, "utf8"));
  decipher.setAuthTag(data.subarray(data.length - 16));
  decipher.setAAD(Buffer.from(r.associated_data ?? "", "utf8"));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString(
    "utf8",
  );
}

/** The inverse, as WeChat Pay encrypts (the sandbox and the test fake use it). */
export function encryptWechatResource(
  plaintext: string,
  apiV3Key: string,
  associatedData = "transaction",
): WechatResource {
  const nonce = randomBytes(6).toString("hex"); // 12 characters, as WeChat's nonces are
  const cipher = createCipheriv("aes-256-gcm", apiV3KeyBytes(apiV3Key), Buffer.from(nonce, "utf8"));
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const enc = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return {
    algorithm: "AEAD_AES_256_GCM",
    ciphertext: enc.toString("base64"),
    associated_data: associatedData,
    nonce,
    original_type: "transaction",
  };
}
