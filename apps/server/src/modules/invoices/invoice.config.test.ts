import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config";
import { createInvoiceProvider } from "./invoice.factory";

const base = () => ({ DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "certhall-inv-")) });
const prod = {
  NODE_ENV: "production",
  SECRET_KEY: "x".repeat(40),
  CA_MASTER_KEY: "ab".repeat(32),
  AUDIT_KEY: "cd".repeat(32),
};

describe("invoice configuration", () => {
  it("makes 演示 PDFs in development, is off by default in production and refuses the dev provider there", () => {
    expect(createInvoiceProvider(loadConfig(base()))?.name).toBe("dev");
    const p = loadConfig({ ...base(), ...prod });
    expect(p.invoice.provider).toBe("none");
    expect(createInvoiceProvider(p)).toBeNull();
    expect(() => loadConfig({ ...base(), ...prod, INVOICE_PROVIDER: "dev" })).toThrow(/INVOICE_PROVIDER=dev/);
  });

  it("needs the Nuonuo keys, the seller's 税号 and the goods code for nuonuo; SMTP needs its URL", () => {
    expect(() => loadConfig({ ...base(), INVOICE_PROVIDER: "nuonuo", INVOICE_NUONUO_APP_KEY: "k" })).toThrow(
      /INVOICE_NUONUO_APP_SECRET, INVOICE_NUONUO_ACCESS_TOKEN, INVOICE_SELLER_TAX_NO, INVOICE_GOODS_CODE/,
    );
    const c = loadConfig({
      ...base(),
      INVOICE_PROVIDER: "nuonuo",
      INVOICE_NUONUO_APP_KEY: "k",
      INVOICE_NUONUO_APP_SECRET: "s",
      INVOICE_NUONUO_ACCESS_TOKEN: "t",
      INVOICE_SELLER_TAX_NO: "339902999999789113",
      INVOICE_GOODS_CODE: "3040201990000000000",
    });
    expect(createInvoiceProvider(c)?.name).toBe("nuonuo");
    expect(() => loadConfig({ ...base(), EMAIL_PROVIDER: "smtp" })).toThrow(/EMAIL_SMTP_URL/);
  });
});
