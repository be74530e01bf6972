// The root's part of the hierarchy (DESIGN §9), done by the ceremony with the offline root key:
// the self-signed root, and issuing CA certificates that carry AIA (caIssuers → the root certificate)
// and a CRL distribution point (the root's ARL), so a relying party can check the whole chain.
import { PkiError } from "./errors";
import { signCaCertificate } from "./hierarchy";
import { addYears, issuerContext } from "./issue";
import { type CaAlgorithm, generateKeyPair, localSigner, type Signer } from "./keys";
import { type DistinguishedName, encodeName } from "./names";
import { type CertificatePolicy, certificatePoliciesExt } from "./policy";
import { authorityInfoAccessExt, crlDistributionPointsExt, parseCertificate } from "./x509";

const wholeSeconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);

export interface RootCa {
  algorithm: CaAlgorithm;
  certDer: Buffer;
  /** PKCS#8 DER: goes into the sealed root key file, nowhere else. */
  keyPkcs8: Buffer;
  signer: Signer;
}

/**
 * A new root key and its self-signed certificate: no pathLenConstraint (CA/B BR 7.1.2.1, zlint
 * w_root_ca_basic_constraints_path_len_constraint_field_present); keyCertSign, cRLSign and
 * digitalSignature, so the root's key may sign OCSP answers about its issuing CAs (RFC 6960 4.2.2.2)
 * without a new root. Today the root's status for them is its ARL only (the server has no root key).
 */
export async function createRootCa(p: {
  algorithm: CaAlgorithm;
  name: DistinguishedName;
  now?: Date;
  years?: number;
}): Promise<RootCa> {
  const now = wholeSeconds(p.now ?? new Date());
  const key = generateKeyPair(p.algorithm);
  const signer = localSigner(key.pkcs8);
  const name = encodeName(p.name);
  const cert = await signCaCertificate({
    subjectDer: name,
    issuerDer: name,
    spki: signer.publicKeySpki,
    issuerSpki: signer.publicKeySpki,
    signer,
    notBefore: now,
    notAfter: addYears(now, p.years ?? 20),
    usages: ["digitalSignature", "keyCertSign", "cRLSign"],
  });
  return { algorithm: p.algorithm, certDer: cert.der, keyPkcs8: key.pkcs8, signer };
}

export interface SignIssuingCaParams {
  root: { certDer: Buffer; signer: Signer };
  /** SubjectPublicKeyInfo of the issuing key (from a sealed key, or read from a PKCS#11 token). */
  issuingSpki: Buffer;
  issuingName: DistinguishedName;
  /** The root's ARL (CDP) and certificate (AIA caIssuers); OCSP of the root is optional. */
  urls: { arl: string; rootCert: string; ocsp?: string };
  /** The CA's certificate policy (zlint e_sub_ca_certificate_policies_missing). */
  policy?: CertificatePolicy;
  now?: Date;
  years?: number;
}

/** The root signs an issuing CA certificate (pathLen 0; digitalSignature for its own OCSP). */
export async function signIssuingCa(
  p: SignIssuingCaParams,
): Promise<{ certDer: Buffer; serialHex: string; notBefore: Date; notAfter: Date }> {
  const root = issuerContext(p.root);
  const notBefore = wholeSeconds(p.now ?? new Date());
  let notAfter = addYears(notBefore, p.years ?? 10);
  // Never beyond the root: a shorter issuing CA near the root's end rather than an invalid one.
  if (notAfter > root.cert.notAfter) notAfter = root.cert.notAfter;
  if (notAfter <= notBefore) throw new PkiError("PKI_BAD_INPUT", "根 CA 已到期，不能再签发签发 CA");
  const cert = await signCaCertificate({
    subjectDer: encodeName(p.issuingName),
    issuerDer: root.cert.subjectRaw,
    spki: p.issuingSpki,
    issuerSpki: root.cert.spki,
    signer: p.root.signer,
    notBefore,
    notAfter,
    pathLen: 0,
    usages: ["digitalSignature", "keyCertSign", "cRLSign"],
    extensions: [
      crlDistributionPointsExt(p.urls.arl),
      authorityInfoAccessExt(p.urls.ocsp, p.urls.rootCert),
      ...(p.policy ? [certificatePoliciesExt(p.policy)] : []),
    ],
  });
  return { certDer: cert.der, serialHex: parseCertificate(cert.der).serialHex, notBefore, notAfter };
}
