// A "certs-only" PKCS#7 / CMS SignedData (RFC 5652 §5; RFC 2315 degenerate case): the usual way to
// hand out a certificate WITH its chain in DER (.p7b), since a bare DER file holds one certificate.

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};

const OID_SIGNED_DATA = Buffer.from("06092a864886f70d010702", "hex"); // 1.2.840.113549.1.7.2
const OID_DATA = Buffer.from("06092a864886f70d010701", "hex"); // 1.2.840.113549.1.7.1

export function certsOnlyPkcs7(certsDer: readonly Buffer[]): Buffer {
  const signedData = tlv(
    0x30,
    tlv(0x02, Buffer.from([1])), // version 1
    tlv(0x31), // digestAlgorithms: none
    tlv(0x30, OID_DATA), // encapContentInfo without content
    tlv(0xa0, ...certsDer), // certificates [0] IMPLICIT SET OF Certificate
    tlv(0x31), // signerInfos: none
  );
  return tlv(0x30, OID_SIGNED_DATA, tlv(0xa0, signedData));
}
