import type { Config } from "../../config";
import type { Clock } from "../../lib/clock";
import { createAlipayProvider } from "./alipay.provider";
import type { PaymentProvider } from "./payment.provider";
import { createSandboxProvider, loadSandboxKey } from "./sandbox.provider";
import { createSandboxWechatProvider } from "./sandbox-wechat.provider";
import { createWechatPayProvider } from "./wechatpay.provider";

/** The Alipay-channel provider PAYMENT_PROVIDER names; null when online payment is off. */
export function createPaymentProvider(
  config: Pick<Config, "payment" | "dataDir" | "publicUrl">,
): PaymentProvider | null {
  const p = config.payment;
  if (p.provider === "sandbox") return createSandboxProvider(loadSandboxKey(config.dataDir));
  if (p.provider === "alipay" && p.alipay)
    return createAlipayProvider({ ...p.alipay, publicUrl: config.publicUrl });
  return null;
}

/** The WeChat-channel provider: WeChat Pay when WECHATPAY_* are set, else the sandbox's WeChat with it. */
export function createWechatProvider(
  config: Pick<Config, "payment" | "dataDir" | "publicUrl">,
  clock: Clock,
): PaymentProvider | null {
  const p = config.payment;
  if (p.wechat) return createWechatPayProvider({ ...p.wechat, publicUrl: config.publicUrl, clock });
  if (p.provider === "sandbox")
    return createSandboxWechatProvider(loadSandboxKey(config.dataDir), config.publicUrl, clock);
  return null;
}
