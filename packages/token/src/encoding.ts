// What the token client adds to the CA's DER codec (@certhall/pki/der): the ECDSA signature as X.509
// wants it, and PEM armour.
import { integerFromUnsigned, seq } from "@certhall/pki/der";

/**
 * CKM_ECDSA returns the raw signature r || s, each as long as the curve order (PKCS#11 v2.40
 * §2.3.1); X.509 and PKCS#10 want Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 3279
 * §2.2.3).
 */
export function ecdsaRawToDer(raw: Uint8Array): Buffer {
  if (raw.length === 0 || raw.length % 2 !== 0) {
    throw new RangeError(`ECDSA raw signature has odd length ${raw.length}`);
  }
  const half = raw.length / 2;
  const bytes = Buffer.from(raw);
  return seq(integerFromUnsigned(bytes.subarray(0, half)), integerFromUnsigned(bytes.subarray(half)));
}

export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Every PEM block with the given label, in order (e.g. a leaf followed by its chain). */
export function fromPem(label: string, pem: string): Buffer[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, "g");
  return [...pem.matchAll(re)].map((m) => Buffer.from((m[1] ?? "").replace(/\s+/g, ""), "base64"));
}
