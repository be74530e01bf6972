import type { Config } from "../../config";
import { createAlipayProvider } from "./alipay.provider";
import type { PaymentProvider } from "./payment.provider";
import { createSandboxProvider, loadSandboxKey } from "./sandbox.provider";

/** The provider PAYMENT_PROVIDER names; null when online payment is off. */
export function createPaymentProvider(
  config: Pick<Config, "payment" | "dataDir" | "publicUrl">,
): PaymentProvider | null {
  const p = config.payment;
  if (p.provider === "sandbox") return createSandboxProvider(loadSandboxKey(config.dataDir));
  if (p.provider === "alipay" && p.alipay)
    return createAlipayProvider({ ...p.alipay, publicUrl: config.publicUrl });
  return null;
}
