// The CA hierarchy (DESIGN §5): per algorithm a root (20 years, no pathLenConstraint: CA/B BR
// 7.1.2.1, zlint w_root_ca_basic_constraints_path_len_constraint_field_present) and an issuing CA
// (10 years, pathLen 0, the CA's certificate policy), created on first start or imported from PEM.
import crypto from "node:crypto";
import { bitString, explicit, integerFromUnsigned, seq, TAG, time } from "./der";
import { PkiError } from "./errors";
import { addYears, randomSerial } from "./issue";
import {
  type CaAlgorithm,
  generateKeyPair,
  inspectSpki,
  keyIdentifier,
  localSigner,
  type Signer,
  signatureAlgorithmFor,
  verifySignature,
} from "./keys";
import { type DistinguishedName, encodeName } from "./names";
import { fromPemOrDer, toPem } from "./pem";
import { type CertificatePolicy, certificatePoliciesExt } from "./policy";
import {
  authorityKeyIdExt,
  basicConstraintsExt,
  basicConstraintsOf,
  type KeyUsageName,
  keyUsageExt,
  keyUsageOf,
  parseCertificate,
  subjectKeyIdExt,
} from "./x509";

export interface CaMaterial {
  algorithm: CaAlgorithm;
  certDer: Buffer;
  certPem: string;
  /** PKCS#8 DER; seal it with sealKey() before storing. */
  keyPkcs8: Buffer;
  signer: Signer;
  notBefore: Date;
  notAfter: Date;
  serialHex: string;
}

export interface CaHierarchy {
  algorithm: CaAlgorithm;
  root: CaMaterial;
  issuing: CaMaterial;
}

export interface CreateCaHierarchyParams {
  algorithm: CaAlgorithm;
  /** A CN (then the name is C=CN, CN=…) or a full DN. */
  rootName: string | DistinguishedName;
  issuingName: string | DistinguishedName;
  now?: Date;
  rootYears?: number;
  issuingYears?: number;
  /** The certificate policy the issuing CA's certificate names (zlint e_sub_ca_certificate_policies_missing). */
  policy?: CertificatePolicy;
}

function toDn(name: string | DistinguishedName): DistinguishedName {
  return typeof name === "string"
    ? [
        { type: "C", value: "CN" },
        { type: "CN", value: name },
      ]
    : name;
}

interface CaCertParams {
  subjectDer: Buffer;
  issuerDer: Buffer;
  spki: Buffer;
  issuerSpki: Buffer;
  signer: Signer;
  notBefore: Date;
  notAfter: Date;
  pathLen?: number;
  usages: KeyUsageName[];
  /** Further extensions (the certificate policy; AIA and CDP of an issuing CA signed by the ceremony). */
  extensions?: Buffer[];
}

export async function signCaCertificate(p: CaCertParams): Promise<{ der: Buffer; serialHex: string }> {
  const sigAlg = signatureAlgorithmFor(p.signer.algorithm).der;
  const serial = randomSerial();
  const tbs = seq(
    explicit(0, Buffer.from([TAG.INTEGER, 1, 2])),
    integerFromUnsigned(serial),
    sigAlg,
    p.issuerDer,
    seq(time(p.notBefore), time(p.notAfter)),
    p.subjectDer,
    p.spki,
    explicit(
      3,
      seq(
        subjectKeyIdExt(keyIdentifier(p.spki)),
        authorityKeyIdExt(keyIdentifier(p.issuerSpki)),
        basicConstraintsExt(true, p.pathLen),
        keyUsageExt(p.usages),
        ...(p.extensions ?? []),
      ),
    ),
  );
  const signature = await p.signer.sign(tbs);
  return { der: seq(tbs, sigAlg, bitString(signature)), serialHex: serial.toString("hex") };
}

