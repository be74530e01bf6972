// Signed checkpoints (issue 18 item 8): the issuing CA signs a small statement of another module (the
// audit chain's head) so it can be kept outside the database and checked later against the CA
// certificate. The signature is the CA's plain signature over the bytes (DER for ECDSA, SM2 with the
// standard ID), made and checked with the same algorithms as certificates.
import {
  type CaAlgorithm,
  inspectSpki,
  parseCertificate,
  signatureAlgorithmFor,
  verifySignature,
} from "@certhall/pki";
import type { CaService } from "./ca.service";

export interface CheckpointSignature {
  /** Slug of the CA that signed (its certificate is /pki/ca/{slug}.crt). */
  ca: string;
  /** base64 */
  signature: string;
}

/** Signs `payload` with the active issuing CA's key. */
export async function signCheckpoint(ca: CaService, payload: Buffer): Promise<CheckpointSignature> {
  const issuing = ca.issuing();
  const signature = await issuing.signer!.sign(payload);
  return { ca: issuing.slug, signature: signature.toString("base64") };
}

/** True when `sig` is the named CA's signature over `payload`; false for an unknown CA or a bad signature. */
export function verifyCheckpoint(ca: CaService, payload: Buffer, sig: CheckpointSignature): boolean {
  const signer = ca.list().find((c) => c.slug === sig.ca);
  if (!signer) return false;
  const spki = parseCertificate(signer.certDer).spki;
  const alg = signatureAlgorithmFor(signer.algorithm as CaAlgorithm).der;
  return verifySignature(alg, payload, Buffer.from(sig.signature, "base64"), inspectSpki(spki));
}
