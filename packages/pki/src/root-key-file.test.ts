import { describe, expect, it } from "vitest";
import { createRootCa } from "./ceremony";
import { toPem } from "./pem";
import { openRootKeyFile, rootKeyFileCertificate, sealRootKeyFile } from "./root-key-file";

const PASS = "correct horse battery staple";

describe("root key file (scrypt + AES-256-GCM)", async () => {
  const root = await createRootCa({ algorithm: "ecdsa-p256", name: [{ type: "CN", value: "根" }] });
  const material = {
    algorithm: root.algorithm,
    keyPkcs8: root.keyPkcs8,
    certificatePem: toPem(root.certDer, "CERTIFICATE"),
  };
  const text = sealRootKeyFile(material, PASS);

  it("opens with the passphrase and gives back the key and certificate", () => {
    const opened = openRootKeyFile(text, PASS);
    expect(opened.keyPkcs8.equals(root.keyPkcs8)).toBe(true);
    expect(opened.certificatePem).toBe(material.certificatePem);
    expect(rootKeyFileCertificate(text).certificatePem).toBe(material.certificatePem);
  });

  it("holds no key material in the clear", () => {
    expect(text).not.toContain(root.keyPkcs8.toString("base64"));
    expect(JSON.parse(text).kdf).toMatchObject({ name: "scrypt", N: 32768, r: 8, p: 1 });
  });

  it("refuses a wrong passphrase", () => {
    expect(() => openRootKeyFile(text, "wrong passphrase here")).toThrow(/口令错误或文件被篡改/);
  });

  it("refuses a swapped certificate or weakened scrypt parameters (authenticated)", () => {
    const other = JSON.parse(text);
    other.certificate = other.certificate.replace("MII", "MIJ");
    expect(() => openRootKeyFile(JSON.stringify(other), PASS)).toThrow(/口令错误或文件被篡改/);
    const weak = JSON.parse(text);
    weak.kdf.N = 1024;
    expect(() => openRootKeyFile(JSON.stringify(weak), PASS)).toThrow(/密钥派生参数无效/);
  });

  it("refuses a short passphrase", () => {
    expect(() => sealRootKeyFile(material, "short")).toThrow(/至少 12 个字符/);
  });
});
