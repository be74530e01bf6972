import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config";
import { createPaymentProvider, createWechatProvider } from "./payment.factory";

const base = () => ({ DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "certhall-pay-")) });
const prod = {
  NODE_ENV: "production",
  SECRET_KEY: "x".repeat(40),
  CA_MASTER_KEY: "ab".repeat(32),
  AUDIT_KEY: "cd".repeat(32),
};

describe("payment configuration", () => {
  it("uses the sandbox cashier in development, with demo bank details that say so", () => {
    const c = loadConfig(base());
    expect(c.payment.provider).toBe("sandbox");
    expect(c.payment.bank.demo).toBe(true);
    expect(c.payment.bank.accountName).toContain("演示");
    expect(createPaymentProvider(c)?.name).toBe("sandbox");
  });

  it("turns online payment off by default in production and refuses the sandbox there", () => {
    const c = loadConfig({ ...base(), ...prod });
    expect(c.payment.provider).toBe("none");
    expect(createPaymentProvider(c)).toBeNull();
    expect(() => loadConfig({ ...base(), ...prod, PAYMENT_PROVIDER: "sandbox" })).toThrow(/sandbox/);
  });

  it("needs the Alipay app id and both keys for alipay, and takes the real bank account when all three are set", () => {
    expect(() => loadConfig({ ...base(), PAYMENT_PROVIDER: "alipay", ALIPAY_APP_ID: "1" })).toThrow(
      /ALIPAY_PRIVATE_KEY/,
    );
    const c = loadConfig({
      ...base(),
      PAYMENT_BANK_ACCOUNT_NAME: "福建某某数字认证有限公司",
      PAYMENT_BANK_NAME: "某银行福州分行",
      PAYMENT_BANK_ACCOUNT_NO: "1234 5678",
    });
    expect(c.payment.bank).toEqual({
      accountName: "福建某某数字认证有限公司",
      bankName: "某银行福州分行",
      accountNo: "1234 5678",
      demo: false,
    });
  });

  it("turns the sandbox's WeChat on with the sandbox, WeChat Pay on when every WECHATPAY_* is set, and stops on some", () => {
    const c = loadConfig(base());
    expect(createWechatProvider(c, () => new Date())?.name).toBe("sandbox_wechat");
    expect(createWechatProvider(loadConfig({ ...base(), ...prod }), () => new Date())).toBeNull();
    expect(() => loadConfig({ ...base(), WECHATPAY_MCHID: "1230000109" })).toThrow(/WECHATPAY_APIV3_KEY/);
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const w = loadConfig({
      ...base(),
      ...prod,
      WECHATPAY_MCHID: "1230000109",
      WECHATPAY_APPID: "wxd678efh567hg6787",
      WECHATPAY_MERCHANT_SERIAL: "5157F09E",
      WECHATPAY_PRIVATE_KEY: String(privateKey.export({ type: "pkcs8", format: "pem" })),
      WECHATPAY_APIV3_KEY: "0123456789abcdefABCDEF0123456789",
      WECHATPAY_PLATFORM_PUBLIC_KEY: String(publicKey.export({ type: "spki", format: "pem" })),
      WECHATPAY_PLATFORM_SERIAL: "PUB_KEY_ID_01",
    });
    expect(createWechatProvider(w, () => new Date())?.name).toBe("wechatpay");
    expect(createPaymentProvider(w)).toBeNull();
  });
});
