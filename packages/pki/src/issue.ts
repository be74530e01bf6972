// Certificate issuance from a PKCS#10 request: the hot path. The TBSCertificate is assembled from
// pre-encoded pieces (issuer name, AKI, URL extensions and profile extensions are cached per issuer),
// linted, then signed once by the issuer's Signer.
import crypto from "node:crypto";
import { type ParsedCsr, parseCsr } from "./csr";
import {
  bitString,
  children,
  decodeOid,
  decodeTime,
  expectTag,
  explicit,
  integerFromUnsigned,
  oid,
  printableString,
  readOne,
  seq,
  TAG,
  time,
} from "./der";
import { PkiError } from "./errors";
import { checkKeyQuality } from "./goodkey";
import { inspectSpki, keyIdentifier, type PublicKeyInfo, type Signer, signatureAlgorithmFor } from "./keys";
import { encodeName, type SubjectInput, subjectToDn } from "./names";
import { OID } from "./oids";
import { toPem } from "./pem";
import { type CertificatePolicy, certificatePoliciesExt } from "./policy";
import { type CertificateProfile, getProfile, keyUsagesFor, type ProfileId } from "./profiles";
import { addYears, resolveValidity } from "./validity";
import {
  authorityInfoAccessExt,
  authorityKeyIdExt,
  basicConstraintsExt,
  basicConstraintsOf,
  crlDistributionPointsExt,
  extension,
  extKeyUsageExt,
  keyUsageExt,
  keyUsageOf,
  type ParsedCertificate,
  parseCertificate,
  subjectKeyIdExt,
  subjectKeyIdOf,
} from "./x509";

/** A CA that signs: its certificate and something holding its key. */
export interface Issuer {
  certDer: Buffer;
  signer: Signer;
}

/** Where relying parties find revocation data and the issuer certificate (http, under PKI_BASE_URL). */
export interface IssuanceUrls {
  crl: string;
  ocsp: string;
  caIssuers: string;
}

export interface IssuerContext {
  cert: ParsedCertificate;
  signer: Signer;
  keyId: Buffer;
  sigAlgDer: Buffer;
  akiExt: Buffer;
  urlExts: Map<string, Buffer[]>;
  profileExts: Map<string, Buffer[]>;
}

const contexts = new WeakMap<Buffer, WeakMap<Signer, IssuerContext>>();

/**
 * Parses and checks an issuer once (cached per certificate Buffer and Signer object): the certificate
 * must be a CA allowed to sign certificates, and the Signer's key must be the certificate's key.
 */
export function issuerContext(issuer: Issuer): IssuerContext {
  let bySigner = contexts.get(issuer.certDer);
  const cached = bySigner?.get(issuer.signer);
  if (cached) return cached;
  const cert = parseCertificate(issuer.certDer);
  if (!Buffer.from(issuer.signer.publicKeySpki).equals(cert.spki)) {
    throw new PkiError("PKI_KEY_MISMATCH", "签发者的私钥与其 CA 证书不匹配");
  }
  const bc = basicConstraintsOf(cert);
  const ku = keyUsageOf(cert);
  if (!bc?.ca || (ku && !ku.has(5))) {
    throw new PkiError("PKI_BAD_INPUT", "签发者证书不是可签发证书的 CA 证书（需 cA=TRUE 与 keyCertSign）");
  }
  const keyId = subjectKeyIdOf(cert) ?? keyIdentifier(cert.spki);
  const ctx: IssuerContext = {
    cert,
    signer: issuer.signer,
    keyId,
    sigAlgDer: signatureAlgorithmFor(issuer.signer.algorithm).der,
    akiExt: authorityKeyIdExt(keyId),
    urlExts: new Map(),
    profileExts: new Map(),
  };
  if (!bySigner) {
    bySigner = new WeakMap();
    contexts.set(issuer.certDer, bySigner);
  }
  bySigner.set(issuer.signer, ctx);
  return ctx;
}

export { addYears } from "./validity";

export interface IssueParams {
  issuer: Issuer;
  /** PEM/DER PKCS#10, or a request already parsed (and so already verified) by parseCsr. */
  csr: string | Buffer | ParsedCsr;
  profile: ProfileId | CertificateProfile;
  subject: SubjectInput;
  notBefore?: Date;
  notAfter?: Date;
  /** Calendar years from notBefore when no notAfter is given (default: the profile's). */
  years?: number;
  urls?: IssuanceUrls;
  /** The CA's certificate policy (OID and CPS URL) named in the certificate. */
  policy?: CertificatePolicy;
  /** Clock for the default validity; defaults to the current time. */
  now?: Date;
}

export interface IssuedCertificate {
  der: Buffer;
  pem: string;
  /** Lower-case hex of the serial number's magnitude (32 hex digits). */
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  profile: ProfileId;
  /** The subject key identifier (hex), for wallets and OCSP lookups by key. */
  subjectKeyIdHex: string;
}

