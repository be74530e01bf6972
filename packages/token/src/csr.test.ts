import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCsr, encodeSubject, parseSubjectHint } from "./csr";
import { toPem } from "./encoding";
import { TokenError } from "./errors";
import { generateKeyPair, publicKeySpki } from "./keys";
import { createSoftHsm, openssl, opensslVerifyCsr, type SoftHsm } from "./testing/softhsm";
import { openToken, type TokenSession } from "./token";

let hsm: SoftHsm;
let session: TokenSession;
let counter = 0;

beforeAll(() => {
  hsm = createSoftHsm();
  hsm.initToken("csr", { soPin: "87654321", pin: "123456" });
  session = openToken({ modulePath: hsm.modulePath, tokenLabel: "csr", pin: "123456" });
});

afterAll(() => {
  session?.close();
  hsm?.remove();
});

function writeCsr(pem: string): string {
  const path = join(hsm.dir, `req-${++counter}.pem`);
  writeFileSync(path, pem);
  return path;
}

const enterprise = {
  country: "CN",
  province: "福建省",
  locality: "福州市",
  organization: "福建某某科技有限公司",
  organizationalUnit: "财务部",
  commonName: "福建某某科技有限公司",
  serialNumber: "91350100M000100Y43",
};

describe("buildCsr", () => {
  it.each(["ecdsa-p256", "rsa-2048"] as const)(
    "makes a %s request signed by the token that openssl verifies",
    async (algorithm) => {
      const key = await generateKeyPair(session, { label: `csr-${algorithm}`, algorithm });
      const csr = await buildCsr(session, key, enterprise);
      const path = writeCsr(csr.pem);
      // `openssl req -verify` checks the self-signature, i.e. the proof of possession.
      expect(opensslVerifyCsr(path)).toBe(true);
      const text = openssl(["req", "-in", path, "-noout", "-text"]);
      expect(text).toContain(
        algorithm === "ecdsa-p256" ? "Signature Algorithm: ecdsa-with-SHA256" : "sha256WithRSAEncryption",
      );
      expect(text).toContain(algorithm === "ecdsa-p256" ? "NIST CURVE: P-256" : "Public-Key: (2048 bit)");
      // The request carries the token's public key, not some other key.
      const pubkey = openssl(["req", "-in", path, "-noout", "-pubkey"]);
      const tokenSpki = publicKeySpki(session, key).toString("base64");
      expect(pubkey.replace(/-----[^-]+-----|\s/g, "")).toBe(tokenSpki);
    },
  );

  it("gives a request whose signed part was altered a signature openssl rejects", async () => {
    // Guards the verification helper itself: it must be able to say no.
    const key = await generateKeyPair(session, { label: "csr-tampered" });
    const csr = await buildCsr(session, key, { commonName: "张三" });
    const tampered = Buffer.from(csr.der);
    const at = tampered.indexOf(Buffer.from("张三"));
    tampered[at + 2] = (tampered[at + 2] ?? 0) ^ 0x01;
    const path = writeCsr(toPem("CERTIFICATE REQUEST", tampered));
    expect(opensslVerifyCsr(path)).toBe(false);
  });

  it("writes the Chinese subject in UTF-8 and the USCC as a PrintableString serialNumber", async () => {
    const key = await generateKeyPair(session, { label: "csr-subject" });
    const path = writeCsr((await buildCsr(session, key, enterprise)).pem);
    const subject = openssl(["req", "-in", path, "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb"]);
    expect(subject.trim()).toBe(
      "subject=serialNumber=91350100M000100Y43,CN=福建某某科技有限公司,OU=财务部,O=福建某某科技有限公司,L=福州市,ST=福建省,C=CN",
    );
    const asn1 = openssl(["asn1parse", "-in", path]);
    expect(asn1).toMatch(/PRINTABLESTRING\s+:CN/);
    expect(asn1).toMatch(/PRINTABLESTRING\s+:91350100M000100Y43/);
    expect(asn1).toMatch(/UTF8STRING/);
  });

  it("takes a DER Name as it is (a renewal repeats the old certificate's subject)", async () => {
    const key = await generateKeyPair(session, { label: "csr-der-name" });
    const name = encodeSubject(enterprise);
    const path = writeCsr((await buildCsr(session, key, name)).pem);
    expect(opensslVerifyCsr(path)).toBe(true);
    const subject = openssl(["req", "-in", path, "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb"]);
    expect(subject.trim()).toBe(
      "subject=serialNumber=91350100M000100Y43,CN=福建某某科技有限公司,OU=财务部,O=福建某某科技有限公司,L=福州市,ST=福建省,C=CN",
    );
    for (const bad of [
      Buffer.from([0x31, 0x00]),
      Buffer.concat([name, Buffer.from([0x00])]),
      name.subarray(0, 5),
    ]) {
      const error = await buildCsr(session, key, bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TokenError);
      expect((error as TokenError).message).toBe("证书主体（DER 编码的名称）格式无效");
    }
  });

  it("makes a different signature each time for ECDSA yet both verify", async () => {
    const key = await generateKeyPair(session, { label: "csr-twice" });
    const a = await buildCsr(session, key, { commonName: "张三" });
    const b = await buildCsr(session, key, { commonName: "张三" });
    expect(a.der.equals(b.der)).toBe(false);
    for (const csr of [a, b]) expect(opensslVerifyCsr(writeCsr(csr.pem))).toBe(true);
  });
});

describe("parseSubjectHint", () => {
  const error = (input: unknown) => {
    try {
      parseSubjectHint(input);
    } catch (e) {
      expect(e).toBeInstanceOf(TokenError);
      return (e as TokenError).message;
    }
    throw new Error("expected a TokenError");
  };

  it("trims values and keeps only the known fields", () => {
    expect(parseSubjectHint({ commonName: "  张三 ", country: "CN" })).toEqual({
      commonName: "张三",
      country: "CN",
    });
  });

  it("names the field that is wrong, in Chinese", () => {
    expect(error({})).toBe("证书名称（CN）不能为空");
    expect(error({ commonName: "张三", country: "China" })).toBe("国家不能超过 2 个字符");
    expect(error({ commonName: "张三", country: "cn" })).toBe("国家须为两位大写字母代码，例如 CN");
    expect(error({ commonName: "张".repeat(65) })).toBe("证书名称（CN）不能超过 64 个字符");
    expect(error({ commonName: "张三", serialNumber: "证件" })).toBe(
      "证件号码（serialNumber）只能包含英文字母、数字和常用符号",
    );
    expect(error({ commonName: "张三", email: "a@b.c" })).toBe("证书主体含未知字段：email");
    expect(error({ commonName: 5 })).toBe("证书名称（CN）须为文本");
    expect(error("张三")).toMatch(/^证书主体须为 JSON 对象/);
  });

  it("counts a 64-character Chinese common name as within the limit", () => {
    expect(encodeSubject({ commonName: "张".repeat(64) }).length).toBeGreaterThan(64 * 3);
  });
});