export async function createCaHierarchy(params: CreateCaHierarchyParams): Promise<CaHierarchy> {
  const { algorithm } = params;
  const now = new Date(Math.floor((params.now ?? new Date()).getTime() / 1000) * 1000);
  const rootKey = generateKeyPair(algorithm);
  const issuingKey = generateKeyPair(algorithm);
  const rootSigner = localSigner(rootKey.pkcs8);
  const issuingSigner = localSigner(issuingKey.pkcs8);
  const rootDer = encodeName(toDn(params.rootName));
  const issuingDer = encodeName(toDn(params.issuingName));

  const rootNotAfter = addYears(now, params.rootYears ?? 20);
  const root = await signCaCertificate({
    subjectDer: rootDer,
    issuerDer: rootDer,
    spki: rootSigner.publicKeySpki,
    issuerSpki: rootSigner.publicKeySpki,
    signer: rootSigner,
    notBefore: now,
    notAfter: rootNotAfter,
    // digitalSignature: the root's key may sign OCSP answers about its issuing CA (RFC 6960 4.2.2.2).
    usages: ["digitalSignature", "keyCertSign", "cRLSign"],
  });
  const issuingNotAfter = addYears(now, params.issuingYears ?? 10);
  if (issuingNotAfter > rootNotAfter) {
    throw new PkiError("PKI_BAD_INPUT", "签发 CA 的有效期不能超过根 CA");
  }
  const issuing = await signCaCertificate({
    subjectDer: issuingDer,
    issuerDer: rootDer,
    spki: issuingSigner.publicKeySpki,
    issuerSpki: rootSigner.publicKeySpki,
    signer: rootSigner,
    notBefore: now,
    notAfter: issuingNotAfter,
    pathLen: 0,
    // digitalSignature: the issuing CA signs OCSP responses itself (RFC 6960 4.2.2.2, first case).
    usages: ["digitalSignature", "keyCertSign", "cRLSign"],
    extensions: params.policy ? [certificatePoliciesExt(params.policy)] : [],
  });
  const material = (
    key: { pkcs8: Buffer },
    signer: Signer,
    cert: { der: Buffer; serialHex: string },
    notAfter: Date,
  ): CaMaterial => ({
    algorithm,
    certDer: cert.der,
    certPem: toPem(cert.der, "CERTIFICATE"),
    keyPkcs8: key.pkcs8,
    signer,
    notBefore: now,
    notAfter,
    serialHex: cert.serialHex,
  });
  return {
    algorithm,
    root: material(rootKey, rootSigner, root, rootNotAfter),
    issuing: material(issuingKey, issuingSigner, issuing, issuingNotAfter),
  };
}

const KEY_LABELS = ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY"];

/**
 * Imports an existing CA from PEM (or DER) files and checks that they belong together: the
 * certificate is a CA certificate with keyCertSign, and the key signs what the certificate's
 * public key verifies.
 */
export function importCa(certPem: string | Buffer, keyPem: string | Buffer): CaMaterial {
  const certDer = fromPemOrDer(certPem, ["CERTIFICATE"], "CA 证书");
  const cert = parseCertificate(certDer);
  const bc = basicConstraintsOf(cert);
  const ku = keyUsageOf(cert);
  if (!bc?.ca || !ku?.has(5)) {
    throw new PkiError(
      "PKI_BAD_INPUT",
      "导入的证书不是 CA 证书（需要 basicConstraints cA=TRUE 与 keyCertSign）",
    );
  }
  const keyDer = fromPemOrDer(keyPem, KEY_LABELS, "CA 私钥");
  if (typeof keyPem === "string" && keyPem.includes("ENCRYPTED PRIVATE KEY")) {
    throw new PkiError("PKI_BAD_INPUT", "请先解密 CA 私钥再导入（不支持带口令的私钥文件）");
  }
  let pkcs8 = keyDer;
  if (typeof keyPem === "string" && /BEGIN (EC|RSA) PRIVATE KEY/.test(keyPem)) {
    pkcs8 = crypto.createPrivateKey(keyPem).export({ type: "pkcs8", format: "der" });
  }
  let signer: Signer;
  try {
    signer = localSigner(pkcs8);
  } catch (err) {
    if (err instanceof PkiError) throw err;
    throw new PkiError("PKI_BAD_INPUT", "无法读取 CA 私钥");
  }
  const certKey = inspectSpki(cert.spki);
  const challenge = crypto.randomBytes(32);
  const signature = signer.sign(challenge) as Buffer;
  const sigAlg = signatureAlgorithmFor(signer.algorithm).der;
  if (!signer.publicKeySpki.equals(cert.spki) || !verifySignature(sigAlg, challenge, signature, certKey)) {
    throw new PkiError("PKI_KEY_MISMATCH", "CA 证书与私钥不匹配");
  }
  return {
    algorithm: signer.algorithm,
    certDer,
    certPem: toPem(certDer, "CERTIFICATE"),
    keyPkcs8: pkcs8,
    signer,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    serialHex: cert.serialHex,
  };
}
