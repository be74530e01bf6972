import { createPublicKey, X509Certificate } from "node:crypto";
import {
  buildCsr,
  certificateSubjectDer,
  certificatesFromPem,
  changeUserPin,
  findKey,
  freeLabel,
  generateKeyPair,
  KEY_ALGORITHMS,
  type KeyAlgorithm,
  listKeys,
  listSlots,
  openToken,
  parseSubjectHint,
  publicKeySpki,
  readCertificates,
  type SlotInfo,
  type TokenCertificate,
  TokenError,
  type TokenSession,
  type TokenTarget,
  unlockToken,
  writeCertificate,
} from "@certhall/token";
import { AssistantError } from "./guard";
import type { PinGuard } from "./pin-guard";

export interface ApiContext {
  modulePath: string | undefined;
  pins: PinGuard;
  /** The page's origin: the portal the assistant reports unlocks to. */
  origin: string;
}

type Body = Record<string, unknown>;

function text(body: Body, field: string, label: string, max = 200): string {
  const value = body[field];
  if (typeof value !== "string" || value.trim() === "") {
    throw new AssistantError(400, "BAD_REQUEST", `请填写${label}（${field}）`);
  }
  if (value.length > max) throw new AssistantError(400, "BAD_REQUEST", `${label}（${field}）过长`);
  return value;
}

const optionalText = (body: Body, field: string, label: string, max = 200) =>
  body[field] === undefined || body[field] === null || body[field] === ""
    ? undefined
    : text(body, field, label, max);

function requireModule(ctx: ApiContext): string {
  if (!ctx.modulePath) {
    throw new AssistantError(
      503,
      "MODULE_MISSING",
      "未找到 USB Key 驱动（PKCS#11 库），请安装介质厂商的驱动后用 --module 指定",
    );
  }
  return ctx.modulePath;
}

// One operation per token at a time: PKCS#11 logins are per application and token.
const queues = new Map<string, Promise<unknown>>();
function serialized<T>(serial: string, run: () => Promise<T>): Promise<T> {
  const previous = queues.get(serial) ?? Promise.resolve();
  const next = previous.then(run, run);
  const settled = next.catch(() => undefined);
  queues.set(serial, settled);
  void settled.then(() => {
    if (queues.get(serial) === settled) queues.delete(serial);
  });
  return next;
}

/** The reader holding the token with this serial (CK_TOKEN_INFO serialNumber). */
function targetFor(ctx: ApiContext, body: Body): { target: TokenTarget; serial: string; slot: SlotInfo } {
  const modulePath = requireModule(ctx);
  const serial = text(body, "tokenSerial", "介质序列号", 64);
  const slot = listSlots(modulePath).find((s) => s.token?.serialNumber === serial);
  if (!slot)
    throw new TokenError("TOKEN_NOT_FOUND", `未找到序列号为 ${serial} 的介质，请确认 USB Key 已插入`);
  return { target: { modulePath, slot: BigInt(slot.slot) }, serial, slot };
}

/** Opens the token with the PIN from the request, counting wrong PINs; the PIN goes nowhere else. */
async function withSession<T>(ctx: ApiContext, body: Body, use: (s: TokenSession) => T | Promise<T>) {
  const { target, serial, slot } = targetFor(ctx, body);
  const pin = text(body, "pin", "PIN 码", 64);
  return serialized(serial, async () => {
    if (slot.token?.pinLocked) throw new TokenError("PIN_LOCKED", "PIN 码已锁定，请办理“解锁”业务");
    const session = await ctx.pins.withPin(serial, () => openToken({ ...target, pin }));
    try {
      return await use(session);
    } finally {
      session.close();
    }
  });
}

function certificateView(c: TokenCertificate) {
  return {
    label: c.label,
    keyId: c.id.toString("hex"),
    pem: c.pem,
    subject: c.subject,
    issuer: c.issuer,
    serialHex: c.serialHex,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    fingerprint256: c.fingerprint256,
  };
}

export function readers(ctx: ApiContext) {
  const modulePath = requireModule(ctx);
  return {
    readers: listSlots(modulePath).map((s) => ({
      ...s,
      token: s.token && {
        ...s.token,
        pinLocked: s.token.pinLocked || ctx.pins.locked(s.token.serialNumber),
        wrongPins: ctx.pins.failures(s.token.serialNumber),
      },
    })),
  };
}

