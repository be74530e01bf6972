import { X509Certificate } from "node:crypto";
import pkcs11js from "pkcs11js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  certificateSubjectDer,
  certificatesFromPem,
  readCertificates,
  writeCertificate,
} from "./certificates";
import { buildCsr } from "./csr";
import { TokenError } from "./errors";
import { generateKeyPair, type KeyAlgorithm, type TokenKey } from "./keys";
import { createOpensslCa, createSoftHsm, type SoftHsm, type TestCa } from "./testing/softhsm";
import { openToken, type TokenSession } from "./token";

let hsm: SoftHsm;
let ca: TestCa;
let session: TokenSession;

beforeAll(() => {
  hsm = createSoftHsm();
  hsm.initToken("certs", { soPin: "87654321", pin: "123456" });
  ca = createOpensslCa(hsm.dir);
  session = openToken({ modulePath: hsm.modulePath, tokenLabel: "certs", pin: "123456" });
});

afterAll(() => {
  session?.close();
  hsm?.remove();
});

/** Key on the token → CSR signed by the token → certificate from the openssl CA. */
async function issued(
  label: string,
  algorithm: KeyAlgorithm = "ecdsa-p256",
): Promise<{ key: TokenKey; der: Buffer }> {
  const key = await generateKeyPair(session, { label, algorithm });
  const csr = await buildCsr(session, key, { commonName: label, organization: "福建某某科技有限公司" });
  const [der] = certificatesFromPem(ca.sign(csr.pem));
  return { key, der: der! };
}

async function rejection(fn: () => unknown): Promise<TokenError> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TokenError);
    return error as TokenError;
  }
  throw new Error("expected a TokenError");
}

describe("writeCertificate and readCertificates", () => {
  it.each(["ecdsa-p256", "rsa-2048"] as const)(
    "stores a %s certificate signed by an openssl CA and reads back the same bytes",
    async (algorithm) => {
      const { key, der } = await issued(`holder-${algorithm}`, algorithm);
      const written = writeCertificate(session, der, { label: `holder-${algorithm}`, id: key.id });
      const [read] = readCertificates(session).filter((c) => c.id.equals(key.id));
      expect(read?.der.equals(der)).toBe(true);
      expect(read?.label).toBe(`holder-${algorithm}`);
      expect(written.serialHex).toBe(new X509Certificate(der).serialNumber.toLowerCase());
      expect(read?.issuer).toBe("CN=Certhall Test CA");
      expect(read?.subject).toContain(`CN=holder-${algorithm}`);
    },
  );

  it("fills the PKCS#11 certificate attributes from the certificate itself", async () => {
    const { key, der } = await issued("attributes");
    const cert = writeCertificate(session, der, { label: "attributes", id: key.id });
    const attrs = session.pkcs11.C_GetAttributeValue(session.handle, cert.handle, [
      { type: pkcs11js.CKA_SUBJECT },
      { type: pkcs11js.CKA_ID },
      { type: pkcs11js.CKA_CERTIFICATE_TYPE },
      { type: pkcs11js.CKA_SERIAL_NUMBER },
    ]);
    expect(attrs[0]?.value.equals(certificateSubjectDer(der))).toBe(true);
    expect(attrs[1]?.value.equals(key.id)).toBe(true);
    expect(attrs[2]?.value.readUInt32LE(0)).toBe(pkcs11js.CKC_X_509);
    // DER INTEGER of the serial set by the test CA.
    const serial = new X509Certificate(der).serialNumber.toLowerCase();
    expect(attrs[3]?.value.toString("hex")).toMatch(
      new RegExp(`^02[0-9a-f]{2}0*${serial.replace(/^0+/, "")}$`),
    );
  });

  it("finds the key by its public key when no id is given", async () => {
    const { key, der } = await issued("by-public-key");
    expect(writeCertificate(session, der, { label: "by-public-key" }).id.equals(key.id)).toBe(true);
  });

  it("refuses a certificate for another key", async () => {
    const first = await issued("mine");
    const other = await issued("other");
    const error = await rejection(() =>
      writeCertificate(session, other.der, { label: "mine", id: first.key.id }),
    );
    expect(error.code).toBe("CERT_KEY_MISMATCH");
    expect(error.message).toBe("证书与介质中的密钥不匹配，不能写入");
  });

  it("refuses bytes that are not a certificate", async () => {
    const error = await rejection(() =>
      writeCertificate(session, Buffer.from("3003020101", "hex"), { label: "x" }),
    );
    expect(error.code).toBe("BAD_CERTIFICATE");
  });

  it("writes the same certificate only once", async () => {
    const { key, der } = await issued("twice");
    writeCertificate(session, der, { label: "twice", id: key.id });
    writeCertificate(session, der, { label: "twice", id: key.id });
    expect(readCertificates(session).filter((c) => c.id.equals(key.id))).toHaveLength(1);
  });

  it("replaces the old certificate of a kept key when asked, and keeps both otherwise", async () => {
    const { key, der } = await issued("renewed");
    writeCertificate(session, der, { label: "renewed", id: key.id });
    const second = certificatesFromPem(
      ca.sign((await buildCsr(session, key, { commonName: "renewed" })).pem),
    )[0]!;
    writeCertificate(session, second, { label: "renewed", id: key.id });
    expect(readCertificates(session).filter((c) => c.id.equals(key.id))).toHaveLength(2);
    const third = certificatesFromPem(
      ca.sign((await buildCsr(session, key, { commonName: "renewed" })).pem),
    )[0]!;
    writeCertificate(session, third, { label: "renewed", id: key.id, replace: true });
    const left = readCertificates(session).filter((c) => c.id.equals(key.id));
    expect(left.map((c) => c.der.equals(third))).toEqual([true]);
  });
});