const V3 = explicit(0, Buffer.from([TAG.INTEGER, 1, 2]));

/**
 * RFC 5280 4.1.2.2 serial: positive, at most 20 octets, and here 128 bits of CSPRNG output (CA/B
 * BR 7.1 asks for at least 64). The first byte's high bit is cleared so the INTEGER stays positive
 * without a pad byte, and it is forced non-zero so the encoding is always exactly 16 octets.
 */
let randomPool = Buffer.alloc(0);
let randomPos = 0;
export function randomSerial(): Buffer {
  // Drawing 16 bytes from a 4 KiB CSPRNG block: one OpenSSL RAND call per 256 serials (hot path).
  if (randomPos + 16 > randomPool.length) {
    randomPool = crypto.randomBytes(4096);
    randomPos = 0;
  }
  const serial = Buffer.from(randomPool.subarray(randomPos, randomPos + 16));
  randomPool.fill(0, randomPos, randomPos + 16);
  randomPos += 16;
  serial[0]! &= 0x7f;
  if (serial[0] === 0) serial[0] = 1 + crypto.randomInt(127);
  return serial;
}

export async function issueCertificate(params: IssueParams): Promise<IssuedCertificate> {
  const ctx = issuerContext(params.issuer);
  const profile = typeof params.profile === "string" ? getProfile(params.profile) : params.profile;
  const csr =
    typeof params.csr === "string" || Buffer.isBuffer(params.csr) ? parseCsr(params.csr) : params.csr;
  const key = inspectSpki(csr.subjectPublicKeyInfo);
  checkKeyQuality(key);

  if (profile.subjectKind !== params.subject.kind) {
    throw new PkiError(
      "PKI_BAD_SUBJECT",
      `证书模板“${profile.name}”需要${kindName(profile.subjectKind)}主体，收到的是${kindName(params.subject.kind)}主体`,
    );
  }
  const subjectDer = encodeName(subjectToDn(params.subject));

  const { notBefore, notAfter } = resolveValidity({
    now: params.now ?? new Date(),
    issuerNotBefore: ctx.cert.notBefore,
    years: params.years ?? profile.defaultYears,
    maxYears: profile.maxYears,
    notBefore: params.notBefore,
    notAfter: params.notAfter,
  });

  const serial = randomSerial();
  const ski = keyIdentifier(key.spki);
  const extensions = [
    subjectKeyIdExt(ski),
    ctx.akiExt,
    ...profileExtensions(ctx, profile, key),
    ...urlExtensions(ctx, params.urls),
    ...(params.policy ? [certificatePoliciesExt(params.policy)] : []),
  ];
  if (profile.gmOrganizationCode && params.subject.kind === "enterprise") {
    extensions.push(extension(OID.gmOrganizationCode, false, printableString(params.subject.uscc)));
  }

  const tbs = seq(
    V3,
    integerFromUnsigned(serial),
    ctx.sigAlgDer,
    ctx.cert.subjectRaw,
    seq(time(notBefore), time(notAfter)),
    subjectDer,
    key.spki,
    explicit(3, seq(...extensions)),
  );

  const failures = lintTbsCertificate(tbs, ctx, profile, key);
  if (failures.length > 0) {
    throw new PkiError("PKI_LINT_FAILED", `证书签发前检查未通过：${failures.join("，")}`, failures);
  }

  const signature = await ctx.signer.sign(tbs);
  const der = seq(tbs, ctx.sigAlgDer, bitString(signature));
  return {
    der,
    pem: toPem(der, "CERTIFICATE"),
    serialHex: serial.toString("hex"),
    notBefore,
    notAfter,
    profile: profile.id,
    subjectKeyIdHex: ski.toString("hex"),
  };
}

function kindName(kind: string): string {
  return kind === "enterprise" ? "企业" : kind === "person" ? "个人" : "固定名称";
}

function profileExtensions(ctx: IssuerContext, profile: CertificateProfile, key: PublicKeyInfo): Buffer[] {
  // Keyed on everything the extensions depend on, so a caller's custom profile object never reuses
  // the extensions of a built-in profile with the same id.
  const cacheKey = [
    profile.id,
    key.keyType,
    profile.signatureUsages.join(),
    profile.encipherment,
    profile.extKeyUsages.join(),
  ].join("|");
  let exts = ctx.profileExts.get(cacheKey);
  if (!exts) {
    exts = [basicConstraintsExt(false), keyUsageExt(keyUsagesFor(profile, key))];
    if (profile.extKeyUsages.length > 0) exts.push(extKeyUsageExt(profile.extKeyUsages));
    ctx.profileExts.set(cacheKey, exts);
  }
  return exts;
}