/** Certificates are public objects: they are read without the PIN (e.g. another vendor's medium). */
export async function certificates(ctx: ApiContext, body: Body) {
  const { target, serial } = targetFor(ctx, body);
  return serialized(serial, async () => {
    const session = openToken(target);
    try {
      return { certificates: readCertificates(session).map(certificateView) };
    } finally {
      session.close();
    }
  });
}

/**
 * A PKCS#10 request signed on the token: by the key of the certificate `keyOfCertificate` (serial
 * hex) when the key is kept, or by a key pair generated on the token now.
 */
export async function csr(ctx: ApiContext, body: Body) {
  const keep = optionalText(body, "keyOfCertificate", "原证书序列号", 80)?.toLowerCase().replace(/^0+/, "");
  const algorithm = (optionalText(body, "algorithm", "密钥算法", 20) ?? "ecdsa-p256") as KeyAlgorithm;
  if (!KEY_ALGORITHMS.includes(algorithm)) {
    throw new AssistantError(400, "BAD_REQUEST", `密钥算法（algorithm）须为 ${KEY_ALGORITHMS.join("、")}`);
  }
  const label = optionalText(body, "label", "密钥标签", 64);
  const hint = keep ? undefined : parseSubjectHint(body.subject);
  return withSession(ctx, body, async (session) => {
    if (keep) {
      const old = readCertificates(session).find((c) => c.serialHex.replace(/^0+/, "") === keep);
      if (!old) throw new TokenError("KEY_NOT_FOUND", "介质中没有要更新的原证书，请确认插入的是原 USB Key");
      const key = findKey(session, { id: old.id });
      const request = await buildCsr(session, key, certificateSubjectDer(old.der));
      return { csrPem: request.pem, keyId: key.id.toString("hex"), label: key.label, created: false };
    }
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const key = await generateKeyPair(session, {
      label: label ?? freeLabel(session, `certhall-${stamp}`),
      algorithm,
    });
    const request = await buildCsr(session, key, hint!);
    return { csrPem: request.pem, keyId: key.id.toString("hex"), label: key.label, created: true };
  });
}

/** Writes an issued certificate beside its key; a certificate for a key not on the token is refused. */
export async function writeCertificateTo(ctx: ApiContext, body: Body) {
  const pem = text(body, "certificatePem", "证书", 20_000);
  let ders: Buffer[];
  try {
    ders = certificatesFromPem(pem);
  } catch {
    ders = [];
  }
  if (ders.length !== 1) {
    throw new AssistantError(400, "BAD_REQUEST", "证书（certificatePem）须为一张 PEM 格式的证书");
  }
  const der = ders[0]!;
  let certified: Buffer;
  try {
    certified = new X509Certificate(der).publicKey.export({ type: "spki", format: "der" });
  } catch {
    throw new AssistantError(400, "BAD_REQUEST", "证书（certificatePem）无法解析");
  }
  const replace = body.replace === true;
  return withSession(ctx, body, (session) => {
    // The certificate takes its key's label; writeCertificate itself refuses a key not on the token.
    const own = listKeys(session).find((k) =>
      createPublicKey({ key: publicKeySpki(session, k), format: "der", type: "spki" })
        .export({ type: "spki", format: "der" })
        .equals(certified),
    );
    const written = writeCertificate(session, der, { label: own?.label ?? "certhall", replace });
    return { certificate: certificateView(written) };
  });
}

export async function changePin(ctx: ApiContext, body: Body) {
  const newPin = text(body, "newPin", "新 PIN 码", 64);
  await withSession(ctx, body, (session) => changeUserPin(session, text(body, "pin", "PIN 码", 64), newPin));
  return { ok: true };
}

/**
 * 解锁 with the unlock code from the SMS: the assistant itself asks the portal (the page's own,
 * configured origin) for the SO PIN, sets the new user PIN, and reports done. The SO PIN never
 * reaches the page.
 */
export async function unlock(ctx: ApiContext, body: Body) {
  const { target, serial } = targetFor(ctx, body);
  const code = text(body, "code", "解锁授权码", 200);
  const newPin = text(body, "newPin", "新 PIN 码", 64);
  return serialized(serial, async () => {
    const result = await unlockToken(target, { url: ctx.origin, code, newPin });
    ctx.pins.clear(serial);
    return { ok: true, tokenSerial: result.tokenSerial };
  });
}
