import { createPublicKey, X509Certificate } from "node:crypto";
import { children, readNode } from "@certhall/pki/der";
import pkcs11js from "pkcs11js";
import { fromPem, toPem } from "./encoding";
import { asTokenError, TokenError } from "./errors";
import { listKeys, parseKeyId, publicKeySpki, type TokenKey } from "./keys";
import { attributes, findObjects } from "./objects";
import type { TokenSession } from "./token";

type Handle = Buffer;

export interface TokenCertificate {
  handle: Handle;
  label: string;
  id: Buffer;
  der: Buffer;
  pem: string;
  subject: string;
  issuer: string;
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  fingerprint256: string;
}

export interface WriteCertificateOptions {
  label: string;
  /** CKA_ID of the key pair; by default the token key whose public key is the certificate's. */
  id?: Uint8Array | string;
  /** Remove other certificates with the same CKA_ID first (a renewal that kept the key). */
  replace?: boolean;
}

/** DER of every CERTIFICATE block in a PEM text; a bare DER buffer is passed through. */
export function certificatesFromPem(input: string | Buffer): Buffer[] {
  if (Buffer.isBuffer(input) && input[0] === 0x30) return [input];
  return fromPem("CERTIFICATE", input.toString());
}

interface ParsedCertificate {
  x509: X509Certificate;
  subject: Buffer;
  issuer: Buffer;
  serial: Buffer;
  spki: Buffer;
}

function parseCertificate(der: Buffer): ParsedCertificate {
  try {
    const x509 = new X509Certificate(der);
    // RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, ... }; TBSCertificate begins with
    // an optional [0] version, then serialNumber, signature, issuer, validity, subject, SPKI.
    const [tbs] = children(readNode(der));
    if (!tbs) throw new RangeError("no tbsCertificate");
    const fields = children(tbs);
    if (fields[0]?.tag === 0xa0) fields.shift();
    const [serial, , issuer, , subject, spki] = fields;
    if (!serial || !issuer || !subject || !spki) throw new RangeError("short tbsCertificate");
    return { x509, subject: subject.raw, issuer: issuer.raw, serial: serial.raw, spki: spki.raw };
  } catch (error) {
    throw new TokenError("BAD_CERTIFICATE", "证书格式无效，无法读取", String(error), { cause: error });
  }
}

const sameKey = (a: Buffer, b: Buffer) =>
  createPublicKey({ key: a, format: "der", type: "spki" })
    .export({ type: "spki", format: "der" })
    .equals(createPublicKey({ key: b, format: "der", type: "spki" }).export({ type: "spki", format: "der" }));

function keyFor(session: TokenSession, parsed: ParsedCertificate, id: Buffer | undefined): TokenKey {
  const keys = listKeys(session);
  if (id) {
    const key = keys.find((k) => k.id.equals(id));
    if (!key) throw new TokenError("KEY_NOT_FOUND", `介质中没有 ID 为 ${id.toString("hex")} 的密钥`);
    if (!sameKey(publicKeySpki(session, key), parsed.spki)) {
      throw new TokenError("CERT_KEY_MISMATCH", "证书与介质中的密钥不匹配，不能写入");
    }
    return key;
  }
  const key = keys.find((k) => sameKey(publicKeySpki(session, k), parsed.spki));
  if (!key) throw new TokenError("CERT_KEY_MISMATCH", "介质中没有与该证书匹配的密钥，不能写入");
  return key;
}

function describe(session: TokenSession, handle: Handle): TokenCertificate {
  const attrs = attributes(session, handle, [pkcs11js.CKA_LABEL, pkcs11js.CKA_ID, pkcs11js.CKA_VALUE]);
  const der = Buffer.from(attrs.get(pkcs11js.CKA_VALUE) ?? Buffer.alloc(0));
  const { x509 } = parseCertificate(der);
  return {
    handle,
    label: (attrs.get(pkcs11js.CKA_LABEL) ?? Buffer.alloc(0)).toString("utf8"),
    id: Buffer.from(attrs.get(pkcs11js.CKA_ID) ?? Buffer.alloc(0)),
    der,
    pem: toPem("CERTIFICATE", der),
    subject: x509.subject,
    issuer: x509.issuer,
    serialHex: x509.serialNumber.toLowerCase(),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    fingerprint256: x509.fingerprint256,
  };
}

/** Every X.509 certificate object on the token. */
export function readCertificates(session: TokenSession): TokenCertificate[] {
  try {
    return findObjects(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
      { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
    ]).map((handle) => describe(session, handle));
  } catch (error) {
    throw asTokenError(error, "读取证书");
  }
}

/**
 * Stores the certificate beside its key (PKCS#11 v2.40 §4.6.3: CKA_SUBJECT, CKA_ID, CKA_ISSUER,
 * CKA_SERIAL_NUMBER, CKA_VALUE), so that signing software finds key and certificate by CKA_ID.
 * Refuses a certificate whose public key is not the token key's.
 */
export function writeCertificate(
  session: TokenSession,
  certDer: Buffer,
  options: WriteCertificateOptions,
): TokenCertificate {
  const parsed = parseCertificate(certDer);
  try {
    const key = keyFor(session, parsed, options.id === undefined ? undefined : parseKeyId(options.id));
    const existing = readCertificates(session).filter((c) => c.id.equals(key.id));
    const same = existing.find((c) => c.der.equals(certDer));
    if (same) return same;
    // The new certificate is created before the old ones go, so a failure leaves the old one usable.
    const handle = session.pkcs11.C_CreateObject(session.handle, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
      { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: false },
      { type: pkcs11js.CKA_LABEL, value: options.label },
      { type: pkcs11js.CKA_ID, value: key.id },
      { type: pkcs11js.CKA_SUBJECT, value: parsed.subject },
      { type: pkcs11js.CKA_ISSUER, value: parsed.issuer },
      { type: pkcs11js.CKA_SERIAL_NUMBER, value: parsed.serial },
      { type: pkcs11js.CKA_VALUE, value: certDer },
      // PKCS#11 v2.40 §4.6.2: category 1 = token user, the holder's own certificate.
      { type: pkcs11js.CKA_CERTIFICATE_CATEGORY, value: 1 },
    ]);
    if (options.replace) {
      for (const old of existing) {
        try {
          session.pkcs11.C_DestroyObject(session.handle, old.handle);
        } catch (error) {
          const failed = asTokenError(error, "删除旧证书");
          throw new TokenError(
            failed.code,
            `新证书已写入介质，但旧证书（序列号 ${old.serialHex}）未能删除：${failed.message}`,
            failed.detail,
            { cause: error },
          );
        }
      }
    }
    return describe(session, handle);
  } catch (error) {
    throw asTokenError(error, "写入证书");
  }
}

/** The raw subject Name DER of a certificate, as stored in CKA_SUBJECT. */
export function certificateSubjectDer(certDer: Buffer): Buffer {
  return parseCertificate(certDer).subject;
}
