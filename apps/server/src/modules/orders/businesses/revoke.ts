import { supersedeReason } from "@certhall/domain";
import { NO_EFFECTS, type ServerBusiness, validMembers } from "./define";

/** 注销: every still-valid certificate of the lineage revoked with the business's reason. */
export const revoke = {
  code: "revoke",
  lineage: null,
  ...NO_EFFECTS,
  revokes: async (ctx) => {
    const reason = supersedeReason("revoke", ctx.item.details) ?? "cessationOfOperation";
    const serials = validMembers(ctx.lineage);
    if (!serials.includes(ctx.item.target_serial)) serials.push(ctx.item.target_serial);
    return serials.map((serialHex) => ({ serialHex, reason }));
  },
} satisfies ServerBusiness<"revoke">;
