import { revokeReasonOf } from "@certhall/domain";
import { certificateStates, certificatesToCompromise } from "../../pki/lineage-revocation";
import { NO_EFFECTS, type ServerBusiness, validMembers } from "./define";

/**
 * 注销: every still-valid certificate of the lineage revoked with the applicant's reason. For
 * keyCompromise, every certificate holding the item's key, in any lineage, is revoked keyCompromise too
 * (a superseded one has its reason raised), which blocks the key for ever.
 */
export const revoke = {
  code: "revoke",
  lineage: null,
  ...NO_EFFECTS,
  revokes: async (ctx) => {
    const reason = revokeReasonOf(ctx.item.details);
    const serials = validMembers(ctx.lineage);
    if (!serials.includes(ctx.item.target_serial)) serials.push(ctx.item.target_serial);
    const lineage = serials.map((serialHex) => ({ serialHex, reason }));
    if (reason !== "keyCompromise") return lineage;
    const target = (await certificateStates(ctx.trx, [ctx.item.target_serial])).get(ctx.item.target_serial);
    if (!target?.spkiSha256) return lineage;
    const set = new Set(serials);
    const sameKey = (await certificatesToCompromise(ctx.trx, target.spkiSha256)).filter((s) => !set.has(s));
    return [...lineage, ...sameKey.map((serialHex) => ({ serialHex, reason }))];
  },
} satisfies ServerBusiness<"revoke">;
