import { NO_EFFECTS, type ServerBusiness } from "./define";

/** 其他厂商介质证书更换: our certificate starts a lineage (the other vendor's is not ours to revoke). */
export const vendorSwap = {
  code: "vendor_swap",
  lineage: "starts",
  ...NO_EFFECTS,
} satisfies ServerBusiness<"vendor_swap">;
