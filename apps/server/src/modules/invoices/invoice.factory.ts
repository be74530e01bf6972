import type { Config } from "../../config";
import { createDevInvoiceProvider } from "./dev-invoice.provider";
import type { InvoiceProvider } from "./invoice.provider";
import { createNuonuoProvider } from "./nuonuo.provider";

/** The provider INVOICE_PROVIDER names; null when e-invoices are off. */
export function createInvoiceProvider(config: Pick<Config, "invoice">): InvoiceProvider | null {
  const c = config.invoice;
  if (c.provider === "dev") return createDevInvoiceProvider(c);
  if (c.provider === "nuonuo" && c.nuonuo)
    return createNuonuoProvider({ ...c.nuonuo, seller: c.seller, goods: c.goods, clerk: c.clerk });
  return null;
}