function urlExtensions(ctx: IssuerContext, urls: IssuanceUrls | undefined): Buffer[] {
  if (!urls) return [];
  const cacheKey = `${urls.crl}\n${urls.ocsp}\n${urls.caIssuers}`;
  let exts = ctx.urlExts.get(cacheKey);
  if (!exts) {
    exts = [crlDistributionPointsExt(urls.crl), authorityInfoAccessExt(urls.ocsp, urls.caIssuers)];
    if (ctx.urlExts.size > 64) ctx.urlExts.clear();
    ctx.urlExts.set(cacheKey, exts);
  }
  return exts;
}

const oidHexCache = new Map<string, string>();
function oidHex(dotted: string): string {
  let hex = oidHexCache.get(dotted);
  if (!hex) {
    hex = oid(dotted).subarray(2).toString("hex");
    oidHexCache.set(dotted, hex);
  }
  return hex;
}

/**
 * Pre-signing lints over the encoded TBSCertificate (so encoder bugs are caught too). Returns the
 * names of failed checks; an empty list means the certificate may be signed.
 */
export function lintTbsCertificate(
  tbs: Buffer,
  ctx: IssuerContext,
  profile: CertificateProfile,
  key: PublicKeyInfo,
): string[] {
  const failures: string[] = [];
  const parts = children(expectTag(readOne(tbs), TAG.SEQUENCE, "TBSCertificate"));
  const [version, serial, , issuer, validity, subject, spki, extsWrapper] = parts;
  // RFC 5280 4.1.2.1: extensions require v3.
  if (version?.tag !== 0xa0 || children(version)[0]?.value[0] !== 2) failures.push("version-not-v3");
  // RFC 5280 4.1.2.2: positive, non-zero, at most 20 octets, minimally encoded.
  const s = serial?.value ?? Buffer.alloc(0);
  if (serial?.tag !== TAG.INTEGER || s.length === 0 || s.length > 20) failures.push("serial-length");
  else if (s[0]! & 0x80 || s.every((b) => b === 0)) failures.push("serial-not-positive");
  else if (s.length > 1 && s[0] === 0 && !(s[1]! & 0x80)) failures.push("serial-not-minimal");
  if (!issuer?.raw.equals(ctx.cert.subjectRaw)) failures.push("issuer-name-mismatch");
  // RFC 5280 6.1.3 (a)(2) / CA practice: a certificate must not outlive, or predate, its issuer.
  const times = validity ? children(validity) : [];
  const nb = times[0] ? decodeTime(times[0]) : null;
  const na = times[1] ? decodeTime(times[1]) : null;
  if (!nb || !na || nb.getTime() >= na.getTime()) failures.push("validity-order");
  if (nb && na) {
    if (nb.getTime() < ctx.cert.notBefore.getTime() || na.getTime() > ctx.cert.notAfter.getTime()) {
      failures.push("validity-outside-issuer");
    }
    // The period, backdate included, is never longer than the profile's (validity.ts).
    if (na.getTime() > addYears(nb, profile.maxYears).getTime()) {
      failures.push("validity-too-long");
    }
  }
  // RFC 5280 4.1.2.6: an end-entity subject without subjectAltName must be non-empty.
  if (!subject || children(subject).length === 0) failures.push("subject-empty");
  if (!spki?.raw.equals(key.spki)) failures.push("spki-mismatch");
  if (!profile.allowedKeys.includes(key.keyName)) failures.push("key-not-allowed");
  if (key.spki.equals(ctx.cert.spki)) failures.push("key-equals-issuer");

  // Extensions are compared by their encoded OID (hex), decoding only to name a failure.
  const seen = new Set<string>();
  if (extsWrapper?.tag === 0xa3) {
    for (const ext of children(children(extsWrapper)[0]!)) {
      const oidNode = children(ext)[0]!;
      const key = oidNode.value.toString("hex");
      // RFC 5280 4.2: a certificate MUST NOT include more than one instance of an extension.
      if (seen.has(key)) failures.push(`extension-duplicate:${decodeOid(oidNode.value)}`);
      seen.add(key);
    }
  }
  const required: string[] = [
    OID.subjectKeyIdentifier,
    OID.authorityKeyIdentifier,
    OID.basicConstraints,
    OID.keyUsage,
  ];
  if (profile.extKeyUsages.length > 0) required.push(OID.extKeyUsage);
  // Every end-entity certificate says where its revocation status is (RFC 5280 4.2.1.13, 4.2.2.1).
  required.push(OID.crlDistributionPoints, OID.authorityInfoAccess);
  for (const r of required) if (!seen.has(oidHex(r))) failures.push(`extension-missing:${r}`);
  // Issue 12 item 1: a certificate that may sign OCSP answers is a forgery licence for whoever holds
  // the key; the CA signs its OCSP responses with its own key, so no end-entity certificate gets it.
  if (profile.extKeyUsages.includes(OID.kpOcspSigning) || seen.has(oidHex(OID.ocspNoCheck))) {
    failures.push("ocsp-signing-not-issued");
  }
  return failures;
}
