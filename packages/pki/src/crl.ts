// CRLs (RFC 5280 5): v2 with the CRL number and authority key identifier extensions, entries with
// reason codes and invalidity dates. Built for 100,000+ entries: per-reason extensions are encoded
// once, and the revoked list is assembled in a single allocation.
import {
  bitString,
  enumerated,
  explicit,
  generalizedTime,
  integer,
  integerFromUnsigned,
  seq,
  TAG,
  time,
  tlvList,
} from "./der";
import { PkiError } from "./errors";
import { type Issuer, issuerContext } from "./issue";
import { signatureAlgorithmFor } from "./keys";
import { OID } from "./oids";
import { toPem } from "./pem";
import { extension } from "./x509";

/** RFC 5280 5.3.1 CRLReason. Value 7 is unused by the standard. */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

export interface RevokedEntry {
  serialHex: string;
  revokedAt: Date;
  reason?: RevocationReason;
  /** When the key is known or suspected to have been compromised (RFC 5280 5.3.2). */
  invalidityDate?: Date;
}

export interface BuildCrlParams {
  issuer: Issuer;
  entries: readonly RevokedEntry[];
  crlNumber: number | bigint;
  thisUpdate: Date;
  nextUpdate: Date;
}

// RFC 5280 5.3.1: the reason code extension SHOULD be absent rather than "unspecified";
// removeFromCRL belongs only in delta CRLs, which we do not publish.
const reasonExtensions = new Map<RevocationReason, Buffer>();
for (const [name, code] of Object.entries(REVOCATION_REASONS) as [RevocationReason, number][]) {
  if (name !== "unspecified") reasonExtensions.set(name, extension(OID.crlReason, false, enumerated(code)));
}

export function serialFromHex(serialHex: string): Buffer {
  if (!/^[0-9a-fA-F]{1,40}$/.test(serialHex)) {
    throw new PkiError("PKI_BAD_INPUT", `证书序列号“${serialHex}”不是有效的十六进制数（最多 20 字节）`);
  }
  return Buffer.from(serialHex.length % 2 ? `0${serialHex}` : serialHex, "hex");
}

function revokedEntry(entry: RevokedEntry, timeCache: Map<number, Buffer>): Buffer {
  if (entry.reason === "removeFromCRL") {
    throw new PkiError("PKI_BAD_INPUT", "完整 CRL 不能使用 removeFromCRL 原因");
  }
  const t = entry.revokedAt.getTime();
  let revoked = timeCache.get(t);
  if (!revoked) {
    revoked = time(entry.revokedAt);
    if (timeCache.size < 100_000) timeCache.set(t, revoked);
  }
  const exts: Buffer[] = [];
  const reasonExt = entry.reason ? reasonExtensions.get(entry.reason) : undefined;
  if (entry.reason && !Object.hasOwn(REVOCATION_REASONS, entry.reason)) {
    throw new PkiError("PKI_BAD_INPUT", `未知的吊销原因“${entry.reason}”`);
  }
  if (reasonExt) exts.push(reasonExt);
  if (entry.invalidityDate) {
    exts.push(extension(OID.invalidityDate, false, generalizedTime(entry.invalidityDate)));
  }
  const serial = integerFromUnsigned(serialFromHex(entry.serialHex));
  return exts.length > 0 ? seq(serial, revoked, seq(...exts)) : seq(serial, revoked);
}

const YIELD_EVERY = 1000;

/** Builds and signs a full CRL; returns DER (wrap with crlPem() for PEM). */
export async function buildCrl(params: BuildCrlParams): Promise<Buffer> {
  const ctx = issuerContext(params.issuer);
  if (params.nextUpdate.getTime() <= params.thisUpdate.getTime()) {
    throw new PkiError("PKI_BAD_INPUT", "CRL 的 nextUpdate 必须晚于 thisUpdate");
  }
  const timeCache = new Map<number, Buffer>();
  const entries: Buffer[] = new Array(params.entries.length);
  for (let i = 0; i < params.entries.length; i++) {
    // A server builds its CRL in the background: let the requests in between every few thousand entries.
    if (i > 0 && i % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
    entries[i] = revokedEntry(params.entries[i]!, timeCache);
  }
  const sigAlg = signatureAlgorithmFor(ctx.signer.algorithm).der;
  const tbsParts = [
    Buffer.from([TAG.INTEGER, 1, 1]), // v2 (RFC 5280 5.1.2.1: required when extensions are present)
    sigAlg,
    ctx.cert.subjectRaw,
    time(params.thisUpdate),
    time(params.nextUpdate),
  ];
  // RFC 5280 5.1.2.6: when there are no revoked certificates the list is absent, not empty.
  if (entries.length > 0) tbsParts.push(tlvList(TAG.SEQUENCE, entries));
  tbsParts.push(
    explicit(
      0,
      seq(
        ctx.akiExt,
        // RFC 5280 5.2.3: CRL number is a non-critical monotonically increasing INTEGER.
        extension(OID.crlNumber, false, integer(params.crlNumber)),
      ),
    ),
  );
  const tbs = tlvList(TAG.SEQUENCE, tbsParts);
  const signature = await ctx.signer.sign(tbs);
  return seq(tbs, sigAlg, bitString(signature));
}

export const crlPem = (der: Buffer): string => toPem(der, "X509 CRL");
